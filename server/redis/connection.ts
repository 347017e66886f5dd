/**
 * The one place every role gets its Redis connections from (after centrifuge's RedisShard): the
 * bus, the feed store and the gateway's REST view all take theirs from a RedisShard. Either one
 * server (REDIS_URL) or a master found through Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_MASTER).
 *
 * With Sentinel, a connection must never stay on a demoted master, whatever was missed:
 * - ioredis asks the sentinels for the master on every (re)connect and checks the role it finds;
 * - `failoverDetector` subscribes to the sentinels' `+switch-master` and reconnects at once;
 * - a `READONLY` reply (we wrote to a replica) reconnects (reconnectOnError);
 * - every RECHECK_MS the shard asks a sentinel where the master is and reconnects any connection
 *   that is elsewhere (a missed `+switch-master`, as Centrifugo re-checks its topology).
 * Publishers never queue: a write while no master is known fails at once (the feed then proves
 * or renews its epochs on the next master, see cluster/feed-generations.ts), so nothing sent
 * before a failover lands on the new master after subscribers missed what came between.
 * Readers give up after COMMAND_TIMEOUT_MS, so a frozen or absent Redis costs REST a bounded
 * wait. A publisher's commands have no timeout (the feed's start reads and rewrites everything,
 * which takes long on a loaded machine); a frozen master shows in the probe, and a failover
 * closes the connection, failing what was in flight.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Config, HostPort } from '../config.js';
import { maskPassword } from '../config.js';
import { Keys } from './keys.js';
import { MasterWatch, type MasterHealth } from './master-watch.js';

/** Where Redis is: one URL, or sentinels and the name of their master. */
export interface RedisTarget {
  url: string;
  sentinels: HostPort[];
  master: string;
  password?: string;
  sentinelPassword?: string;
}

export const redisTarget = (c: Config): RedisTarget => ({
  url: c.redisUrl,
  sentinels: c.redisSentinels ?? [],
  master: c.redisSentinelMaster ?? '',
  ...(c.redisPassword ? { password: c.redisPassword } : {}),
  ...(c.redisSentinelPassword ? { sentinelPassword: c.redisSentinelPassword } : {}),
});

/** For logs: the URL with its password masked, or the sentinels and master name. */
export function describeTarget(t: RedisTarget): string {
  return t.sentinels.length ? `master "${t.master}" via sentinels ${t.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}` : maskPassword(t.url);
}

/** Commands of a reader give up after this long (REST answers 503 then), ms. */
export const COMMAND_TIMEOUT_MS = 3000;
/** How often the shard asks a sentinel where the master is, ms. */
export const RECHECK_MS = 2000;
/** How often the primary connection is probed with a PING, and how long an answer may take, ms. */
export const PROBE_MS = 500;
export const PROBE_TIMEOUT_MS = 1000;

/** What the engine's parts (bus, feed store, REST view) need of a shard: its command connection and key layout. */
export type RedisLink = Pick<RedisShard, 'commands' | 'keys'>;

/** `publisher`: never queues (fails fast); `reader`: bounded waits; `subscriber`: pub/sub only. */
export type ConnectionKind = 'publisher' | 'reader' | 'subscriber';

export interface ShardOptions {
  /** The kind of the shared command connection (`commands`): `publisher` on the feed, else `reader` (the default). */
  commandKind?: 'publisher' | 'reader';
  /** The key layout every user of the shard shares (default: prefix `tw:`). */
  keys?: Keys;
  /** One line per event worth an operator's attention. */
  log?: (msg: string) => void;
  /** Connection errors (ioredis retries by itself). */
  onError?: (err: Error) => void;
  now?: () => number;
  recheckMs?: number;
  commandTimeoutMs?: number;
  probeMs?: number;
  probeTimeoutMs?: number;
}

export class RedisShard {
  readonly target: RedisTarget;
  readonly watch: MasterWatch;
  /** Where everything lives in Redis (redis/keys.ts). */
  readonly keys: Keys;
  #commands?: Redis;
  readonly #o: ShardOptions;
  readonly #conns: { kind: ConnectionKind; r: Redis }[] = [];
  #recheck?: NodeJS.Timeout;
  readonly #probe: NodeJS.Timeout;
  #probing = false;
  #sentinel?: Redis;
  #nextSentinel = 0;
  #closed = false;

  constructor(target: RedisTarget, o: ShardOptions = {}) {
    this.target = target;
    this.#o = o;
    this.keys = o.keys ?? new Keys();
    this.watch = new MasterWatch({ now: o.now ?? Date.now, log: o.log ?? (() => {}) });
    this.#probe = setInterval(() => void this.#probeOnce(), o.probeMs ?? PROBE_MS);
    this.#probe.unref();
    if (this.sentinel) {
      this.#recheck = setInterval(() => void this.#recheckTopology(), o.recheckMs ?? RECHECK_MS);
      this.#recheck.unref();
    }
  }

  get sentinel(): boolean {
    return this.target.sentinels.length > 0;
  }

