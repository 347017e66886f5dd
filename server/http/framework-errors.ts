/**
 * Answers for what fails before any route runs, in the protocol's shape `{type: "error", code,
 * message, t}` like every other refusal, never Fastify's or Node's own bodies: a malformed URL
 * (bad percent-encoding), a request that matches no route, and what Node's parser refuses
 * (a head over 16 KiB: 431, a head timeout: 408, anything else: 400).
 */
import type { FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../../shared/protocol.js';
import { errorBody } from '../lib/error-reply.js';

const body = (code: ErrorCode, message: string) => JSON.stringify(errorBody(code, message, Date.now()));

/** For Fastify's `clientErrorHandler`: a JSON answer on the raw socket, then the socket ends. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'limit_exceeded' as const, 'request head over 16 KiB']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'bad_request' as const, 'request head not complete in time']
        : [400, 'bad_request' as const, 'malformed HTTP request'];
  const text = body(code, message);
  if (socket.writable)
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  socket.destroy();
}

/** For Fastify's `frameworkErrors`: a URL the router cannot decode, and the like. */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (_err, _req, reply) => {
  const r = reply as unknown as FastifyReply;
  void r.code(400).header('Content-Type', 'application/json').header('Cache-Control', 'no-store').send(body('bad_request', 'malformed request URL'));
};

/** A request that matches no route: 404 in the protocol's shape. */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).header('Content-Type', 'application/json').header('Cache-Control', 'no-store').send(body('bad_request', 'no such route: see /openapi.json')),
  );
}
