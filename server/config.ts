/**
 * Configuration from the environment. Every setting is one row of SETTINGS: its variable, its
 * default and what it takes; the README's table documents the same names. A bad value throws a
 * ConfigError whose message is one line naming the variable and what it takes.
 */
import { availableParallelism } from 'node:os';
import { defaultUniverse } from './feed/universe.js';
import { parseSpeed } from './feed/replay/clock.js';

export interface Config {
  /** Worker threads computing first-touch back-fills (BACKFILL_WORKERS; 0: in-thread). */
  backfillWorkers: number;
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
  /** Descriptors the listening socket is watched through in a burst: up to this many accepts an iteration (server/node/accept-handles.ts). */
  acceptHandles: number;
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
  /** Sentinel mode (server/redis/connection.ts): REDIS_SENTINELS and the master's name replace REDIS_URL. */
  redisSentinels: HostPort[];
  redisSentinelMaster: string;
  redisSentinelPassword?: string;
  redisPassword?: string;
  /** DOCS: `off` hides the browsable API page /docs (the documents /openapi.json and /asyncapi.json stay). */
  docs: 'on' | 'off';
  /** FEED: `sim` (the simulator) or `replay` (recorded files; docs/replay.md). */
  feed: 'sim' | 'replay';
  /** REPLAY_FILES, REPLAY_SPEED, REPLAY_FROM, REPLAY_TO (ms), REPLAY_LOOP. */
  replayFiles: string[];
  replaySpeed: number | 'max';
  replayFrom?: number;
  replayTo?: number;
  replayLoop: boolean;
  /** RECORD_DIR: where the feed's output is recorded as Tardis CSV (unset: no recording); RECORD_EXCHANGE names it. */
  recordDir?: string;
  recordExchange: string;
}

export interface HostPort {
  host: string;
  port: number;
}

export const ROLES = ['all', 'feed', 'gateway'] as const;
export type Role = (typeof ROLES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Record<string, string | undefined>;

/** A bad setting: the message is the one line to show. */
export class ConfigError extends Error {}

interface Setting<K extends keyof Config = keyof Config> {
  env: string;
  key: K;
  /** The value when the variable is unset or empty. */
  def: () => Config[K];
  /** The value of a set variable; throws a plain message (what it takes) when it is bad. */
  parse: (raw: string) => Config[K];
  /** Printed as `(set, hidden)` by --print-config. */
  secret?: boolean;
  /** How --print-config shows a set value (default: as it is). */
  show?: (v: Config[K]) => string;
}

const bad = (takes: string): never => {
  throw new Error(takes);
};

function number(min: number, max: number, integer = false): (raw: string) => number {
  const takes = `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  return (raw) => {
    const v = raw.trim() === '' ? NaN : Number(raw);
    return Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v)) ? v : bad(takes);
  };
}

function oneOf<T extends string>(values: readonly T[]): (raw: string) => T {
  return (raw) => ((values as readonly string[]).includes(raw) ? (raw as T) : bad(`one of ${values.join(', ')}`));
}

/** A comma-separated list, blanks dropped. */
const list = (raw: string): string[] => raw.split(',').map((x) => x.trim()).filter(Boolean);
const text = (raw: string): string => raw;

const row = <K extends keyof Config>(env: string, key: K, def: Config[K] | (() => Config[K]), parse: (raw: string) => Config[K], more: Pick<Setting<K>, 'secret' | 'show'> = {}): Setting =>
  ({ env, key, def: typeof def === 'function' ? def : () => def, parse, ...more }) as unknown as Setting;

/** A URL with its password (if any) replaced by `***`. */
export function maskPassword(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

const int = (min: number, max: number) => number(min, max, true);

/** `host:port,host:port,...` (IPv6 as `[::1]:26379`). */
function hostPorts(raw: string): HostPort[] {
  const takes = 'a comma-separated list of host:port';
  const out = list(raw).map((hp) => {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(hp);
    const port = m ? Number(m[3]) : 0;
    return m && port >= 1 && port <= 65535 ? { host: (m[1] ?? m[2])!, port } : bad(takes);
  });
  return out.length ? out : bad(takes);
}
const showHostPorts = (v: HostPort[]): string => v.map((h) => (h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`)).join(',');
/** A market time: ms since the epoch, or an ISO 8601 date-time (a date alone is UTC midnight). */
function marketTime(raw: string): number {
  const t = /^\d+$/.test(raw) ? Number(raw) : /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : NaN;
  return Number.isSafeInteger(t) ? t : bad('a time: ms since the epoch or ISO 8601 (2025-01-02T10:00:00Z)');
}
const showTime = (v: number | undefined): string => (v === undefined ? '' : new Date(v).toISOString());

