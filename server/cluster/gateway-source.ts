/**
 * The gateway's StateSource: a mirror of every stream of the symbols its clients hold, kept
 * from Redis state plus bus events, and the only path from the bus into the hub.
 *
 * - `prepare` subscribes to a symbol's channel, waits for Redis to confirm, then reads the
 *   symbol's state (seq S per stream) and applies only bus events after S. Events that arrive
 *   while a read is pending are queued; the queue is emptied just before each read is sent,
 *   since the feed publishes in the same transaction as it writes, so everything received
 *   before the read was sent is already in what it reads.
 * - A skipped seq (events lost) or a resubscription after a Redis reconnect re-reads the
 *   symbol and calls `hub.resync`, so clients get fresh snapshots, never a broken chain. The
 *   event that showed the gap is held back, not forwarded.
 * - A symbol no session holds is unsubscribed after `lingerMs` (clients that flap do not churn).
 */
import { SNAPSHOT_TRADES } from '../market/market-state.js';
import type { Channel, Trade } from '../../shared/protocol.js';
import type { RedisBus } from '../bus/redis.js';
import type { Hub, StateSource } from '../fanout/hub.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import type { RedisView } from './redis-view.js';

interface Mirror {
  streams: Map<Channel, StreamSnapshot>;
  /** A read is pending: events wait in `queue`. */
  loading: boolean;
  queue: StreamEvent[];
  /** Bumped by each (re)load; a load that finds it changed gives way to the newer one. */
  gen: number;
  /** Resolves once the first read arrived. */
  ready: Promise<void>;
  loaded: () => void;
  dropTimer?: NodeJS.Timeout;
}

export interface GatewaySourceOptions {
  /** How long a symbol nobody holds stays subscribed, ms. */
  lingerMs?: number;
  /** Wait between failed or incomplete reads, ms. */
  retryMs?: number;
  /** Events queued per symbol during a read beyond which the queue is dropped (a gap re-reads). */
  maxQueue?: number;
}

export interface GatewayStats {
  /** Symbols subscribed on the bus. */
  symbols: number;
  /** Gaps seen on the bus (each re-read the symbol). */
  gaps: number;
  /** Symbol reads from Redis, first ones included. */
  reads: number;
}

export class GatewaySource implements StateSource {
  readonly stats: GatewayStats = { symbols: 0, gaps: 0, reads: 0 };
  readonly #bus: RedisBus;
  readonly #view: RedisView;
  readonly #lingerMs: number;
  readonly #retryMs: number;
  readonly #maxQueue: number;
  readonly #mirrors = new Map<string, Mirror>();
  /** Streams the hub made records of (it asks `snapshot` exactly then): checked before dropping. */
  readonly #recorded = new Map<string, Set<Channel>>();
  #hub?: Hub;
  #closed = false;

