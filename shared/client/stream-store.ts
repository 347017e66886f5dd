/**
 * The client's copy of every stream (pure): applies snapshot and update items by the
 * protocol's rules. States are replaced, never mutated, so that a UI can compare by reference.
 */
import { isStateChannel, streamKey, type Channel, type SnapshotItem, type UpdateItem } from '../protocol.js';

export interface StreamState {
  seq: number;
  /** Ticker or Candle fields, or for `trades` the kept trades, newest last. */
  state: unknown;
}

export type UpdateResult =
  | { ok: true; seq: number; state: unknown }
  /** `have`: the seq held (undefined when there is no state yet); the item was not applied. */
  | { ok: false; have: number | undefined };

export class StreamStore {
  readonly #streams = new Map<string, StreamState>();
  readonly #tradesKept: number;

  /** `tradesKept`: trades kept per `trades` stream (the newest). */
  constructor(tradesKept = 200) {
    this.#tradesKept = Math.max(1, tradesKept);
  }

  get(symbol: string, ch: Channel): StreamState | undefined {
    return this.#streams.get(streamKey(symbol, ch));
  }

  /** Replaces the stream's state and seq. */
  applySnapshot(item: SnapshotItem): StreamState {
    const state = isStateChannel(item.ch) ? { ...(item.d as object) } : asList(item.d).slice(-this.#tradesKept);
    const st = { seq: item.seq, state };
    this.#streams.set(streamKey(item.s, item.ch), st);
    return st;
  }

  /**
   * Applies the item only on top of the state whose seq is `item.prev`: state channels merge
   * the changed fields, `trades` appends (keeping the newest). Anything else is a gap: the
   * stored state is left as it was.
   */
  applyUpdate(item: UpdateItem): UpdateResult {
    const key = streamKey(item.s, item.ch);
    const cur = this.#streams.get(key);
    if (!cur || cur.seq !== item.prev) return { ok: false, have: cur?.seq };
    const state = isStateChannel(item.ch)
      ? { ...(cur.state as object), ...(item.d as object) }
      : [...asList(cur.state), ...asList(item.d)].slice(-this.#tradesKept);
    const st = { seq: item.seq, state };
    this.#streams.set(key, st);
    return { ok: true, ...st };
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