// From server/ (tsx) or compiled dist/server/.
const builtWeb = () => new URL(import.meta.url.endsWith('/dist/server/config.js') ? '../web' : '../dist/web', import.meta.url).pathname;

export const SETTINGS: readonly Setting[] = [
  row('PORT', 'port', 8080, int(0, 65535)),
  row('HOST', 'host', '0.0.0.0', text),
  row('FEED_SYMBOLS', 'feedSymbols', () => defaultUniverse().length, int(1, 10000)),
  row('FEED_RATE', 'feedRate', 5, number(0.1, 1000)),
  row('FEED_SEED', 'feedSeed', 'tickwire', text),
  row('BOOK_DEPTH', 'bookDepth', 20, int(10, 100)),
  row('HEARTBEAT_MS', 'heartbeatMs', 15000, number(100, 600000)),
  row('WS_PING_MS', 'wsPingMs', 20000, number(100, 600000)),
  row('LIMIT_SYMBOLS', 'limitSymbols', 1000, int(1, 100000)),
  row('LIMIT_RATE', 'limitRate', 50, number(1, 100000)),
  row('LIMIT_PAYLOAD', 'limitPayload', 65536, int(256, 16 * 1024 * 1024)),
  row('SLOW_CONSUMER_BYTES', 'slowConsumerBytes', 1 << 20, int(1024, 1 << 30)),
  row('SLOW_CONSUMER_GRACE_MS', 'slowConsumerGraceMs', 10000, number(0, 600000)),
  row('HISTORY_MS', 'historyMs', 120000, number(0, 3600000)),
  row('HISTORY_TRADES', 'historyTrades', 1000, int(0, 100000)),
  row('LOG_LEVEL', 'logLevel', 'info', oneOf(LOG_LEVELS)),
  row('AUTH_TOKENS', 'authTokens', [], list, { secret: true }),
  row('AUTH_JWT_SECRET', 'authJwtSecret', undefined, text, { secret: true }),
  row('AUTH_JWT_PUBLIC_KEY', 'authJwtPublicKey', undefined, text),
  row('ALLOWED_ORIGINS', 'allowedOrigins', [], list),
  row('LIMIT_CONNECTIONS_PER_IP', 'limitConnectionsPerIp', 200, int(0, 1e6)),
  row('LIMIT_NEW_CONNECTIONS', 'limitNewConnections', 50, number(0, 1e6)),
  row('LIMIT_SOCKETS_PER_IP', 'limitSocketsPerIp', 256, int(0, 1e6)),
  row('HEADERS_TIMEOUT_MS', 'headersTimeoutMs', 10000, number(100, 600000)),
  row('ACCEPT_HANDLES', 'acceptHandles', 256, int(1, 256)),
  row('TRUST_PROXY', 'trustProxy', false, (raw) => (raw === 'true' ? true : raw === 'false' ? false : raw)),
  row('TLS_CERT', 'tlsCert', undefined, text),
  row('TLS_KEY', 'tlsKey', undefined, text),
  row('WEB_DIR', 'webDir', builtWeb, text),
  row('ROLE', 'role', 'all', oneOf(ROLES)),
  row('REDIS_URL', 'redisUrl', 'redis://127.0.0.1:6379', text, { show: maskPassword }),
  row('REDIS_SENTINELS', 'redisSentinels', [], hostPorts, { show: showHostPorts }),
  row('REDIS_SENTINEL_MASTER', 'redisSentinelMaster', '', (raw) => (/^[A-Za-z0-9._-]{1,128}$/.test(raw) ? raw : bad('a master name (letters, digits, . _ -)'))),
  row('REDIS_SENTINEL_PASSWORD', 'redisSentinelPassword', undefined, text, { secret: true }),
  row('REDIS_PASSWORD', 'redisPassword', undefined, text, { secret: true }),
  row('DOCS', 'docs', 'on', oneOf(['on', 'off'] as const)),
  row('FEED', 'feed', 'sim', oneOf(['sim', 'replay'] as const)),
  row('REPLAY_FILES', 'replayFiles', [], list),
  row('REPLAY_SPEED', 'replaySpeed', 1, (raw) => parseSpeed(raw) ?? bad('a number > 0 or max')),
  row('REPLAY_FROM', 'replayFrom', undefined, marketTime, { show: showTime }),
  row('REPLAY_TO', 'replayTo', undefined, marketTime, { show: showTime }),
  row('REPLAY_LOOP', 'replayLoop', false, (raw) => (raw === 'true' ? true : raw === 'false' ? false : bad('true or false'))),
  row('RECORD_DIR', 'recordDir', undefined, text),
  row('RECORD_EXCHANGE', 'recordExchange', 'tickwire', (raw) => (/^[a-z0-9][a-z0-9-]{0,31}$/.test(raw) ? raw : bad('a lowercase name of letters, digits and dashes'))),
  row('BACKFILL_WORKERS', 'backfillWorkers', () => Math.max(1, availableParallelism() - 1), int(0, 64)),
];

