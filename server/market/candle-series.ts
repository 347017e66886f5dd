/**
 * Bounded bar history for one (symbol, interval): a ring buffer of typed columns that grows
 * by doubling up to its capacity, so that thousands of symbols, most with only a few live bars,
 * stay compact in memory. The open bar is the newest slot, updated in place (`setLast`): a
 * trade writes numbers into the columns and allocates nothing, so 10,000 symbols' bars leave
 * the young generation alone (boxed fields of long-lived objects were most of the feed's GC).
 */
import type { Candle } from '../../shared/protocol.js';

/** Columns a series starts with; doubled as bars come, up to the capacity. */
const INITIAL = 4;

/** Column indices, for `lastAt` and `setLast`. */
export const TIME = 0;
export const OPEN = 1;
export const HIGH = 2;
export const LOW = 3;
export const CLOSE = 4;
export const VOLUME = 5;

export class CandleSeries {
  readonly #cap: number;
  #size: number;
  /** time, open, high, low, close, volume; each of length #size. */
  #cols: Float64Array[];
  #start = 0;
  #len = 0;
  /** The newest bar's slot (valid when #len > 0). */
  #last = 0;

  constructor(capacity: number) {
    this.#cap = capacity;
    this.#size = Math.min(capacity, INITIAL);
    this.#cols = Array.from({ length: 6 }, () => new Float64Array(this.#size));
  }

  get length(): number {
    return this.#len;
  }

  /** Appends a bar (copied), dropping the oldest when full. Bars must come in time order. */
  push(c: Candle): void {
    this.pushBar(c.time, c.open, c.high, c.low, c.close, c.volume);
  }

  /** Appends a bar from its fields, dropping the oldest when full. */
  pushBar(time: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (this.#len === this.#size && this.#size < this.#cap) this.#grow();
    const i = (this.#start + this.#len) % this.#size;
    if (this.#len < this.#size) this.#len++;
    else this.#start = (this.#start + 1) % this.#size;
    this.#last = i;
    const cols = this.#cols;
    cols[TIME]![i] = time;
    cols[OPEN]![i] = open;
    cols[HIGH]![i] = high;
    cols[LOW]![i] = low;
    cols[CLOSE]![i] = close;
    cols[VOLUME]![i] = volume;
  }

  /** A field of the newest bar (NaN when empty). */
  lastAt(col: number): number {
    return this.#len === 0 ? NaN : this.#cols[col]![this.#last]!;
  }

  /** Sets a field of the newest bar (the open one); no-op when empty. */
  setLast(col: number, v: number): void {
    if (this.#len > 0) this.#cols[col]![this.#last] = v;
  }

  /** Replaces the newest bar (the one still open) with a copy of `c`; appends when empty. */
  replaceLast(c: Candle): void {
    if (this.#len === 0) return this.push(c);
    const i = this.#last;
    const cols = this.#cols;
    cols[TIME]![i] = c.time;
    cols[OPEN]![i] = c.open;
    cols[HIGH]![i] = c.high;
    cols[LOW]![i] = c.low;
    cols[CLOSE]![i] = c.close;
    cols[VOLUME]![i] = c.volume;
  }

  /** The newest bar as a fresh object, or undefined when empty. */
  last(): Candle | undefined {
    return this.#len === 0 ? undefined : this.#read(this.#last);
  }

  /** The newest `limit` bars, oldest first. */
  tail(limit: number): Candle[] {
    const n = Math.max(0, Math.min(limit, this.#len));
    const out: Candle[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = this.#read((this.#start + this.#len - n + k) % this.#size);
    return out;
  }

  /** Doubles the columns (up to the capacity), unrolling the ring to start at 0. */
  #grow(): void {
    const size = Math.min(this.#cap, this.#size * 2);
    this.#cols = this.#cols.map((col) => {
      const next = new Float64Array(size);
      for (let k = 0; k < this.#len; k++) next[k] = col[(this.#start + k) % this.#size]!;
      return next;
    });
    this.#start = 0;
    this.#size = size;
    this.#last = this.#len - 1;
  }

  #read(i: number): Candle {
    const cols = this.#cols;
    return { time: cols[TIME]![i]!, open: cols[OPEN]![i]!, high: cols[HIGH]![i]!, low: cols[LOW]![i]!, close: cols[CLOSE]![i]!, volume: cols[VOLUME]![i]! };
  }
}
