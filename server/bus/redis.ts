/**
 * Redis bus (ioredis): one pub/sub channel per symbol carrying binary MessagePack batches (see
 * redis/keys.ts). The feed publishes every tick in one MULTI together with the state writes
 * `persist` adds, so Redis state and published events never disagree; a gateway subscribes on
 * demand to the symbols its clients hold. Sequence numbers travel with the events: every
 * gateway gives the same seq for the same event.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { StreamEvent } from '../market/stream-event.js';
import { packEvents, unpackEvents, type Keys } from '../redis/keys.js';
import type { RedisShard } from '../redis/connection.js';
import type { Bus } from './bus.js';

export interface RedisBusOptions {
  /** Where the connections and the key layout come from (one server or Sentinel): its command connection is shared. */
  shard: RedisShard;
  /**
   * Feed side: adds the state writes of a batch to the transaction that publishes it; the
   * function it may return learns whether the transaction was applied (false: failed or unknown).
   */
  persist?: (tx: ChainableCommander, events: StreamEvent[]) => ((ok: boolean) => void) | void;
  /** Feed side: each symbol's epoch, published with its events. */
  epochOf?: (symbol: string) => string;
  /** Feed side: HISTORY_MS, how long each symbol's history stream keeps entries (0: none written). */
  historyMs?: number;
  /** Feed side: the clock of published events (default Date.now). */
  now?: () => number;
  /**
   * Feed side: a batch could not be written (Redis down or failing). Redis is behind from then on
   * until the feed rewrites it; publishes are dropped, not queued, while Redis is away.
   */
  onLost?: (err: Error) => void;
  /** Packets that cannot be read, for the log. */
  onError?: (err: Error) => void;
}

export class RedisBus implements Bus {
  readonly #keys: Keys;
  /** The shard's command connection: the feed's never queues; a gateway's gives up after a timeout. */
  readonly #redis: Redis;
  readonly #o: RedisBusOptions;
  #sub?: Redis;
  #subReadyOnce = false;
  readonly #handlers: ((events: StreamEvent[]) => void)[] = [];
  readonly #feedWatchers: (() => void)[] = [];
  readonly #resubscribed: (() => void)[] = [];
  /** Symbols whose channels this node wants; resubscribed after a reconnect. */
  readonly #wanted = new Set<string>();
  #watchingFeed = false;
  #clockWatcher?: (packed: Buffer) => void;
  #closed = false;

  constructor(o: RedisBusOptions) {
    this.#o = o;
    this.#keys = o.shard.keys;
    this.#redis = o.shard.commands;
  }

