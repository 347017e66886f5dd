/**
 * Bounded bar history for one (symbol, interval), compact: a ring of bars in six integer columns
 * in one buffer (int-columns.ts, each as narrow as its values allow) that grows by doubling up to its capacity.
 *
 * Prices are integers of a decimal scale (10^pd: the tick grid's decimals, found from the
 * values), each bar's open, high, low and close kept as the difference from the previous bar's
 * close (a few ticks: one byte a price for most symbols); times as the difference from the
 * previous bar's time (one or two bytes); volumes as integers of their own scale. The newest
 * bar's reference close and time are kept whole, so bars are read newest first by running the
 * differences back: `last()` and `lastAt` are O(1), `tail(n)` O(n). A value the scale cannot
 * hold exactly (more than 9 decimals, beyond 2^51, -0, NaN) turns the series, once, into plain doubles:
 * every value read is always the double written, bit for bit.
 *
 * The open bar is the newest, updated in place (`setLast`): a trade writes a few numbers and
 * allocates nothing, so 10,000 symbols' bars leave the young generation alone.
 */
import type { Candle } from '../../shared/protocol.js';
import { IntColumns, type IntColumnsState } from './int-columns.js';
import { decimalsFor, LIMIT, POW10 } from './decimal-column.js';

/** Columns a series starts with; doubled as bars come, up to the capacity. */
const INITIAL = 4;

/** A bar's fields, for `lastAt` and `setLast`. */
export const TIME = 0;
export const OPEN = 1;
export const HIGH = 2;
export const LOW = 3;
export const CLOSE = 4;
export const VOLUME = 5;

/** A CandleSeries as plain data (structured-clonable; `cols.buffer` transferable): see `state` and `from`. */
export interface CandleSeriesState {
  cap: number;
  size: number;
  start: number;
  len: number;
  raw: boolean;
  pd: number;
  vd: number;
  maxP: number;
  maxV: number;
  time: number;
  ref: number;
  cols: IntColumnsState;
}


export class CandleSeries {
  readonly #cap: number;
  #size: number;
  #start = 0;
  #len = 0;
  /** Per slot: time, open, high, low, close, volume (see the file comment; absolute when #raw). */
  #cols: IntColumns;
  /** Plain doubles (absolute values) from the first value the scales could not hold. */
  #raw = false;
  /** Price and volume decimals. */
  #pd = 0;
  #vd = 0;
  /** Largest |price| and |volume| seen: a finer scale must keep every held value in range. */
  #maxP = 0;
  #maxV = 0;
  /** The newest bar's time and its reference (the previous bar's close, in price units of 10^-pd). */
  #time = 0;
  #ref = 0;

  constructor(capacity: number) {
    this.#cap = capacity;
    this.#size = Math.min(capacity, INITIAL);
    this.#cols = new IntColumns(6, this.#size);
  }

  get length(): number {
    return this.#len;
  }

