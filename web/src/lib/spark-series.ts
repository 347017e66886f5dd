/**
 * An intraday sparkline's points: one close per bucket (5 minutes), from candle history, then
 * kept current with live prices. Bounded to the newest `cap` buckets.
 */
import type { Candle } from '../../../shared/protocol.js';

export class SparkSeries {
  #times: number[] = [];
  #values: number[] = [];

  constructor(
    readonly bucketSec = 300,
    readonly cap = 288,
  ) {}

  get length(): number {
    return this.#values.length;
  }

  /** Closing values, oldest first. */
  values(): readonly number[] {
    return this.#values;
  }

  /** Replaces the points with the closes of `bars` (oldest first), keeping live points newer than them. */
  load(bars: readonly Candle[]): void {
    const times: number[] = [];
    const values: number[] = [];
    for (const b of bars) {
      const t = Math.floor(b.time / this.bucketSec) * this.bucketSec;
      if (times.length && t <= times[times.length - 1]) continue;
      times.push(t);
      values.push(b.close);
    }
    const lastT = times.length ? times[times.length - 1] : -Infinity;
    for (let i = 0; i < this.#times.length; i++) {
      if (this.#times[i] > lastT) {
        times.push(this.#times[i]);
        values.push(this.#values[i]);
      } else if (this.#times[i] === lastT) {
        values[values.length - 1] = this.#values[i];
      }
    }
    this.#times = times.slice(-this.cap);
    this.#values = values.slice(-this.cap);
  }

  /** A live price at `tsMs`. Returns whether a point changed (older than the last bucket: ignored). */
  push(tsMs: number, price: number): boolean {
    if (!Number.isFinite(price) || !Number.isFinite(tsMs)) return false;
    const t = Math.floor(tsMs / 1000 / this.bucketSec) * this.bucketSec;
    const n = this.#times.length;
    if (n && t < this.#times[n - 1]) return false;
    if (n && t === this.#times[n - 1]) {
      if (this.#values[n - 1] === price) return false;
      this.#values[n - 1] = price;
      return true;
    }
    this.#times.push(t);
    this.#values.push(price);
    if (this.#times.length > this.cap) {
      this.#times.shift();
      this.#values.shift();
    }
    return true;
  }
}