/** One setting's value and where it came from, for --print-config. */
export interface SettingValue {
  env: string;
  value: Config[keyof Config];
  source: 'default' | 'environment';
  /** The value as --print-config shows it (secrets hidden, passwords masked). */
  shown: string;
}

/** Every setting's value and source; throws ConfigError at the first bad one. */
export function readSettings(env: Env = process.env): SettingValue[] {
  if (!env.REDIS_SENTINELS !== !env.REDIS_SENTINEL_MASTER) throw new ConfigError('REDIS_SENTINELS and REDIS_SENTINEL_MASTER must be set together (the sentinels and the name of the master they watch)');
  return SETTINGS.map((s) => {
    const raw = env[s.env];
    if (raw === undefined || raw === '') {
      const value = s.def();
      return { env: s.env, value, source: 'default', shown: plain(value) };
    }
    let value: Config[keyof Config];
    try {
      value = s.parse(raw);
    } catch (err) {
      const shown = s.secret ? '(hidden)' : JSON.stringify(raw.length > 64 ? `${raw.slice(0, 64)}...` : raw);
      throw new ConfigError(`${s.env} must be ${(err as Error).message}, got ${shown}`);
    }
    return { env: s.env, value, source: 'environment', shown: s.secret ? '(set, hidden)' : s.show ? s.show(value as never) : plain(value) };
  });
}

const plain = (v: unknown): string => (v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v));

export function loadConfig(env: Env = process.env): Config {
  const values = readSettings(env);
  return Object.fromEntries(SETTINGS.map((s, i) => [s.key, values[i]!.value])) as unknown as Config;
}

/** `--print-config`: one line per setting, `NAME=value  (default|environment)`; secrets are not shown. */
export function formatSettings(values: readonly SettingValue[]): string {
  const shown = values.map((v) => ({ name: `${v.env}=${v.shown}`, source: v.source }));
  const width = Math.max(...shown.map((s) => s.name.length));
  return shown.map((s) => `${s.name.padEnd(width)}  (${s.source})`).join('\n');
}
