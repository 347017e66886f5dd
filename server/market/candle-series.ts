/**
 * Bounded bar history for one (symbol, interval): a ring buffer of bars in one typed array (a
 * bar's six fields side by side) that grows by doubling up to its capacity, so that thousands
 * of symbols, most with only a few live bars, stay compact in memory. The open bar is the newest
 * slot, updated in place (`setLast`): a trade writes numbers into one cache line and allocates
 * nothing, so 10,000 symbols' bars leave the young generation alone (boxed fields of
 * long-lived objects were most of the feed's GC, and a column per field six cache misses).
 */
import type { Candle } from '../../shared/protocol.js';

/** Columns a series starts with; doubled as bars come, up to the capacity. */
const INITIAL = 4;

/** A bar's fields, for `lastAt` and `setLast`. */
export const TIME = 0;
export const OPEN = 1;
export const HIGH = 2;
export const LOW = 3;
export const CLOSE = 4;
export const VOLUME = 5;
const FIELDS = 6;

export class CandleSeries {
  readonly #cap: number;
  #size: number;
  /** Bar i's time, open, high, low, close, volume at i * FIELDS.. (#size bars). */
  #data: Float64Array;
  #start = 0;
  #len = 0;
  /** The newest bar's offset in #data (valid when #len > 0). */
  #last = 0;

  constructor(capacity: number) {
    this.#cap = capacity;
    this.#size = Math.min(capacity, INITIAL);
    this.#data = new Float64Array(this.#size * FIELDS);
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
    const o = (this.#last = i * FIELDS);
    const d = this.#data;
    d[o + TIME] = time;
    d[o + OPEN] = open;
    d[o + HIGH] = high;
    d[o + LOW] = low;
    d[o + CLOSE] = close;
    d[o + VOLUME] = volume;
  }

  /** A field of the newest bar (NaN when empty). */
  lastAt(col: number): number {
    return this.#len === 0 ? NaN : this.#data[this.#last + col]!;
  }

  /** Sets a field of the newest bar (the open one); no-op when empty. */
  setLast(col: number, v: number): void {
    if (this.#len > 0) this.#data[this.#last + col] = v;
  }

  /** Replaces the newest bar (the one still open) with a copy of `c`; appends when empty. */
  replaceLast(c: Candle): void {
    if (this.#len === 0) return this.push(c);
    const o = this.#last;
    const d = this.#data;
    d[o + TIME] = c.time;
    d[o + OPEN] = c.open;
    d[o + HIGH] = c.high;
    d[o + LOW] = c.low;
    d[o + CLOSE] = c.close;
    d[o + VOLUME] = c.volume;
  }

  /** The newest bar as a fresh object, or undefined when empty. */
  last(): Candle | undefined {
    return this.#len === 0 ? undefined : this.#read(this.#last / FIELDS);
  }

  /** The newest `limit` bars, oldest first. */
  tail(limit: number): Candle[] {
    const n = Math.max(0, Math.min(limit, this.#len));
    const out: Candle[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = this.#read((this.#start + this.#len - n + k) % this.#size);
    return out;
  }

  /** Doubles the storage (up to the capacity), unrolling the ring to start at 0. */
  #grow(): void {
    const size = Math.min(this.#cap, this.#size * 2);
    const next = new Float64Array(size * FIELDS);
    const head = (this.#size - this.#start) * FIELDS; // the ring's part from #start to the end, then the wrapped part
    next.set(this.#data.subarray(this.#start * FIELDS), 0);
    next.set(this.#data.subarray(0, this.#start * FIELDS), head);
    this.#data = next;
    this.#start = 0;
    this.#size = size;
    this.#last = (this.#len - 1) * FIELDS;
  }

  /** Bar `i` (slot index) as a fresh object. */
  #read(i: number): Candle {
    const d = this.#data;
    const o = i * FIELDS;
    return { time: d[o + TIME]!, open: d[o + OPEN]!, high: d[o + HIGH]!, low: d[o + LOW]!, close: d[o + CLOSE]!, volume: d[o + VOLUME]! };
  }
}
