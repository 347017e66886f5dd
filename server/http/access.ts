/**
 * Access control, origins, CORS and stream limits, decided on the route that will serve the
 * request (Fastify's matched route, `request.routeOptions.url`), never on the raw URL: every
 * spelling the router maps to a route (percent-encoding, absolute-form targets, a stray `?`)
 * is guarded exactly as that route. Every route is guarded unless listed in OPEN below; a request
 * that matches no route is guarded too (it gets 401 before its 404). @fastify/websocket runs
 * onRequest hooks before it upgrades, so a refused WebSocket is answered with plain HTTP.
 * - origins (ALLOWED_ORIGINS, origin.ts): a guarded request or a preflight whose `Origin` is not
 *   allowed gets 403 without CORS headers. No `Origin` header passes (non-browser clients).
 * - CORS (@fastify/cors): allowed origins get `Access-Control-Allow-Origin` (the origin, `Vary:
 *   Origin`); preflights are answered without a token.
 * - tokens: a guarded request needs `?token=` or `Authorization: Bearer`: a static token or a
 *   JWT, checked by the Authenticator (server/auth/), which leaves `request.principal`; else
 *   401 (`token_expired` for an expired JWT).
 * - stream opens (`GET /ws`, `GET /sse`), per client IP: at most `connectionsPerIp` open at once
 *   and `newConnections` per second (token bucket, burst twice that); else 429.
 * Every refusal is a JSON `{type: "error", code, message, t}`: `unauthorized`,
 * `limit_exceeded` or `forbidden`; logged as one line, at most one a second.
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../../shared/protocol.js';
import { TokenBucket } from '../lib/token-bucket.js';
import { requestToken, type Authenticator } from '../auth/index.js';
import './authenticate.js';
import type { OriginRule } from './origin.js';
import { QuietLog } from '../lib/quiet-log.js';
import { replyError } from '../lib/error-reply.js';

export interface AccessOptions {
  authenticator: Authenticator;
  origins: OriginRule;
  /** Whether the port serves TLS (an origin's scheme must match it). */
  tls: boolean;
  /** Open streams per IP; 0: no limit. */
  connectionsPerIp: number;
  /** New streams per second per IP; 0: no limit. */
  newConnections: number;
  onReject?: (reason: RejectReason) => void;
  now?: () => number;
}

export type RejectReason = 'unauthorized' | 'origin' | 'upgrade' | 'connections_per_ip' | 'connection_rate' | 'sockets_per_ip' | 'token_expired' | 'forbidden';

/** Routes open to anyone: health for load balancers, the dashboard's files, the API documents, CORS preflights. */
const OPEN = new Set(['GET /healthz', 'HEAD /healthz', 'GET /', 'HEAD /', 'GET /*', 'HEAD /*', 'OPTIONS *', 'GET /openapi.json', 'HEAD /openapi.json', 'GET /asyncapi.json', 'HEAD /asyncapi.json']);
/** Route patterns under this prefix are open too (the /docs page and its assets, api-docs.ts): matched on the route, never the raw URL. */
const OPEN_PREFIX = '/docs';
const isOpen = (req: FastifyRequest, route: string): boolean => {
  if (OPEN.has(route)) return true;
  const url = req.routeOptions.url;
  return (req.method === 'GET' || req.method === 'HEAD') && url !== undefined && (url === OPEN_PREFIX || url.startsWith(`${OPEN_PREFIX}/`));
};
/** Routes that open a long-lived stream, counted per client address. */
const STREAMS = new Set(['GET /ws', 'GET /sse']);
/** Routes that take a WebSocket upgrade. */
const UPGRADES = new Set(['GET /ws']);

const routeOf = (req: FastifyRequest): string => `${req.method} ${req.routeOptions.url ?? '(none)'}`;

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

/** Registers the guards and CORS on the root instance, before any route. */
export async function registerAccess(app: FastifyInstance, o: AccessOptions): Promise<AccessState> {
  const now = o.now ?? Date.now;
  const open = new Map<string, number>();
  const buckets = new Map<string, TokenBucket>();
  const warnLog = new QuietLog((obj, msg) => app.log.warn(obj, msg), now);
  const infoLog = new QuietLog((obj, msg) => app.log.info(obj, msg), now);

  const prune = setInterval(() => {
    const t = now();
    for (const [ip, b] of buckets) if (b.full(t)) buckets.delete(ip);
  }, PRUNE_MS);
  prune.unref();
  app.addHook('onClose', async () => clearInterval(prune));

  const refuse = (req: FastifyRequest, reply: FastifyReply, status: number, code: ErrorCode, reason: RejectReason, message: string) => {
    o.onReject?.(reason);
    const line = { ip: req.ip, route: routeOf(req), reason };
    if (status === 429) {
      warnLog.line(line, 'connection refused');
      reply.header('Retry-After', '1');
    } else infoLog.line(line, 'request refused');
    if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="tickwire"');
    return replyError(reply, status, code, message, now());
  };

  const originAllowed = (req: FastifyRequest): boolean => {
    const origin = req.headers.origin;
    return origin === undefined || o.origins.allows(origin, { port: req.socket.localPort ?? 0, tls: o.tls });
  };

  // 1. Origins, before CORS: a refused origin gets no CORS headers, preflights included.
  app.addHook('onRequest', async (req, reply) => {
    const route = routeOf(req);
    // @fastify/websocket upgrades on any route and then closes the socket: only /ws upgrades.
    if (req.headers.upgrade !== undefined && !UPGRADES.has(route)) return refuse(req, reply, 404, 'bad_request', 'upgrade', 'no WebSocket here: connect to /ws');
    if (isOpen(req, route) && route !== 'OPTIONS *') return;
    if (!originAllowed(req)) return refuse(req, reply, 403, 'unauthorized', 'origin', 'origin not allowed');
  });

  // 2. CORS for the origins that passed: headers on answers, preflights answered here.
  const corsOptions = {
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    exposedHeaders: ['Retry-After', 'WWW-Authenticate'],
    maxAge: 600,
    strictPreflight: false,
  };
  // Per request, since the loopback rule needs the port the request came in on. Open routes
  // (the dashboard's files) get CORS headers only for allowed origins too.
  await app.register(cors, {
    delegator: (req: FastifyRequest, cb: (err: Error | null, options: object) => void) =>
      cb(null, { ...corsOptions, origin: req.headers.origin !== undefined && originAllowed(req) }),
  });

  // 3. Tokens and stream limits, on every route not listed as open.
  app.addHook('onRequest', async (req, reply) => {
    const route = routeOf(req);
    if (isOpen(req, route)) return;
    if (o.authenticator.enabled) {
      const r = await o.authenticator.authenticate(requestToken(req.query, req.headers.authorization));
      if (!r.ok) {
        const expired = r.reason === 'expired';
        return refuse(req, reply, 401, expired ? 'token_expired' : 'unauthorized', expired ? 'token_expired' : 'unauthorized', r.message);
      }
      req.principal = r.principal;
    }
    if (!STREAMS.has(route)) return;

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
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (open.get(ip) ?? 1) - 1;
      if (left > 0) open.set(ip, left);
      else open.delete(ip);
    };
    // An upgraded socket outlives the HTTP exchange; an event stream ends with its response.
    if (req.headers.upgrade) req.raw.socket.once('close', release);
    else reply.raw.once('close', release);
  });

  return { open };
}
