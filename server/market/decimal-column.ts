/**
 * Exact decimals as integers: a price on a tick grid (or a size in lots) is k / 10^d for an
 * integer k, so it is kept as k in a narrow integer column (int-column.ts) and read back as
 * k / 10^d, the same double bit for bit. The scale d is found from the values (finer when a
 * value needs it, the column rescaled); a value no scale up to 10^9 holds exactly (a third,
 * -0, NaN, beyond 2^51) turns the column into plain doubles, for good. Pure.
 */
import { IntColumn } from './int-column.js';

export const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** Largest magnitude of a scaled value: differences of two stay safe integers. */
export const LIMIT = 2 ** 51;

/** The smallest decimals d >= from at which `x` is an exact integer of 10^-d, keeping `maxAbs` in range; -1 when none. */
export function decimalsFor(x: number, from: number, maxAbs: number): number {
  if (Object.is(x, -0)) return -1; // an integer has no -0
  for (let d = from; d < POW10.length; d++) {
    const k = Math.round(x * POW10[d]!);
    if (k / POW10[d]! === x) return Math.max(Math.abs(k), maxAbs * POW10[d]!) < LIMIT ? d : -1;
  }
  return -1;
}

/** A ring's column of decimals (slots indexed by the caller, as IntColumn). */
export class DecimalColumn {
  #col: IntColumn;
  #d = 0;
  #max = 0;
  #raw = false;

  constructor(size: number) {
    this.#col = new IntColumn(size);
  }

  get bytes(): number {
    return this.#col.bytes;
  }

  get(i: number): number {
    return this.#raw ? this.#col.get(i) : this.#col.get(i) / POW10[this.#d]!;
  }

  set(i: number, x: number): void {
    if (!this.#raw) {
      const a = Math.abs(x);
      if (a > this.#max) this.#max = a;
      const d = decimalsFor(x, this.#d, this.#max);
      if (d < 0) this.#toRaw();
      else if (d > this.#d) this.#col.scale(POW10[d - this.#d]!), (this.#d = d);
    }
    this.#col.set(i, this.#raw ? x : Math.round(x * POW10[this.#d]!));
  }

  resize(size: number, start: number, len: number): void {
    this.#col.resize(size, start, len);
  }

  /** Every slot as the double it holds, in a Float64 column. */
  #toRaw(): void {
    const old = this.#col;
    const next = new IntColumn(old.length, true);
    for (let i = 0; i < old.length; i++) next.set(i, old.get(i) / POW10[this.#d]!);
    this.#col = next;
    this.#raw = true;
  }
}
