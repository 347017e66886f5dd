/**
 * The fan-out side's copy of one stream: its seq, its state, which field changed at which seq
 * (so a conflated delta from any earlier seq can be computed on demand), the last few events'
 * own deltas (so unthrottled clients get every event), recent trades, and who subscribes.
 * Pure: no sockets, no timers.
 */
import { isStateChannel, type Channel, type Trade } from '../../shared/protocol.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import type { Encoded, Wire } from './wire.js';
import { fieldStore, type FieldStore } from '../history/fields.js';
import { TradeLog } from '../history/trade-log.js';

/** Events kept per state stream for exact per-event delivery at throttle 0: three 10 ms feed ticks at the top rate (1000/s). */
export const EVENT_RING = 32;
/** Trades kept per stream for building `trades` items. */
export const TRADE_RING = 256;

export interface RingEvent {
  seq: number;
  d: Record<string, number>;
  /** Encoded item, cached per encoding on first use (made then: most events are never sent alone). */
  enc: [Encoded | undefined, Encoded | undefined] | undefined;
}

export type ApplyResult = 'ok' | 'stale' | 'gap';

/** The trades of every state stream's record: none (only `trades` records hold any; never pushed to). */
const NO_TRADES = new TradeLog(1);

export class StreamRecord<Sub = unknown> {
  readonly key: string;
  readonly s: string;
  readonly ch: Channel;
  readonly isState: boolean;
  seq = 0;
  /** The numbering `seq` belongs to (protocol 1.1); set by `reset`. */
  epoch = '';
  /** Deltas are known only from this seq on; a client behind it needs a snapshot. */
  baseSeq = 0;
  /** State channels: every field with the seq that last changed it (fields.ts, as the recovery history keeps them). */
  readonly #fields: FieldStore | undefined;
  /**
   * The last EVENT_RING events, kept only from when an unthrottled subscriber may want them
   * (`keepEvents`): a record only throttled clients read never needs them, and 32 events' objects
   * per state stream were a fifth of the heap with 1,000 symbols watched on every channel.
   */
  readonly ring: RingEvent[] = [];
  #keepEvents = false;
  /** The newest TRADE_RING trades; the newest is at `seq` (trades' seqs are consecutive). Empty for state channels. */
  readonly trades: TradeLog;
  readonly subs = new Set<Sub>();
  /** Encoded conflated items for the current seq, by `prev`; cleared when seq moves. */
  cache = new Map<number, [Encoded | undefined, Encoded | undefined]>();
  /** The encoded snapshot item at the current seq, per encoding: shared by every session asking. */
  snapEnc: [Encoded | undefined, Encoded | undefined] = [undefined, undefined];
  /** Encoded recovery items by `prev`, for the history's seq `#recAt`: shared by clients resuming alike. */
  #recoveries: Map<number, [Encoded | undefined, Encoded | undefined]> | undefined;
  #recAt = -1;
  /** When the last subscriber left (0 while it has some): the stream table drops idle records after a linger. */
  idleSince = 0;

  constructor(s: string, ch: Channel) {
    this.s = s;
    this.ch = ch;
    this.key = `${s}|${ch}`;
    this.isState = isStateChannel(ch);
    this.trades = this.isState ? NO_TRADES : new TradeLog(TRADE_RING);
    this.#fields = this.isState ? fieldStore(ch) : undefined;
  }

  /** Removed fields (a book's gone levels) still kept, so that clients behind them hear of it. */
  get tombstones(): number {
    return this.#fields?.tombstones ?? 0;
  }

  /** Fields held (state channels), tombstones included. */
  get fieldCount(): number {
    return this.#fields?.size ?? 0;
  }

