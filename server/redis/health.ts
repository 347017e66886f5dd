/** The Redis part of a node's /healthz: `ok`, or 503 `degraded` with the reason (no master, or a probe unanswered). */
import type { FastifyReply } from 'fastify';
import type { RedisShard } from './connection.js';

export function degraded(shard: RedisShard, reply: FastifyReply): ReturnType<typeof redisHealth> {
  const h = redisHealth(shard);
  if (h.status !== 'ok') reply.code(503);
  return h;
}

/** The same as fields (the HTTP status follows `status`). */
export function redisHealth(shard: RedisShard): { status: 'ok' } | { status: 'degraded'; reason: string } {
  const h = shard.health();
  return h.ok ? { status: 'ok' } : { status: 'degraded', reason: h.reason ?? 'redis' };
}
