/**
 * Bounded bar history for one (symbol, interval), compact: a ring of bars in six integer columns
 * (int-columns.ts, each as narrow as its values allow) that grows up to its capacity: by doubling
 * up to one chunk, then a chunk at a time. A chunk is its own buffer, never copied or freed as
 * the series grows: every symbol's live series fill together for an hour, and doubling them all
 * would copy and free ever larger buffers at once (the allocator keeps the holes).
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

/** Slots a series starts with; doubled as bars come, up to a chunk. */
const INITIAL = 4;
/** Slots a chunk holds (the first chunk of an adopted series: as many as it came with, if more). */
export const CHUNK = 256;

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
  /** Slots held, over all chunks. */
  #size: number;
  #start = 0;
  #len = 0;
  /**
   * Per slot: time, open, high, low, close, volume (see the file comment; absolute when #raw).
   * Slot i is slot i % #chunk of chunk i / #chunk: every chunk but the last holds #chunk slots.
   */
  #cols: IntColumns[];
  #chunk: number;
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

  /** `chunk`: slots a chunk holds (tests set it small). */
  constructor(capacity: number, chunk = CHUNK) {
    this.#cap = capacity;
    this.#chunk = Math.max(1, chunk);
    this.#size = Math.min(capacity, INITIAL, this.#chunk);
    this.#cols = [new IntColumns(6, this.#size)];
  }

  get length(): number {
    return this.#len;
  }

  /**
   * The series as plain data sharing its storage, to build a series in one thread and hand it
   * to another (a worker's back-fill: see history-job.ts); drop this one after.
   */
  state(): CandleSeriesState {
    if (this.#cols.length > 1) this.#join();
    return { cap: this.#cap, size: this.#size, start: this.#start, len: this.#len, raw: this.#raw, pd: this.#pd, vd: this.#vd, maxP: this.#maxP, maxV: this.#maxV, time: this.#time, ref: this.#ref, cols: this.#cols[0]!.state() };
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
    s.#cols = [IntColumns.from(st.cols)];
    s.#chunk = Math.max(s.#chunk, st.size);
    return s;
  }

  /** Bytes of storage held (for tests and memory accounting). */
  get bytes(): number {
    let n = 0;
    for (const c of this.#cols) n += c.bytes;
    return n;
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
    if (this.#raw) {
      this.#set(TIME, i, time), this.#set(OPEN, i, open), this.#set(HIGH, i, high), this.#set(LOW, i, low), this.#set(CLOSE, i, close), this.#set(VOLUME, i, volume);
      return;
    }
    if (prev >= 0) this.#ref += this.#get(CLOSE, prev);
    else this.#ref = this.#ticks(open);
    this.#set(TIME, i, prev >= 0 ? time - this.#time : 0);
    this.#time = time;
    const ref = this.#ref;
    this.#set(OPEN, i, this.#ticks(open) - ref);
    this.#set(HIGH, i, this.#ticks(high) - ref);
    this.#set(LOW, i, this.#ticks(low) - ref);
    this.#set(CLOSE, i, this.#ticks(close) - ref);
    this.#set(VOLUME, i, Math.round(volume * POW10[this.#vd]!));
  }

  /** A field of the newest bar (NaN when empty). */
  lastAt(col: number): number {
    if (this.#len === 0) return NaN;
    const x = this.#get(col, this.#slot(this.#len - 1));
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
    if (this.#raw) this.#set(col, i, v);
    else if (col === TIME) {
      this.#set(TIME, i, this.#get(TIME, i) + v - this.#time);
      this.#time = v;
    } else if (col === VOLUME) this.#set(VOLUME, i, Math.round(v * POW10[this.#vd]!));
    else this.#set(col, i, this.#ticks(v) - this.#ref);
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
    if (this.#raw) {
      for (let k = 0; k < n; k++) {
        const i = this.#slot(this.#len - n + k);
        out[k] = { time: this.#get(TIME, i), open: this.#get(OPEN, i), high: this.#get(HIGH, i), low: this.#get(LOW, i), close: this.#get(CLOSE, i), volume: this.#get(VOLUME, i) };
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
      out[k] = { time, open: (ref + this.#get(OPEN, i)) / ps, high: (ref + this.#get(HIGH, i)) / ps, low: (ref + this.#get(LOW, i)) / ps, close: (ref + this.#get(CLOSE, i)) / ps, volume: this.#get(VOLUME, i) / vs };
      time -= this.#get(TIME, i);
      if (k > 0) ref -= this.#get(CLOSE, this.#slot(this.#len - n + k - 1));
    }
    return out;
  }

  #get(c: number, i: number): number {
    const ch = this.#chunk;
    return this.#cols.length === 1 ? this.#cols[0]!.get(c, i) : this.#cols[(i / ch) | 0]!.get(c, i % ch);
  }

  #set(c: number, i: number, v: number): void {
    const ch = this.#chunk;
    if (this.#cols.length === 1) this.#cols[0]!.set(c, i, v);
    else this.#cols[(i / ch) | 0]!.set(c, i % ch, v);
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
      for (const cols of this.#cols) for (let c = OPEN; c <= CLOSE; c++) cols.scale(c, f);
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
      for (const cols of this.#cols) cols.scale(VOLUME, POW10[d - this.#vd]!);
      this.#vd = d;
    }
    return true;
  }

  /** From here on plain doubles, absolute: the bars held are rewritten as read. */
  #toRaw(): void {
    const bars = this.tail(this.#len);
    this.#raw = true;
    this.#start = 0;
    const cols = new IntColumns(6, this.#size, true);
    this.#cols = [cols];
    this.#chunk = Math.max(this.#chunk, this.#size);
    bars.forEach((b, i) => (cols.set(TIME, i, b.time), cols.set(OPEN, i, b.open), cols.set(HIGH, i, b.high), cols.set(LOW, i, b.low), cols.set(CLOSE, i, b.close), cols.set(VOLUME, i, b.volume)));
  }

  /**
   * Up to the capacity: the one chunk doubled (copied, unrolling the ring to start at 0) while it
   * is under a chunk, else a chunk added after the last (the ring is full from slot 0 when it grows).
   */
  #grow(): void {
    if (this.#cols.length === 1 && this.#size < this.#chunk) {
      const size = Math.min(this.#cap, this.#size * 2, this.#chunk);
      this.#cols[0]!.resize(size, this.#start, this.#len);
      this.#size = size;
    } else {
      const n = Math.min(this.#chunk, this.#cap - this.#size);
      // Narrow, as a new series: a chunk widens for its own values only (a copy of one chunk).
      this.#cols.push(new IntColumns(6, n, this.#raw));
      this.#size += n;
    }
    this.#start = 0;
  }

  /** The chunks as one (see state). */
  #join(): void {
    const ws = this.#cols[0]!.widths.slice();
    for (const c of this.#cols) c.widths.forEach((w, k) => (ws[k] = Math.max(ws[k]!, w)));
    const one = IntColumns.withWidths(ws, this.#size);
    for (let c = 0; c < 6; c++) for (let i = 0; i < this.#size; i++) one.set(c, i, this.#get(c, i));
    this.#cols = [one];
    this.#chunk = Math.max(this.#chunk, this.#size);
  }
}
