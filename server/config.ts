/** Configuration from the environment. Every name here is documented in the README. */

export interface Config {
  port: number;
  host: string;
  feedSymbols: number;
  feedRate: number;
  feedSeed: string;
  heartbeatMs: number;
  wsPingMs: number;
  limitSymbols: number;
  limitRate: number;
  limitPayload: number;
  slowConsumerBytes: number;
  slowConsumerGraceMs: number;
  logLevel: string;
  /** Folder of the built dashboard; served when it exists. */
  webDir: string;
}

type Env = Record<string, string | undefined>;

function num(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return v;
}

export function loadConfig(env: Env = process.env): Config {
  return {
    port: num(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    feedSymbols: Math.floor(num(env, 'FEED_SYMBOLS', 50, 1, 10000)),
    feedRate: num(env, 'FEED_RATE', 5, 0.1, 1000),
    feedSeed: env.FEED_SEED || 'tickwire',
    heartbeatMs: num(env, 'HEARTBEAT_MS', 15000, 100, 600000),
    wsPingMs: num(env, 'WS_PING_MS', 20000, 100, 600000),
    limitSymbols: Math.floor(num(env, 'LIMIT_SYMBOLS', 1000, 1, 100000)),
    limitRate: num(env, 'LIMIT_RATE', 50, 1, 100000),
    limitPayload: Math.floor(num(env, 'LIMIT_PAYLOAD', 65536, 256, 16 * 1024 * 1024)),
    slowConsumerBytes: Math.floor(num(env, 'SLOW_CONSUMER_BYTES', 1 << 20, 1024, 1 << 30)),
    slowConsumerGraceMs: num(env, 'SLOW_CONSUMER_GRACE_MS', 10000, 0, 600000),
    logLevel: env.LOG_LEVEL || 'info',
    webDir: env.WEB_DIR || new URL('../dist/web', import.meta.url).pathname,
  };
}
