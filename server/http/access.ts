/**
 * Access control and connection limits, as one Fastify onRequest hook. @fastify/websocket runs
 * onRequest hooks before it upgrades, so a refused WebSocket is answered with plain HTTP and
 * never opens. Guarded paths: `/ws`, `/sse` (stream and control POSTs), `/api/*`, `/metrics`;
 * `/healthz` and the dashboard's files stay open (a load balancer and a browser need them).
 * - tokens (AUTH_TOKENS): a guarded request needs `?token=` or `Authorization: Bearer`; else 401.
 * - origins (ALLOWED_ORIGINS): a guarded request whose `Origin` is neither listed nor the
 *   server's own host gets 403. No `Origin` header is allowed (non-browser clients send none).
 * - stream opens (`GET /ws`, `GET /sse`), per client IP: at most `connectionsPerIp` open at once
 *   and `newConnections` per second (token bucket, burst twice that); else 429.
 * Every refusal is a JSON `{type: "error", code, message, t}`: `unauthorized` or `limit_exceeded`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../../shared/protocol.js';
import { TokenBucket } from '../token-bucket.js';

export interface AccessOptions {
  tokens: readonly string[];
  origins: readonly string[];
  /** Open streams per IP; 0: no limit. */
  connectionsPerIp: number;
  /** New streams per second per IP; 0: no limit. */
  newConnections: number;
  onReject?: (reason: RejectReason) => void;
  now?: () => number;
}

export type RejectReason = 'unauthorized' | 'origin' | 'connections_per_ip' | 'connection_rate';

/** What hello.limits adds to the protocol's own limits (omitted when off). */
export function connectionLimits(o: { limitConnectionsPerIp: number; limitNewConnections: number }): { connections?: number; newConnections?: number } {
  return {
    ...(o.limitConnectionsPerIp > 0 ? { connections: o.limitConnectionsPerIp } : {}),
    ...(o.limitNewConnections > 0 ? { newConnections: o.limitNewConnections } : {}),
  };
}

/** Buckets idle long enough to be full again are forgotten on this period, ms. */
const PRUNE_MS = 10_000;

export interface AccessState {
  /** Open streams by client IP (for tests and metrics). */
  readonly open: ReadonlyMap<string, number>;
}

export function registerAccess(app: FastifyInstance, o: AccessOptions): AccessState {
  const now = o.now ?? Date.now;
  const digests = o.tokens.map(digest);
  const origins = new Set(o.origins.map((x) => x.replace(/\/+$/, '').toLowerCase()));
  const open = new Map<string, number>();
  const buckets = new Map<string, TokenBucket>();
  let lastWarn = 0;
  let quiet = 0;

  const prune = setInterval(() => {
    const t = now();
    for (const [ip, b] of buckets) if (b.full(t)) buckets.delete(ip);
  }, PRUNE_MS);
  prune.unref();
  app.addHook('onClose', async () => clearInterval(prune));

  const refuse = (req: FastifyRequest, reply: FastifyReply, status: number, code: ErrorCode, reason: RejectReason, message: string) => {
    o.onReject?.(reason);
    if (status === 429) {
      // A flood of refusals must not become a flood of log lines: at most one warning a second.
      const t = now();
      if (t - lastWarn >= 1000) {
        req.log.warn({ ip: req.ip, path: req.url.split('?')[0], reason, suppressed: quiet }, 'connection refused');
        lastWarn = t;
        quiet = 0;
      } else quiet++;
      reply.header('Retry-After', '1');
    } else req.log.info({ ip: req.ip, path: req.url.split('?')[0], reason }, 'request refused');
    if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="tickwire"');
    return reply.code(status).header('Cache-Control', 'no-store').send({ type: 'error', code, message, t: now() });
  };

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?', 1)[0];
    if (!guarded(path)) return;
    const origin = req.headers.origin;
    if (origins.size && origin !== undefined && !origins.has(origin.toLowerCase()) && !sameOrigin(origin, req.headers.host))
      return refuse(req, reply, 403, 'unauthorized', 'origin', 'origin not allowed');
    if (digests.length && !authorized(req, digests)) return refuse(req, reply, 401, 'unauthorized', 'unauthorized', 'a valid token is required: ?token= or Authorization: Bearer');
    if (req.method !== 'GET' || (path !== '/ws' && path !== '/sse')) return;

    const ip = req.ip;
    const n = open.get(ip) ?? 0;
    if (o.connectionsPerIp > 0 && n >= o.connectionsPerIp)
      return refuse(req, reply, 429, 'limit_exceeded', 'connections_per_ip', `at most ${o.connectionsPerIp} open connections per client address`);
    if (o.newConnections > 0) {
      const t = now();
      let b = buckets.get(ip);
      if (!b) buckets.set(ip, (b = new TokenBucket(o.newConnections, o.newConnections * 2, t)));
      if (!b.take(t)) return refuse(req, reply, 429, 'limit_exceeded', 'connection_rate', `at most ${o.newConnections} new connections per second per client address`);
    }

    open.set(ip, n + 1);
    req.log.debug({ ip, path, open: n + 1 }, 'stream opening');
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (open.get(ip) ?? 1) - 1;
      if (left > 0) open.set(ip, left);
      else open.delete(ip);
      req.log.debug({ ip, path, open: left }, 'stream closed');
    };
    // An upgraded socket outlives the HTTP exchange; an event stream ends with its response.
    if (req.headers.upgrade) req.raw.socket.once('close', release);
    else reply.raw.once('close', release);
  });

  return { open };
}

function guarded(path: string): boolean {
  return path === '/ws' || path === '/sse' || path.startsWith('/sse/') || path.startsWith('/api/') || path === '/metrics';
}

const digest = (token: string) => createHash('sha256').update(token).digest();

/** Compares digests in constant time, so response timing tells nothing about a token. */
function authorized(req: FastifyRequest, digests: Buffer[]): boolean {
  const q = (req.query as Record<string, unknown> | undefined)?.token;
  const header = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  const given = typeof q === 'string' && q ? q : header;
  if (!given) return false;
  const d = digest(given);
  let ok = false;
  for (const x of digests) ok = timingSafeEqual(d, x) || ok;
  return ok;
}

/** A page served by this very host (the bundled dashboard) is always allowed. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
