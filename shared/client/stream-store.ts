/**
 * The client's copy of every stream (pure): applies snapshot and update items by the
 * protocol's rules. States are replaced, never mutated, so that a UI can compare by reference.
 * Each stream keeps the `epoch` of its last snapshot (v1.1): updates chain by `prev` inside it,
 * and the (epoch, seq) pair is the position a reconnect asks to resume from.
 */
import { applyBookUpdate, bookFromSnapshot, type BookState } from '../book.js';
import { isStateChannel, streamKey, type Channel, type SnapshotItem, type StreamPosition, type UpdateItem } from '../protocol.js';

export interface StreamState {
  seq: number;
  /** Ticker or Candle fields, a BookState for `book`, or for `trades` the kept trades, newest last. */
  state: unknown;
  /** The epoch of the stream's last snapshot (absent from v1.0 servers). */
  epoch?: string;
  /** Set when the state is known wrong (a checksum mismatch): updates are refused until a snapshot. */
  broken?: boolean;
}

export type UpdateResult =
  | { ok: true; seq: number; state: unknown }
  /** `have`: the seq held (undefined when there is no state yet); the item was not applied. */
  | { ok: false; have: number | undefined };

/** A resumable position, as `subscribe.since` takes it. */
export type Position = StreamPosition;

const BOOK: Channel = 'book';

export class StreamStore {
  readonly #streams = new Map<string, StreamState>();
  readonly #tradesKept: number;
  #bookDepth = 0;

  /** `tradesKept`: trades kept per `trades` stream (the newest). */
  constructor(tradesKept = 200) {
    this.#tradesKept = Math.max(1, tradesKept);
  }

  /** Levels kept per book side (`hello.book.depth`); 0: no bound. */
  set bookDepth(n: number) {
    this.#bookDepth = Number.isInteger(n) && n > 0 ? n : 0;
  }

  get(symbol: string, ch: Channel): StreamState | undefined {
    return this.#streams.get(streamKey(symbol, ch));
  }

  /** Replaces the stream's state, seq and epoch (a new epoch is a new numbering: nothing is compared). */
  applySnapshot(item: SnapshotItem): StreamState {
    const state =
      item.ch === BOOK ? bookFromSnapshot(item.d, this.#bookDepth)
      : isStateChannel(item.ch) ? { ...(item.d as object) }
      : asList(item.d).slice(-this.#tradesKept);
    const st: StreamState = { seq: item.seq, state, ...(typeof item.epoch === 'string' ? { epoch: item.epoch } : {}) };
    this.#streams.set(streamKey(item.s, item.ch), st);
    return st;
  }

  /**
   * Applies the item only on top of the state whose seq is `item.prev`: state channels merge
   * the changed fields, `book` applies its level pairs, `trades` appends (keeping the newest).
   * Anything else, or a broken state, is a gap: the stored state is left as it was.
   */
  applyUpdate(item: UpdateItem): UpdateResult {
    const key = streamKey(item.s, item.ch);
    const cur = this.#streams.get(key);
    if (!cur || cur.broken || cur.seq !== item.prev) return { ok: false, have: cur?.seq };
    const state =
      item.ch === BOOK ? applyBookUpdate(cur.state as BookState, item.d, this.#bookDepth)
      : isStateChannel(item.ch) ? { ...(cur.state as object), ...(item.d as object) }
      : [...asList(cur.state), ...asList(item.d)].slice(-this.#tradesKept);
    const st: StreamState = { seq: item.seq, state, ...(cur.epoch !== undefined ? { epoch: cur.epoch } : {}) };
    this.#streams.set(key, st);
    return { ok: true, seq: st.seq, state };
  }

  /** Marks the stream's state wrong: later updates are refused until a snapshot replaces it. */
  markBroken(symbol: string, ch: Channel): void {
    const cur = this.#streams.get(streamKey(symbol, ch));
    if (cur) this.#streams.set(streamKey(symbol, ch), { ...cur, broken: true });
  }

  /** The position of each of these streams that has one (a sound state with an epoch). */
  positions(streams: Iterable<{ symbol: string; channel: Channel }>): Position[] {
    const out: Position[] = [];
    for (const { symbol, channel } of streams) {
      const st = this.get(symbol, channel);
      if (st && !st.broken && st.epoch !== undefined) out.push({ s: symbol, ch: channel, epoch: st.epoch, seq: st.seq });
    }
    return out;
  }

  delete(symbol: string, ch: Channel): void {
    this.#streams.delete(streamKey(symbol, ch));
  }

  clear(): void {
    this.#streams.clear();
  }

  get size(): number {
    return this.#streams.size;
  }
}

const asList = (d: unknown): unknown[] => (Array.isArray(d) ? d : []);
