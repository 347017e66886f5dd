/**
 * Several integer columns of one ring in one buffer, each as narrow as its values (Int8, widened
 * to Int16, Int32, then Float64, exact for every safe integer; a float column holds any double).
 * Like int-column.ts, but one ArrayBuffer and one DataView for all: a typed array and its buffer
 * are about 200 bytes of objects, more than a short column's data (a candle series has six
 * columns; 10,000 symbols have 40,000 series). Slots are the caller's (a ring). Pure.
 */
const WIDTH = [1, 2, 4, 8];

/** The narrowest width code (0: Int8 .. 3: Float64) holding every integer from `lo` to `hi` (`set` widens by it). */
export const widthFor = (lo: number, hi: number): number =>
  lo >= -128 && hi <= 127 ? 0 : lo >= -32768 && hi <= 32767 ? 1 : lo >= -2147483648 && hi <= 2147483647 ? 2 : 3;

/** IntColumns as plain data (structured-clonable; `buffer` transferable): see `state` and `from`. */
export interface IntColumnsState {
  size: number;
  widths: number[];
  offsets: number[];
  buffer: ArrayBuffer;
}

export class IntColumns {
  #size: number;
  /** Per column: width code (index in WIDTH) and byte offset of slot 0. */
  readonly #w: number[];
  readonly #off: number[];
  #dv: DataView;

  /** `n` columns of `size` slots; `float`: Float64 columns from the start (any double). */
  constructor(n: number, size: number, float = false) {
    this.#size = size;
    this.#w = new Array<number>(n).fill(float ? 3 : 0);
    this.#off = new Array<number>(n).fill(0);
    this.#dv = this.#layout(size);
  }

  /** Columns of `size` slots laid out at these width codes from the start (values known ahead: nothing widens). */
  static withWidths(widths: readonly number[], size: number): IntColumns {
    const c = new IntColumns(0, 0);
    c.#size = size;
    c.#w.push(...widths);
    c.#off.push(...widths.map(() => 0));
    c.#dv = c.#layout(size);
    return c;
  }

  /** The columns as plain data, sharing this buffer: hand it on (e.g. to another thread) and drop this. */
  state(): IntColumnsState {
    return { size: this.#size, widths: this.#w.slice(), offsets: this.#off.slice(), buffer: this.#dv.buffer as ArrayBuffer };
  }

  /** Columns over a `state` (its buffer adopted, not copied). */
  static from(st: IntColumnsState): IntColumns {
    const c = new IntColumns(0, 0);
    c.#size = st.size;
    c.#w.push(...st.widths);
    c.#off.push(...st.offsets);
    c.#dv = new DataView(st.buffer);
    return c;
  }

  /** Each column's width code (0: Int8 .. 3: Float64). */
  get widths(): readonly number[] {
    return this.#w;
  }

  /** Bytes held (for tests and memory accounting). */
  get bytes(): number {
    return this.#dv.byteLength;
  }

  get(c: number, i: number): number {
    const dv = this.#dv;
    const o = this.#off[c]!;
    switch (this.#w[c]) {
      case 0:
        return dv.getInt8(o + i);
      case 1:
        return dv.getInt16(o + 2 * i, true);
      case 2:
        return dv.getInt32(o + 4 * i, true);
      default:
        return dv.getFloat64(o + 8 * i, true);
    }
  }

  /** Writes `v` (a safe integer; any double in a Float64 column) at slot `i`, widening the column when it does not fit. */
  set(c: number, i: number, v: number): void {
    const w = this.#w[c]!;
    const need = Number.isInteger(v) ? widthFor(v, v) : 3;
    if (need > w) return this.#widen(c, need, i, v);
    const o = this.#off[c]!;
    if (w === 0) this.#dv.setInt8(o + i, v);
    else if (w === 1) this.#dv.setInt16(o + 2 * i, v, true);
    else if (w === 2) this.#dv.setInt32(o + 4 * i, v, true);
    else this.#dv.setFloat64(o + 8 * i, v, true);
  }

  /**
   * Writes slots 0..count-1 of column `c` from `src[from + k * stride]`, each of which must fit
   * the column's width as it stands (as `withWidths` laid it out from their range): nothing widens.
   */
  setAll(c: number, src: Float64Array, from: number, stride: number, count: number): void {
    const dv = this.#dv;
    const o = this.#off[c]!;
    const w = this.#w[c]!;
    if (w === 0) for (let k = 0, j = from; k < count; k++, j += stride) dv.setInt8(o + k, src[j]!);
    else if (w === 1) for (let k = 0, j = from; k < count; k++, j += stride) dv.setInt16(o + 2 * k, src[j]!, true);
    else if (w === 2) for (let k = 0, j = from; k < count; k++, j += stride) dv.setInt32(o + 4 * k, src[j]!, true);
    else for (let k = 0, j = from; k < count; k++, j += stride) dv.setFloat64(o + 8 * k, src[j]!, true);
  }

  /** Multiplies every slot of column `c` by `f` (an integer), widening as needed (a finer scale). */
  scale(c: number, f: number): void {
    for (let i = 0; i < this.#size; i++) this.set(c, i, this.get(c, i) * f);
  }

  /** `size` slots holding the ring's `len` values from slot `start` at 0.. */
  resize(size: number, start: number, len: number): void {
    this.#copy(size, start, len, this.#w.slice());
  }

  #widen(c: number, w: number, i: number, v: number): void {
    const ws = this.#w.slice();
    ws[c] = w;
    this.#copy(this.#size, 0, this.#size, ws);
    this.set(c, i, v);
  }

  /** Re-lays every column out at `size` slots and widths `ws`, slot (start + k) % size moving to k. */
  #copy(size: number, start: number, len: number, ws: number[]): void {
    const old = new IntColumns(0, 0);
    old.#size = this.#size;
    old.#w.push(...this.#w);
    old.#off.push(...this.#off);
    old.#dv = this.#dv;
    for (let c = 0; c < ws.length; c++) this.#w[c] = ws[c]!;
    this.#size = size;
    this.#dv = this.#layout(size);
    for (let c = 0; c < ws.length; c++) for (let k = 0; k < len; k++) this.set(c, k, old.get(c, (start + k) % old.#size));
  }

  /** A zeroed buffer for the current widths at `size` slots, the offsets set. */
  #layout(size: number): DataView {
    let o = 0;
    for (let c = 0; c < this.#w.length; c++) {
      this.#off[c] = o;
      o += WIDTH[this.#w[c]!]! * size;
    }
    return new DataView(new ArrayBuffer(o));
  }
}
