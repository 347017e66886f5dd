/**
 * A column of integers in the narrowest typed array that holds every value written so far:
 * Int8, widened to Int16, Int32 and last Float64 (exact for every safe integer) the first time
 * a value does not fit. Widening is for good (a column never narrows again): a series' values
 * stay about as wide as they were. Indexing is the caller's (a ring's slots). Pure.
 */
type Store = Int8Array | Int16Array | Int32Array | Float64Array;

export class IntColumn {
  #a: Store;

  /** `float`: a Float64 column from the start (any double, for a series kept as plain numbers). */
  constructor(size: number, float = false) {
    this.#a = float ? new Float64Array(size) : new Int8Array(size);
  }

  /** Bytes held (for tests and memory accounting). */
  get bytes(): number {
    return this.#a.byteLength;
  }

  /** Slots. */
  get length(): number {
    return this.#a.length;
  }

  get(i: number): number {
    return this.#a[i]!;
  }

  /** Writes `v` (a safe integer; any double in a Float64 column) at `i`, widening the column when it does not fit. */
  set(i: number, v: number): void {
    const a = this.#a;
    a[i] = v;
    // A typed array wraps what does not fit: reading back tells.
    if (a[i] !== v && !(a instanceof Float64Array)) this.#widen(v)[i] = v;
  }

  /** A copy of `size` slots holding the ring's `len` values from slot `start` at 0.. (see CandleSeries). */
  resize(size: number, start: number, len: number): void {
    const old = this.#a;
    const next = new (old.constructor as new (n: number) => Store)(size);
    const n = old.length;
    for (let k = 0; k < len; k++) next[k] = old[(start + k) % n]!;
    this.#a = next;
  }

  /** Multiplies every value by `f` (an integer), widening as needed (a finer scale). */
  scale(f: number): void {
    for (let i = 0; i < this.#a.length; i++) this.set(i, this.#a[i]! * f);
  }

  #widen(v: number): Store {
    const old = this.#a;
    let next: Store;
    const int = Number.isInteger(v);
    const fits16 = int && v >= -32768 && v <= 32767;
    const fits32 = int && v >= -2147483648 && v <= 2147483647;
    if (old instanceof Int8Array && fits16) next = new Int16Array(old.length);
    else if (!(old instanceof Int32Array) && !(old instanceof Float64Array) && fits32) next = new Int32Array(old.length);
    else next = new Float64Array(old.length);
    next.set(old);
    return (this.#a = next);
  }
}