  /**
   * Applies one event. An old seq is ignored ('stale'); a skipped seq is not applied either
   * ('gap'): what happened in between is unknown, so only a fresh whole state (`reset`) can
   * bring the record, and its clients, up to date.
   */
  apply(e: StreamEvent): ApplyResult {
    if (e.seq <= this.seq) return 'stale';
    if (e.seq !== this.seq + 1) return 'gap';
    this.seq = e.seq;
    if (this.cache.size) this.cache.clear();
    this.snapEnc[0] = this.snapEnc[1] = undefined;
    const f = this.#fields;
    if (f) {
      const d = e.d as Record<string, number>;
      f.set(d, e.seq);
      if (this.#keepEvents) {
        this.ring.push({ seq: e.seq, d, enc: undefined });
        if (this.ring.length > EVENT_RING) this.ring.shift();
      }
    } else this.trades.push(e.d as Trade);
    return 'ok';
  }

  /**
   * Keeps the last events from now on (an unthrottled subscriber joined). Until the ring has
   * them, a client gets one conflated item (appendItems), as when it fell behind the ring.
   */
  keepEvents(): void {
    this.#keepEvents = true;
  }

  /** Replaces the whole state (from a snapshot); clients behind it will get snapshots. */
  reset(snap: StreamSnapshot): void {
    this.seq = snap.seq;
    this.epoch = snap.epoch ?? '';
    this.#recAt = -1;
    this.baseSeq = snap.seq;
    this.cache = new Map();
    this.snapEnc = [undefined, undefined];
    this.ring.length = 0;
    if (this.#fields) {
      this.#fields.clear();
      this.#fields.set(snap.d as Record<string, unknown>, snap.seq);
    } else {
      this.trades.clear();
      for (const t of snap.d as Trade[]) this.trades.push(t);
    }
  }

  /**
   * Forgets removed fields that no client can still need: every subscriber has been sent `upTo`
   * or later, and a tombstone set at or before it has been told to all of them. Deltas from
   * before `upTo` are unknown afterwards (`baseSeq`): a client that far behind gets a snapshot.
   * Without this a book's record would keep every price level it ever had.
   */
  pruneTombstones(upTo: number): number {
    const n = this.#fields?.sweep(upTo + 1) ?? 0;
    if (n && upTo > this.baseSeq) this.baseSeq = upTo;
    if (n) this.cache = new Map();
    return n;
  }

  /** The whole state, as a snapshot item carries it (with its epoch). */
  snapshot(tradesInSnapshot: number): StreamSnapshot {
    const { s, ch, seq, epoch } = this;
    if (this.#fields) return { s, ch, seq, epoch, d: this.#fields.all() as Record<string, number> };
    return { s, ch, seq, epoch, d: this.trades.slice(this.trades.length - tradesInSnapshot) };
  }

  /** The snapshot item encoded by `wire`, built once per seq and shared. */
  snapshotItem(wire: Wire, tradesInSnapshot: number): Encoded {
    return (this.snapEnc[wire.index] ??= wire.item(this.snapshot(tradesInSnapshot)));
  }

  /** A recovery item (built by the history) encoded by `wire`, shared by every client resuming at the same `prev`. */
  recoveryItem(wire: Wire, item: { seq: number; prev: number }): Encoded {
    if (item.seq !== this.#recAt || !this.#recoveries) (this.#recAt = item.seq), (this.#recoveries = new Map());
    let c = this.#recoveries.get(item.prev);
    if (!c) this.#recoveries.set(item.prev, (c = [undefined, undefined]));
    return (c[wire.index] ??= wire.item(item));
  }

  /** Fields changed after `prev`, with their latest values. */
  changedSince(prev: number): Record<string, unknown> {
    return (this.#fields?.since(prev) ?? {}) as Record<string, unknown>;
  }

  /** Trades after `prev`, oldest first, at most `cap` (the newest); `dropped` counts the rest. */
  tradesSince(prev: number, cap: number): { list: Trade[]; dropped: number } {
    const n = this.trades.length;
    // The held trade k is at seq `seq - (n - 1 - k)`: those after `prev` are the newest seq - prev.
    const list = this.trades.slice(Math.max(n - Math.max(0, this.seq - prev), n - cap));
    return { list, dropped: this.seq - prev - list.length };
  }
}
