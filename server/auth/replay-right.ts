/**
 * The replay right (protocol 1.2 section 3): who may pause, resume, seek and change the speed
 * of a replay. A static AUTH_TOKENS token has it, a JWT when its claims hold `"replay": true`;
 * on a server without authentication only a peer on a loopback address (the socket's, and the
 * client's when a proxy is trusted) has it.
 */
import type { FastifyRequest } from 'fastify';
import '../http/authenticate.js';

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

export const isLoopback = (addr: string | undefined): boolean => addr !== undefined && LOOPBACK.test(addr);

export function replayRight(req: FastifyRequest, authEnabled: boolean): boolean {
  if (authEnabled) return req.principal?.replay === true;
  return isLoopback(req.socket.remoteAddress) && isLoopback(req.ip);
}
