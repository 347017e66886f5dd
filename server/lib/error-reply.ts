/**
 * The protocol's error answer over HTTP, `{type: "error", code, message, t}` (PROTOCOL.md,
 * "Errors and closing"), the one shape every refusal has: the access guards, REST, SSE control, replay
 * control and what fails before any route. Never cached.
 */
import type { FastifyReply } from 'fastify';
import type { ErrorCode } from '../../shared/protocol.js';

/** The body; `extra` adds fields before `t` (a 403's refused symbols or channels). */
export const errorBody = (code: ErrorCode, message: string, t: number, extra: object = {}) => ({ type: 'error' as const, code, message, ...extra, t });

/** Sends the error answer with this status; `t` is the server's time (ms). */
export function replyError(reply: FastifyReply, status: number, code: ErrorCode, message: string, t: number = Date.now(), extra: object = {}): FastifyReply {
  return reply.code(status).header('Cache-Control', 'no-store').send(errorBody(code, message, t, extra));
}
