/**
 * Bounded bar history for one (symbol, interval): a ring buffer of columns, so that
 * hundreds of symbols with a day of 1m bars and an hour of 1s bars stay compact in memory.
 */
import type { Candle } from '../../shared/protocol.js';

export class CandleSeries {
  readonly #cap: number;
  readonly #cols: Float64Array[]; // time, open, high, low, close, volume
  #start = 0;
  #len = 0;

  constructor(capacity: number) {
    this.#cap = capacity;
    this.#cols = Array.from({ length: 6 }, () => new Float64Array(capacity));
  }

  get length(): number {
    return this.#len;
  }

  /** Appends a bar, dropping the oldest when full. Bars must come in time order. */
  push(c: Candle): void {
    const i = (this.#start + this.#len) % this.#cap;
    if (this.#len < this.#cap) this.#len++;
    else this.#start = (this.#start + 1) % this.#cap;
    this.#write(i, c);
  }

  /** Replaces the newest bar (the one still open). */
  replaceLast(c: Candle): void {
    if (this.#len === 0) return this.push(c);
    this.#write((this.#start + this.#len - 1) % this.#cap, c);
  }

  last(): Candle | undefined {
    return this.#len === 0 ? undefined : this.#read((this.#start + this.#len - 1) % this.#cap);
  }

  /** The newest `limit` bars, oldest first. */
  tail(limit: number): Candle[] {
    const n = Math.max(0, Math.min(limit, this.#len));
    const out: Candle[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = this.#read((this.#start + this.#len - n + k) % this.#cap);
    return out;
  }

  #write(i: number, c: Candle): void {
    const [t, o, h, l, cl, v] = this.#cols;
    t[i] = c.time;
    o[i] = c.open;
    h[i] = c.high;
    l[i] = c.low;
    cl[i] = c.close;
    v[i] = c.volume;
  }

  #read(i: number): Candle {
    const [t, o, h, l, cl, v] = this.#cols;
    return { time: t[i], open: o[i], high: h[i], low: l[i], close: cl[i], volume: v[i] };
  }
}