  /**
   * Writes and publishes one batch (any symbols, in order) in one transaction. Resolves when
   * Redis answered; a failure goes to `onLost`, never rejects.
   */
  async publish(events: StreamEvent[]): Promise<void> {
    if (events.length === 0 || this.#closed) return;
    if (this.#redis.status !== 'ready') return this.#o.onLost?.(new Error(`redis ${this.#redis.status}`));
    const bySymbol = new Map<string, StreamEvent[]>();
    for (const e of events) {
      const list = bySymbol.get(e.s);
      if (list) list.push(e);
      else bySymbol.set(e.s, [e]);
    }
    const tx = this.#redis.multi();
    const written = this.#o.persist?.(tx, events);
    const at = (this.#o.now ?? Date.now)();
    const keep = this.#o.historyMs ?? 0;
    for (const [sym, list] of bySymbol) {
      const packet = packEvents(this.#o.epochOf?.(sym) ?? '', at, list);
      // Redis's own ids (its clock, monotonic per stream); the feed's time travels in the packet.
      // A second of slack in the trim covers the two clocks' skew; readers use the packet's time.
      if (keep > 0) tx.xadd(this.#keys.history(sym), 'MINID', '~', String(Math.max(0, Math.floor(at - keep - 1000))), '*', 'e', packet);
      tx.publish(this.#keys.events(sym), packet);
    }
    try {
      const replies = await tx.exec();
      const failed = replies?.find(([err]) => err);
      written?.(!replies || failed ? false : true);
      if (!replies || failed) this.#o.onLost?.(failed?.[0] ?? new Error('transaction discarded'));
    } catch (err) {
      written?.(false);
      this.#o.onLost?.(err as Error);
    }
  }

  onEvents(handler: (events: StreamEvent[]) => void): void {
    this.#handlers.push(handler);
  }

  /** Gateway side: subscribes to these symbols' channels; resolves once Redis confirmed. */
  async subscribe(symbols: string[]): Promise<void> {
    for (const s of symbols) this.#wanted.add(s);
    if (symbols.length) await this.#subscriber().subscribe(...symbols.map(this.#keys.events));
  }

  /** Stops receiving these symbols' events. */
  async unsubscribe(symbols: string[]): Promise<void> {
    const gone = symbols.filter((s) => this.#wanted.delete(s));
    if (gone.length && this.#sub) await this.#sub.unsubscribe(...gone.map(this.#keys.events)).catch(() => {});
  }

  /**
   * After the subscriber connection came back and every wanted channel is subscribed again:
   * events published while it was away are lost, so states must be re-read.
   */
  onResubscribed(fn: () => void): void {
    this.#resubscribed.push(fn);
  }

  /** The engine contract's reset signal: after a resubscription (events in between are lost). */
  onReset(fn: () => void): void {
    this.onResubscribed(fn);
  }

  /** Calls `fn` each time the feed announces it (re)wrote the symbol list. Resolves once subscribed. */
  async watchFeed(fn: () => void): Promise<void> {
    this.#feedWatchers.push(fn);
    this.#watchingFeed = true;
    await this.#subscriber().subscribe(this.#keys.feedChannel);
  }

  /** Calls `fn` with each replay clock the feed publishes (cluster/replay-clock-relay.ts). Resolves once subscribed. */
  async watchClock(fn: (packed: Buffer) => void): Promise<void> {
    this.#clockWatcher = fn;
    await this.#subscriber().subscribe(this.#keys.clock);
  }

  /** Whether both connections are up (for /healthz). */
  status(): string {
    const sub = this.#sub?.status;
    return sub === undefined || sub === this.#redis.status ? this.#redis.status : `${this.#redis.status}/${sub}`;
  }

  /** Stops delivering and publishing; the connections close with the shard (RedisShard.close). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#handlers.length = 0;
  }

  #subscriber(): Redis {
    if (this.#sub) return this.#sub;
    const sub = (this.#sub = this.#o.shard.open('subscriber'));
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#message(channel.toString(), message));
    sub.on('ready', () => {
      if (!this.#subReadyOnce) return void (this.#subReadyOnce = true);
      // Our own resubscribe (not ioredis's) so that we know when it is confirmed.
      const channels = [...this.#wanted].map(this.#keys.events);
      if (this.#watchingFeed) channels.push(this.#keys.feedChannel);
      if (this.#clockWatcher) channels.push(this.#keys.clock);
      const again = channels.length ? sub.subscribe(...channels) : Promise.resolve();
      again.then(() => this.#resubscribed.forEach((fn) => fn())).catch(() => sub.disconnect(true)); // try again on a fresh connection
    });
    return sub;
  }

  #message(channel: string, message: Buffer): void {
    if (this.#closed) return;
    if (channel === this.#keys.feedChannel) return this.#feedWatchers.forEach((fn) => fn());
    if (channel === this.#keys.clock) return this.#clockWatcher?.(message);
    const sym = this.#keys.symbolOf(channel);
    if (sym === undefined || !this.#wanted.has(sym)) return;
    let events: StreamEvent[];
    try {
      events = unpackEvents(sym, message);
    } catch (err) {
      return this.#o.onError?.(err as Error);
    }
    for (const h of this.#handlers) h(events);
  }
}

export const redisBus = (o: RedisBusOptions): Bus => new RedisBus(o) satisfies Bus;
