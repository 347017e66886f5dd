/**
 * Bounded bar history for one (symbol, interval): a ring buffer of typed columns that grows
 * by doubling up to its capacity, so that thousands of symbols, most with only a few live bars,
 * stay compact in memory. The newest bar may be held open (`pushOpen`, `openLast`): the caller
 * updates that object in place and the series reads it from there until the next push, so a
 * trade costs no column writes.
 */
import type { Candle } from '../../shared/protocol.js';

/** Columns a series starts with; doubled as bars come, up to the capacity. */
const INITIAL = 4;

export class CandleSeries {
  readonly #cap: number;
  #size: number;
  /** time, open, high, low, close, volume; each of length #size. */
  #cols: Float64Array[];
  #start = 0;
  #len = 0;
  /** The newest bar while held open (its slot's columns are stale until written back). */
  #open: Candle | undefined;

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
    this.#close();
    if (this.#len === this.#size && this.#size < this.#cap) this.#grow();
    const i = (this.#start + this.#len) % this.#size;
    if (this.#len < this.#size) this.#len++;
    else this.#start = (this.#start + 1) % this.#size;
    this.#write(i, c);
  }

  /** Appends `c` held open: the series reads the object itself (updated in place) until the next push. */
  pushOpen(c: Candle): void {
    this.push(c);
    this.#open = c;
  }

  /** Holds the newest bar open and returns it (a fresh object the caller updates in place; undefined when empty). */
  openLast(): Candle | undefined {
    if (this.#len === 0) return undefined;
    if (!this.#open) this.#open = this.#read((this.#start + this.#len - 1) % this.#size);
    return this.#open;
  }

  /** Replaces the newest bar (the one still open) with a copy of `c`. */
  replaceLast(c: Candle): void {
    if (this.#len === 0) return this.push(c);
    if (c === this.#open) return;
    this.#open = undefined;
    this.#write((this.#start + this.#len - 1) % this.#size, c);
  }

  last(): Candle | undefined {
    return this.#len === 0 ? undefined : this.#read((this.#start + this.#len - 1) % this.#size);
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
  }

  #write(i: number, c: Candle): void {
    const cols = this.#cols;
    cols[0]![i] = c.time;
    cols[1]![i] = c.open;
    cols[2]![i] = c.high;
    cols[3]![i] = c.low;
    cols[4]![i] = c.close;
    cols[5]![i] = c.volume;
  }

  /** Writes an open bar back to its slot and lets it go. */
  #close(): void {
    if (!this.#open) return;
    this.#write((this.#start + this.#len - 1) % this.#size, this.#open);
    this.#open = undefined;
  }

  #read(i: number): Candle {
    const o = this.#open;
    if (o && i === (this.#start + this.#len - 1) % this.#size) return { time: o.time, open: o.open, high: o.high, low: o.low, close: o.close, volume: o.volume };
    const cols = this.#cols;
    return { time: cols[0]![i]!, open: cols[1]![i]!, high: cols[2]![i]!, low: cols[3]![i]!, close: cols[4]![i]!, volume: cols[5]![i]! };
  }
}
