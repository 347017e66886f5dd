/**
 * The times of a stream's held events, oldest first: a ring that grows by doubling and shrinks
 * when mostly empty, so a stream costs memory for what its window holds, not for its peak.
 * Whole-millisecond times within 2^32 ms of a base (every clock the feed uses: Date.now) are
 * kept as 4-byte offsets; the first other time turns the ring into 8-byte doubles. Exact either
 * way. Pure.
 */
const MIN = 4;
const SPAN = 2 ** 32;

export class TimeRing {
  #a: Uint32Array | Float64Array = new Uint32Array(MIN);
  /** Offsets are from this base (Uint32 mode). */
  #base = NaN;
  #head = 0;
  #len = 0;

  get length(): number {
    return this.#len;
  }

  /** The i-th held time (0: oldest). */
  at(i: number): number {
    const a = this.#a;
    const v = a[(this.#head + i) & (a.length - 1)]!;
    return a instanceof Uint32Array ? this.#base + v : v;
  }

  push(t: number): void {
    let a = this.#a;
    if (this.#len === a.length) a = this.#resize(a.length * 2);
    if (a instanceof Uint32Array) {
      if (this.#len === 0) this.#base = t;
      const off = t - this.#base;
      if (!(Number.isInteger(t) && Number.isInteger(this.#base) && off >= 0 && off < SPAN)) a = this.#toFloat();
    }
    const i = (this.#head + this.#len) & (a.length - 1);
    a[i] = a instanceof Uint32Array ? t - this.#base : t;
    this.#len++;
  }

  /** Drops the oldest n (n <= length). */
  shift(n: number): void {
    this.#head = (this.#head + n) & (this.#a.length - 1);
    this.#len -= n;
    if (this.#a.length > MIN && this.#len * 4 <= this.#a.length) this.#resize(this.#a.length / 2);
  }

  /** Times `ts` (oldest first) before the held ones. */
  unshift(ts: readonly number[]): void {
    const all = [...ts];
    for (let i = 0; i < this.#len; i++) all.push(this.at(i));
    this.clear();
    for (const t of all) this.push(t);
  }

  clear(): void {
    this.#a = new Uint32Array(MIN);
    this.#base = NaN;
    this.#head = 0;
    this.#len = 0;
  }

  /** A copy of `size` (a power of two >= length), unrolled to start at 0. */
  #resize(size: number): Uint32Array | Float64Array {
    const old = this.#a;
    const next = old instanceof Uint32Array ? new Uint32Array(size) : new Float64Array(size);
    for (let k = 0; k < this.#len; k++) next[k] = old[(this.#head + k) & (old.length - 1)]!;
    this.#a = next;
    this.#head = 0;
    return next;
  }

  #toFloat(): Float64Array {
    const old = this.#a;
    const next = new Float64Array(old.length);
    for (let k = 0; k < this.#len; k++) next[k] = this.at(k);
    this.#a = next;
    this.#head = 0;
    return next;
  }
}
