/**
 * The bars one chart shows: history, then live bars, bounded for long sessions. A live bar
 * older than the last is ignored (lightweight-charts' `update()` throws on it), one with the
 * same time replaces the last, a newer one is appended.
 */
import type { Candle } from '../../../shared/protocol.js';

/** What `apply` did, so the caller makes the matching chart call. */
export type BarChange = 'update' | 'append' | 'ignore' | 'reset';

const valid = (b: Candle | undefined): b is Candle =>
  !!b && b.time > 0 && Number.isFinite(b.time) && Number.isFinite(b.open) && Number.isFinite(b.high) &&
  Number.isFinite(b.low) && Number.isFinite(b.close) && Number.isFinite(b.volume);

export class BarBuffer {
  #bars: Candle[] = [];

  /**
   * @param cap bars kept after a trim; the buffer grows to `cap + slack` before trimming, so a
   * long session trims (and redraws everything) once per `slack` bars, not on every bar.
   */
  constructor(
    readonly cap = 1500,
    readonly slack = Math.max(1, Math.floor(cap / 4)),
  ) {}

  get bars(): readonly Candle[] {
    return this.#bars;
  }

  get last(): Candle | undefined {
    return this.#bars.at(-1);
  }

  /** Replaces everything with `bars` (any order): sorted by time, one bar per time, newest `cap`. */
  load(bars: readonly Candle[]): readonly Candle[] {
    const byTime = new Map<number, Candle>();
    for (const b of bars) if (valid(b)) byTime.set(b.time, { ...b });
    this.#bars = [...byTime.values()].sort((a, b) => a.time - b.time).slice(-this.cap);
    return this.#bars;
  }

  /** Applies one live bar. On `reset` the buffer was trimmed: redraw from `bars`. */
  apply(bar: Candle): BarChange {
    if (!valid(bar)) return 'ignore';
    const last = this.last;
    if (last && bar.time < last.time) return 'ignore';
    if (last && bar.time === last.time) {
      this.#bars[this.#bars.length - 1] = { ...bar };
      return 'update';
    }
    this.#bars.push({ ...bar });
    if (this.#bars.length > this.cap + this.slack) {
      this.#bars = this.#bars.slice(-this.cap);
      return 'reset';
    }
    return 'append';
  }
}