  /**
   * The series as plain data sharing its storage, to build a series in one thread and hand it
   * to another (a worker's back-fill: see history-job.ts); drop this one after.
   */
  state(): CandleSeriesState {
    return { cap: this.#cap, size: this.#size, start: this.#start, len: this.#len, raw: this.#raw, pd: this.#pd, vd: this.#vd, maxP: this.#maxP, maxV: this.#maxV, time: this.#time, ref: this.#ref, cols: this.#cols.state() };
  }

  /** The series a `state` describes, its storage adopted (not copied): the same bars, read and written alike. */
  static from(st: CandleSeriesState): CandleSeries {
    const s = new CandleSeries(st.cap);
    s.#size = st.size;
    s.#start = st.start;
    s.#len = st.len;
    s.#raw = st.raw;
    s.#pd = st.pd;
    s.#vd = st.vd;
    s.#maxP = st.maxP;
    s.#maxV = st.maxV;
    s.#time = st.time;
    s.#ref = st.ref;
    s.#cols = IntColumns.from(st.cols);
    return s;
  }

  /** Bytes of storage held (for tests and memory accounting). */
  get bytes(): number {
    return this.#cols.bytes;
  }

  /** Appends a bar (copied), dropping the oldest when full. Bars must come in time order. */
  push(c: Candle): void {
    this.pushBar(c.time, c.open, c.high, c.low, c.close, c.volume);
  }

  /** Appends a bar from its fields, dropping the oldest when full. */
  pushBar(time: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (!this.#raw && !(this.#fitTime(time) && this.#fitPrice(open) && this.#fitPrice(high) && this.#fitPrice(low) && this.#fitPrice(close) && this.#fitVolume(volume))) this.#toRaw();
    if (this.#len === this.#size && this.#size < this.#cap) this.#grow();
    const prev = this.#len > 0 ? this.#slot(this.#len - 1) : -1;
    const i = (this.#start + this.#len) % this.#size;
    if (this.#len < this.#size) this.#len++;
    else this.#start = (this.#start + 1) % this.#size;
    const cols = this.#cols;
    if (this.#raw) {
      cols.set(TIME, i, time), cols.set(OPEN, i, open), cols.set(HIGH, i, high), cols.set(LOW, i, low), cols.set(CLOSE, i, close), cols.set(VOLUME, i, volume);
      return;
    }
    if (prev >= 0) this.#ref += cols.get(CLOSE, prev);
    else this.#ref = this.#ticks(open);
    cols.set(TIME, i, prev >= 0 ? time - this.#time : 0);
    this.#time = time;
    const ref = this.#ref;
    cols.set(OPEN, i, this.#ticks(open) - ref);
    cols.set(HIGH, i, this.#ticks(high) - ref);
    cols.set(LOW, i, this.#ticks(low) - ref);
    cols.set(CLOSE, i, this.#ticks(close) - ref);
    cols.set(VOLUME, i, Math.round(volume * POW10[this.#vd]!));
  }

  /** A field of the newest bar (NaN when empty). */
  lastAt(col: number): number {
    if (this.#len === 0) return NaN;
    const x = this.#cols.get(col, this.#slot(this.#len - 1));
    if (this.#raw) return x;
    if (col === TIME) return this.#time;
    if (col === VOLUME) return x / POW10[this.#vd]!;
    return (this.#ref + x) / POW10[this.#pd]!;
  }

  /** Sets a field of the newest bar (the open one); no-op when empty. */
  setLast(col: number, v: number): void {
    if (this.#len === 0) return;
    if (!this.#raw && !(col === TIME ? this.#fitTime(v) : col === VOLUME ? this.#fitVolume(v) : this.#fitPrice(v))) this.#toRaw();
    const i = this.#slot(this.#len - 1);
    const cols = this.#cols;
    if (this.#raw) cols.set(col, i, v);
    else if (col === TIME) {
      cols.set(TIME, i, cols.get(TIME, i) + v - this.#time);
      this.#time = v;
    } else if (col === VOLUME) cols.set(VOLUME, i, Math.round(v * POW10[this.#vd]!));
    else cols.set(col, i, this.#ticks(v) - this.#ref);
  }

  /** Replaces the newest bar (the one still open) with a copy of `c`; appends when empty. */
  replaceLast(c: Candle): void {
    if (this.#len === 0) return this.push(c);
    this.setLast(TIME, c.time);
    this.setLast(OPEN, c.open);
    this.setLast(HIGH, c.high);
    this.setLast(LOW, c.low);
    this.setLast(CLOSE, c.close);
    this.setLast(VOLUME, c.volume);
  }

  /** The newest bar as a fresh object, or undefined when empty. */
  last(): Candle | undefined {
    return this.#len === 0 ? undefined : this.tail(1)[0];
  }

  /** The newest `limit` bars, oldest first. */
  tail(limit: number): Candle[] {
    const n = Math.max(0, Math.min(limit, this.#len));
    const out: Candle[] = new Array(n);
    const cols = this.#cols;
    if (this.#raw) {
      for (let k = 0; k < n; k++) {
        const i = this.#slot(this.#len - n + k);
        out[k] = { time: cols.get(TIME, i), open: cols.get(OPEN, i), high: cols.get(HIGH, i), low: cols.get(LOW, i), close: cols.get(CLOSE, i), volume: cols.get(VOLUME, i) };
      }
      return out;
    }
    const ps = POW10[this.#pd]!;
    const vs = POW10[this.#vd]!;
    let ref = this.#ref;
    let time = this.#time;
    // Newest first: each bar's reference is the previous one's close, so the previous reference is ref - close.
    for (let k = n - 1; k >= 0; k--) {
      const i = this.#slot(this.#len - n + k);
      out[k] = { time, open: (ref + cols.get(OPEN, i)) / ps, high: (ref + cols.get(HIGH, i)) / ps, low: (ref + cols.get(LOW, i)) / ps, close: (ref + cols.get(CLOSE, i)) / ps, volume: cols.get(VOLUME, i) / vs };
      time -= cols.get(TIME, i);
      if (k > 0) ref -= cols.get(CLOSE, this.#slot(this.#len - n + k - 1));
    }
    return out;
  }

  /** The slot of the k-th held bar (0: oldest). */
  #slot(k: number): number {
    return (this.#start + k) % this.#size;
  }

  #ticks(p: number): number {
    return Math.round(p * POW10[this.#pd]!);
  }

  #fitTime(t: number): boolean {
    return Number.isSafeInteger(t) && Math.abs(t) < LIMIT;
  }

  /** Makes the price scale hold `p` exactly (a finer scale rescales what is held); false when none can. */
  #fitPrice(p: number): boolean {
    const a = Math.abs(p);
    if (a > this.#maxP) this.#maxP = a;
    const d = decimalsFor(p, this.#pd, this.#maxP);
    if (d < 0) return false;
    if (d > this.#pd) {
      const f = POW10[d - this.#pd]!;
      for (let c = OPEN; c <= CLOSE; c++) this.#cols.scale(c, f);
      this.#ref *= f;
      this.#pd = d;
    }
    return true;
  }

  #fitVolume(v: number): boolean {
    const a = Math.abs(v);
    if (a > this.#maxV) this.#maxV = a;
    const d = decimalsFor(v, this.#vd, this.#maxV);
    if (d < 0) return false;
    if (d > this.#vd) {
      this.#cols.scale(VOLUME, POW10[d - this.#vd]!);
      this.#vd = d;
    }
    return true;
  }

  /** From here on plain doubles, absolute: the bars held are rewritten as read. */
  #toRaw(): void {
    const bars = this.tail(this.#len);
    this.#raw = true;
    this.#start = 0;
    const cols = (this.#cols = new IntColumns(6, this.#size, true));
    bars.forEach((b, i) => (cols.set(TIME, i, b.time), cols.set(OPEN, i, b.open), cols.set(HIGH, i, b.high), cols.set(LOW, i, b.low), cols.set(CLOSE, i, b.close), cols.set(VOLUME, i, b.volume)));
  }

  /** Doubles the storage (up to the capacity), unrolling the ring to start at 0. */
  #grow(): void {
    const size = Math.min(this.#cap, this.#size * 2);
    this.#cols.resize(size, this.#start, this.#len);
    this.#start = 0;
    this.#size = size;
  }
}
