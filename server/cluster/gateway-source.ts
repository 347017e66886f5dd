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
 * - A `book` event's `d` is level pairs, not fields: the mirror applies them to its book (an
 *   Object.assign would put the delta's pairs in place of the whole side).
 * - Epochs: every event carries its symbol's epoch. One that differs from the mirror's (a feed
 *   restarted on an empty Redis) re-reads the symbol: clients get snapshots of the new epoch.
 *   Seqs are compared only within one epoch. A read older than the mirror within its epoch (a
 *   Redis restarted from a save, or a replica promoted behind, before the feed rewrote it) is
 *   not applied: the mirror waits for the feed's rewrite, so no snapshot goes back in time.
 * - Recovery (protocol 1.1): a mirrored symbol's history starts at its state read and goes on
 *   with bus events, each timed by the feed. A `since` older than that reads the feed's history
 *   stream from Redis once (the same for every gateway) and extends it backwards: every gateway
 *   recovers the same positions.
 * - A symbol no session holds is unsubscribed after `lingerMs` (clients that flap do not churn).
 */
import { SNAPSHOT_TRADES } from '../market/market-state.js';
import type { BookData, BookDelta, Channel, Trade } from '../../shared/protocol.js';
import type { Bus } from '../bus/bus.js';
import type { StateSource } from '../fanout/state-source.js';
import type { StreamSink } from '../fanout/stream-sink.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import { applyBookDelta, copyBook } from './book-levels.js';
import type { RedisView, SymbolRead } from './redis-view.js';
import type { StreamPosition } from '../../shared/protocol.js';
import { History } from '../history/history.js';
import type { HistoryLimits, Recovery } from '../history/stream-history.js';

interface Mirror {
  streams: Map<Channel, StreamSnapshot>;
  epoch: string;
  /** A read is pending: events wait in `queue`. */
  loading: boolean;
  queue: StreamEvent[];
  /** Bumped by each (re)load; a load that finds it changed gives way to the newer one. */
  gen: number;
  /** Resolves once the first read arrived. */
  ready: Promise<void>;
  /** Prepares waiting on this mirror: it is not dropped meanwhile. */
  waiting: number;
  /** The Redis history read for this load (at most one per load). */
  history?: Promise<void>;
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
  /** HISTORY_MS / HISTORY_TRADES for recovery (default: none). */
  history?: HistoryLimits;
}

export interface GatewayStats {
  /** Symbols subscribed on the bus. */
  symbols: number;
  /** Gaps seen on the bus (each re-read the symbol). */
  gaps: number;
  /** Symbol reads from Redis, first ones included. */
  reads: number;
  /** Epoch changes seen (each re-read the symbol). */
  epochs: number;
  /** Reads refused as older than the mirror within its epoch (read again later). */
  stale: number;
}

export class GatewaySource implements StateSource {
  readonly stats: GatewayStats = { symbols: 0, gaps: 0, reads: 0, epochs: 0, stale: 0 };
  readonly history: History;
  readonly #bus: Bus;
  readonly #view: RedisView;
  readonly #lingerMs: number;
  readonly #retryMs: number;
  readonly #maxQueue: number;
  readonly #mirrors = new Map<string, Mirror>();
  /** Streams the hub made records of (it asks `snapshot` exactly then): checked before dropping. */
  readonly #recorded = new Map<string, Set<Channel>>();
  #hub?: StreamSink;
  #closed = false;

