/** Configuration from the environment. Every name here is documented in the README. */
import { defaultUniverse } from './feed/universe.js';

export interface Config {
  port: number;
  host: string;
  feedSymbols: number;
  feedRate: number;
  feedSeed: string;
  /** Levels per side in the `book` channel (BOOK_DEPTH). */
  bookDepth: number;
  heartbeatMs: number;
  wsPingMs: number;
  limitSymbols: number;
  limitRate: number;
  limitPayload: number;
  slowConsumerBytes: number;
  slowConsumerGraceMs: number;
  /** Protocol 1.1 recovery window: HISTORY_MS (0: off) and HISTORY_TRADES per symbol. */
  historyMs: number;
  historyTrades: number;
  logLevel: string;
  /** Access and connection limits (server/http/access.ts); empty lists and 0 mean open. */
  authTokens: string[];
  /** JWT keys (server/auth/jwt.ts): the HS256 secret, and the path of an RS256/ES256 public key PEM. */
  authJwtSecret?: string;
  authJwtPublicKey?: string;
  allowedOrigins: string[];
  limitConnectionsPerIp: number;
  limitNewConnections: number;
  /** TCP connections per peer address, whatever they carry (server/http/socket-guard.ts); 0: off. */
  limitSocketsPerIp: number;
  /** A connection must send a complete request head within this long, ms. */
  headersTimeoutMs: number;
  /** Fastify's trustProxy: false, true, or the proxies' addresses (comma-separated). */
  trustProxy: boolean | string;
  /** PEM files; with both set the port serves https and wss (server/tls.ts). */
  tlsCert?: string;
  tlsKey?: string;
  /** Folder of the built dashboard; served when it exists. */
  webDir: string;
  /** `all`: one process, in-process bus (no Redis); `feed`: runs the market; `gateway`: serves clients. */
  role: Role;
  /** Redis for the feed and gateway roles. */
  redisUrl: string;
  /** DOCS: `off` hides the browsable API page /docs (the documents /openapi.json and /asyncapi.json stay). */
  docs: 'on' | 'off';
}

export const ROLES = ['all', 'feed', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

type Env = Record<string, string | undefined>;

function num(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return v;
}

/** A comma-separated list, blanks dropped. */
const list = (raw: string | undefined): string[] => (raw ?? '').split(',').map((x) => x.trim()).filter(Boolean);

export function loadConfig(env: Env = process.env): Config {
  return {
    port: num(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    feedSymbols: Math.floor(num(env, 'FEED_SYMBOLS', defaultUniverse().length, 1, 10000)),
    feedRate: num(env, 'FEED_RATE', 5, 0.1, 1000),
    feedSeed: env.FEED_SEED || 'tickwire',
    bookDepth: Math.floor(num(env, 'BOOK_DEPTH', 20, 10, 100)),
    heartbeatMs: num(env, 'HEARTBEAT_MS', 15000, 100, 600000),
    wsPingMs: num(env, 'WS_PING_MS', 20000, 100, 600000),
    limitSymbols: Math.floor(num(env, 'LIMIT_SYMBOLS', 1000, 1, 100000)),
    limitRate: num(env, 'LIMIT_RATE', 50, 1, 100000),
    limitPayload: Math.floor(num(env, 'LIMIT_PAYLOAD', 65536, 256, 16 * 1024 * 1024)),
    slowConsumerBytes: Math.floor(num(env, 'SLOW_CONSUMER_BYTES', 1 << 20, 1024, 1 << 30)),
    slowConsumerGraceMs: num(env, 'SLOW_CONSUMER_GRACE_MS', 10000, 0, 600000),
    historyMs: num(env, 'HISTORY_MS', 120000, 0, 3600000),
    historyTrades: Math.floor(num(env, 'HISTORY_TRADES', 1000, 0, 100000)),
    logLevel: env.LOG_LEVEL || 'info',
    authTokens: list(env.AUTH_TOKENS),
    authJwtSecret: env.AUTH_JWT_SECRET || undefined,
    authJwtPublicKey: env.AUTH_JWT_PUBLIC_KEY || undefined,
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    limitConnectionsPerIp: Math.floor(num(env, 'LIMIT_CONNECTIONS_PER_IP', 200, 0, 1e6)),
    limitNewConnections: num(env, 'LIMIT_NEW_CONNECTIONS', 50, 0, 1e6),
    limitSocketsPerIp: Math.floor(num(env, 'LIMIT_SOCKETS_PER_IP', 256, 0, 1e6)),
    headersTimeoutMs: num(env, 'HEADERS_TIMEOUT_MS', 10000, 100, 600000),
    trustProxy: env.TRUST_PROXY === 'true' ? true : !env.TRUST_PROXY || env.TRUST_PROXY === 'false' ? false : env.TRUST_PROXY,
    tlsCert: env.TLS_CERT || undefined,
    tlsKey: env.TLS_KEY || undefined,
    webDir: env.WEB_DIR || new URL(import.meta.url.endsWith('/dist/server/config.js') ? '../web' : '../dist/web', import.meta.url).pathname, // from server/ (tsx) or compiled dist/server/
    role: role(env.ROLE),
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    docs: env.DOCS === 'off' ? 'off' : 'on',
  };
}

function role(raw: string | undefined): Role {
  if (raw === undefined || raw === '') return 'all';
  if ((ROLES as readonly string[]).includes(raw)) return raw as Role;
  throw new Error(`ROLE must be one of ${ROLES.join(', ')}, got ${JSON.stringify(raw)}`);
}