  /**
   * The one command connection the shard's users share (the bus's publishes, the feed store's
   * writes, the gateway's reads): commands on it apply in the order sent. Opened at first use.
   */
  get commands(): Redis {
    return (this.#commands ??= this.open(this.#o.commandKind ?? 'reader'));
  }

  /** Whether the command connection is ready now. */
  get up(): boolean {
    return this.commands.status === 'ready';
  }

  /** Resolves once the command connection is ready (ioredis keeps retrying until then). */
  ready(): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve) => this.commands.once('ready', () => resolve()));
  }

  /** Calls `fn` each time the command connection becomes ready from now on (registered after the first: reconnects only). */
  onReady(fn: () => void): void {
    this.commands.on('ready', fn);
  }

  /** A new connection of this kind; the first one opened is the one the shard's health follows. */
  open(kind: ConnectionKind): Redis {
    const r = this.sentinel ? new Redis(this.#options(kind)) : new Redis(this.target.url, this.#options(kind));
    r.on('error', (err: Error) => this.#o.onError?.(err));
    const primary = this.#conns.length === 0;
    this.#conns.push({ kind, r });
    if (primary) {
      r.on('ready', () => this.watch.up(address(r)));
      r.on('close', () => this.watch.down('connection closed'));
    }
    r.on('end', () => {
      const i = this.#conns.findIndex((c) => c.r === r);
      if (i >= 0) this.#conns.splice(i, 1);
    });
    return r;
  }

  #options(kind: ConnectionKind): RedisOptions {
    const t = this.target;
    const base: RedisOptions = {
      connectionName: `tickwire-${kind}`, // CLIENT LIST shows who is where
      maxRetriesPerRequest: null,
      retryStrategy: (n) => Math.min(50 * 2 ** n, 1000),
      // A write refused by a replica: we are on a demoted master. Publishers do not resend (the feed re-proves its state).
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? (kind === 'publisher' ? 1 : 2) : false),
      ...(t.password ? { password: t.password } : {}),
      ...(kind === 'publisher' ? { enableOfflineQueue: false, autoResendUnfulfilledCommands: false } : {}),
      ...(kind === 'reader' ? { commandTimeout: this.#o.commandTimeoutMs ?? COMMAND_TIMEOUT_MS } : {}),
      ...(kind === 'subscriber' ? { autoResubscribe: false } : {}),
    };
    if (!this.sentinel) return base;
    return {
      ...base,
      sentinels: t.sentinels,
      name: t.master,
      role: 'master',
      failoverDetector: true,
      sentinelMaxConnections: t.sentinels.length,
      sentinelRetryStrategy: (n) => Math.min(100 * n, 1000),
      sentinelCommandTimeout: 1000,
      connectTimeout: 2000,
      ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
    };
  }

  /** A usable master (connected, answering in time), or why not. */
  health(): MasterHealth {
    return this.watch.health();
  }

  /** PINGs the primary connection: a frozen server keeps the connection but stops answering. */
  async #probeOnce(): Promise<void> {
    const r = this.#conns[0]?.r;
    if (this.#probing || !r || r.status !== 'ready') return;
    this.#probing = true;
    const ms = this.#o.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const answered = await Promise.race([r.ping().then(() => true, () => false), late]);
    clearTimeout(timer);
    this.#probing = false;
    if (!this.#closed) this.watch.probe(answered ? undefined : `Redis did not answer a PING within ${ms} ms`);
  }

  /** Asks one sentinel (the next on failure) where the master is; reconnects connections elsewhere. */
  async #recheckTopology(): Promise<void> {
    if (this.#closed) return;
    const s = this.target.sentinels[this.#nextSentinel % this.target.sentinels.length]!;
    try {
      this.#sentinel ??= this.#sentinelClient(s);
      const reply = (await this.#sentinel.call('SENTINEL', 'get-master-addr-by-name', this.target.master)) as [string, string] | null;
      if (!reply) return;
      const master = `${reply[0]}:${reply[1]}`;
      for (const { kind, r } of this.#conns) {
        const at = address(r);
        if (r.status !== 'ready' || at === undefined || at === master) continue;
        this.#o.log?.(`redis: ${kind} connection is on ${at} but the sentinels name ${master} as master; reconnecting`);
        r.disconnect(true);
      }
    } catch {
      this.#sentinel?.disconnect();
      this.#sentinel = undefined;
      this.#nextSentinel++;
    }
  }

  #sentinelClient(s: HostPort): Redis {
    const r = new Redis({ host: s.host, port: s.port, retryStrategy: () => null, enableOfflineQueue: true, maxRetriesPerRequest: 0, commandTimeout: 1000, connectTimeout: 1000, ...(this.target.sentinelPassword ? { password: this.target.sentinelPassword } : {}) });
    r.on('error', () => {});
    return r;
  }

  /** Stops watching first (the connections closing now are no outage), then closes every connection it opened. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#recheck);
    clearInterval(this.#probe);
    this.#sentinel?.disconnect();
    this.watch.close();
    await Promise.all(this.#conns.map(({ r }) => quit(r)));
  }
}

/** Graceful QUIT when connected (pending replies arrive first), else drop the connection. */
async function quit(r: Redis): Promise<void> {
  if (r.status !== 'ready') return r.disconnect();
  const timer = setTimeout(() => r.disconnect(), 1000);
  await r.quit().catch(() => r.disconnect());
  clearTimeout(timer);
}

/** `host:port` of the server a connection talks to now (IPv4-mapped addresses unwrapped). */
export function address(r: Redis): string | undefined {
  const s = (r as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  if (!s?.remoteAddress || !s.remotePort) return undefined;
  return `${s.remoteAddress.replace(/^::ffff:/, '')}:${s.remotePort}`;
}