  constructor(bus: Bus, view: RedisView, o: GatewaySourceOptions = {}) {
    this.#bus = bus;
    this.#view = view;
    this.#lingerMs = o.lingerMs ?? 5000;
    this.#retryMs = o.retryMs ?? 250;
    this.#maxQueue = o.maxQueue ?? 10_000;
    this.history = new History(o.history ?? { ms: 0, trades: 0 });
    bus.onEvents((events) => this.#receive(events));
    bus.onReset(() => {
      for (const [s, m] of this.#mirrors) void this.#load(s, m);
    });
  }

  /** The hub fed by this source (it is built after its source). */
  attach(hub: StreamSink): void {
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

  recover(p: StreamPosition, now: number): Recovery {
    const m = this.#mirrors.get(p.s);
    return m && !m.loading ? this.history.recover(p, now) : { ok: false };
  }

  /** Mirrors these symbols; with positions older than a mirror's history, reads the history from Redis first. */
  async prepare(symbols: string[], since?: StreamPosition[]): Promise<void> {
    const mirrors: [string, Mirror][] = [];
    for (const s of symbols) {
      if (!this.#view.has(s)) continue;
      const m = this.#mirrors.get(s) ?? this.#open(s);
      m.waiting++;
      mirrors.push([s, m]);
    }
    try {
      await Promise.all(mirrors.map(([, m]) => m.ready));
      if (since?.length && this.history.limits.ms > 0) {
        const want = new Set(since.filter((p) => this.#mirrors.get(p.s)?.epoch === p.epoch && !this.history.recover(p, Date.now()).ok).map((p) => p.s));
        await Promise.all(mirrors.filter(([s]) => want.has(s)).map(([s, m]) => this.#readHistory(s, m)));
      }
    } finally {
      for (const [s, m] of mirrors) {
        m.waiting--;
        this.#scheduleDrop(s, m); // dropped later unless a session holds it by then
      }
    }
  }

  /** Extends a loaded mirror's history backwards from Redis, once per load. */
  #readHistory(symbol: string, m: Mirror): Promise<void> {
    const gen = m.gen;
    return (m.history ??= this.#view
      .readHistory(symbol, m.epoch)
      .then((events) => {
        if (m.gen !== gen || m.loading || this.#mirrors.get(symbol) !== m) return;
        const now = Date.now();
        for (const ch of m.streams.keys()) this.history.prepend(symbol, ch, events, now);
      })
      .catch(() => {})); // Redis away: those positions are simply not recovered
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
    const m: Mirror = { streams: new Map(), epoch: '', loading: true, queue: [], gen: 0, ready, loaded, waiting: 0 };
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
    let read: SymbolRead | undefined;
    m.history = undefined;
    while (current()) {
      m.queue = [];
      this.stats.reads++;
      read = await this.#view.readSymbol(symbol).catch(() => undefined);
      if (read && olderThan(read, m)) (read = undefined), this.stats.stale++;
      if (read || !current()) break;
      await new Promise((r) => setTimeout(r, this.#retryMs)); // Redis away, or emptied and not yet rewritten
    }
    if (!read || !current()) return;
    m.streams = read.streams;
    m.epoch = read.epoch;
    m.loading = false;
    const now = Date.now();
    for (const snap of read.streams.values()) this.history.reset(snap, read.epoch, now);
    for (const snap of read.streams.values()) this.#hub?.resync(copy(snap));
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
    let epoch = false;
    for (const e of events) {
      if (e.epoch !== undefined && e.epoch !== m.epoch) {
        epoch = true;
        break;
      }
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
      } else if (e.ch === 'book') applyBookDelta(st.d as unknown as BookData, e.d as unknown as BookDelta);
      else Object.assign(st.d, e.d);
      fresh.push(e);
    }
    if (fresh.length) {
      for (const key of this.history.record(fresh, Date.now())) {
        const snap = m.streams.get(key.slice(key.indexOf('|') + 1) as Channel);
        if (snap) this.history.reset(snap, m.epoch, Date.now());
      }
      this.#hub?.publish(fresh);
    }
    if (epoch) this.stats.epochs++;
    if (gap) this.stats.gaps++;
    if (gap || epoch) void this.#load(symbol, m);
  }

  #scheduleDrop(symbol: string, m: Mirror): void {
    clearTimeout(m.dropTimer);
    m.dropTimer = setTimeout(() => {
      m.dropTimer = undefined;
      if (this.#mirrors.get(symbol) !== m) return;
      if (m.loading || m.waiting > 0 || this.#held(symbol)) return void ((m.loading || m.waiting > 0) && this.#scheduleDrop(symbol, m));
      this.#mirrors.delete(symbol);
      this.history.drop(symbol);
      this.stats.symbols = this.#mirrors.size;
      void this.#bus.unsubscribe([symbol]);
    }, this.#lingerMs);
    m.dropTimer.unref();
  }

  /** Whether any session holds a stream of this symbol (asked of the hub's existing records only). */
  #held(symbol: string): boolean {
    const hub = this.#hub;
    const chs = this.#recorded.get(symbol);
    return !!hub && !!chs && hub.held(symbol);
  }
}

/** Whether a read is of the mirror's epoch and behind it on some stream. */
function olderThan(read: SymbolRead, m: Mirror): boolean {
  if (read.epoch !== m.epoch) return false;
  for (const [ch, snap] of read.streams) if (snap.seq < (m.streams.get(ch)?.seq ?? 0)) return true;
  return false;
}

/** A snapshot the hub may keep while the mirror goes on changing its own (book levels are arrays: copied too). */
function copy(st: StreamSnapshot): StreamSnapshot {
  if (st.ch === 'book') return { ...st, d: copyBook(st.d as unknown as BookData) as unknown as Record<string, number> };
  return { ...st, d: Array.isArray(st.d) ? st.d.slice() : { ...st.d } };
}