  constructor(bus: RedisBus, view: RedisView, o: GatewaySourceOptions = {}) {
    this.#bus = bus;
    this.#view = view;
    this.#lingerMs = o.lingerMs ?? 5000;
    this.#retryMs = o.retryMs ?? 250;
    this.#maxQueue = o.maxQueue ?? 10_000;
    bus.onEvents((events) => this.#receive(events));
    bus.onResubscribed(() => {
      for (const [s, m] of this.#mirrors) void this.#load(s, m);
    });
  }

  /** The hub fed by this source (it is built after its source). */
  attach(hub: Hub): void {
    this.#hub = hub;
  }

  isSymbol(symbol: string): boolean {
    return this.#view.has(symbol);
  }

  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined {
    const st = this.#mirrors.get(symbol)?.streams.get(ch);
    if (!st) return undefined;
    let chs = this.#recorded.get(symbol);
    if (!chs) this.#recorded.set(symbol, (chs = new Set()));
    chs.add(ch);
    return copy(st);
  }

  async prepare(symbols: string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const s of symbols) {
      if (!this.#view.has(s)) continue;
      const m = this.#mirrors.get(s) ?? this.#open(s);
      this.#scheduleDrop(s, m); // dropped later unless a session holds it by then
      waits.push(m.ready);
    }
    await Promise.all(waits);
  }

  release(symbol: string): void {
    const m = this.#mirrors.get(symbol);
    if (m) this.#scheduleDrop(symbol, m);
  }

  close(): void {
    this.#closed = true;
    for (const m of this.#mirrors.values()) clearTimeout(m.dropTimer), m.loaded();
    this.#mirrors.clear();
  }

  #open(symbol: string): Mirror {
    let loaded!: () => void;
    const ready = new Promise<void>((r) => (loaded = r));
    const m: Mirror = { streams: new Map(), loading: true, queue: [], gen: 0, ready, loaded };
    this.#mirrors.set(symbol, m);
    this.stats.symbols = this.#mirrors.size;
    void this.#load(symbol, m, true);
    return m;
  }

  async #load(symbol: string, m: Mirror, subscribe = false): Promise<void> {
    const gen = ++m.gen;
    m.loading = true;
    const current = () => !this.#closed && m.gen === gen && this.#mirrors.get(symbol) === m;
    if (subscribe) await this.#bus.subscribe([symbol]).catch(() => {});
    let streams: Map<Channel, StreamSnapshot> | undefined;
    while (current()) {
      m.queue = [];
      this.stats.reads++;
      streams = await this.#view.readSymbol(symbol).catch(() => undefined);
      if (streams || !current()) break;
      await new Promise((r) => setTimeout(r, this.#retryMs)); // Redis away, or emptied and not yet rewritten
    }
    if (!streams || !current()) return;
    m.streams = streams;
    m.loading = false;
    for (const snap of streams.values()) this.#hub?.resync(copy(snap));
    m.loaded();
    const queued = m.queue;
    m.queue = [];
    if (queued.length) this.#deliver(symbol, m, queued);
  }

  #receive(events: StreamEvent[]): void {
    const symbol = events[0]?.s;
    const m = symbol === undefined ? undefined : this.#mirrors.get(symbol);
    if (m) this.#deliver(symbol!, m, events);
  }

  #deliver(symbol: string, m: Mirror, events: StreamEvent[]): void {
    if (m.loading) {
      m.queue.push(...events);
      if (m.queue.length > this.#maxQueue) m.queue = []; // what was dropped shows as a gap later
      return;
    }
    const fresh: StreamEvent[] = [];
    let gap = false;
    for (const e of events) {
      const st = m.streams.get(e.ch);
      if (!st || e.seq <= st.seq) continue; // already in the state read from Redis
      if (e.seq !== st.seq + 1) {
        gap = true;
        break;
      }
      st.seq = e.seq;
      if (e.ch === 'trades') {
        const list = st.d as Trade[];
        list.push(e.d as Trade);
        if (list.length > SNAPSHOT_TRADES) list.splice(0, list.length - SNAPSHOT_TRADES);
      } else Object.assign(st.d, e.d);
      fresh.push(e);
    }
    if (fresh.length) this.#hub?.publish(fresh);
    if (gap) {
      this.stats.gaps++;
      void this.#load(symbol, m);
    }
  }

  #scheduleDrop(symbol: string, m: Mirror): void {
    clearTimeout(m.dropTimer);
    m.dropTimer = setTimeout(() => {
      m.dropTimer = undefined;
      if (this.#mirrors.get(symbol) !== m) return;
      if (m.loading || this.#held(symbol)) return void (m.loading && this.#scheduleDrop(symbol, m));
      this.#mirrors.delete(symbol);
      this.stats.symbols = this.#mirrors.size;
      void this.#bus.unsubscribe([symbol]);
    }, this.#lingerMs);
    m.dropTimer.unref();
  }

  /** Whether any session holds a stream of this symbol (asked of the hub's existing records only). */
  #held(symbol: string): boolean {
    const hub = this.#hub;
    const chs = this.#recorded.get(symbol);
    return !!hub && !!chs && hub.streams.held(symbol);
  }
}

function copy(st: StreamSnapshot): StreamSnapshot {
  return { ...st, d: Array.isArray(st.d) ? st.d.slice() : { ...st.d } };
}
