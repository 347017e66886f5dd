/**
 * One watchlist row's screen state. Written once per animation frame by the Market (never per
 * tick); the ticker is replaced, not mutated, so Svelte only compares a reference.
 */
import type { Ticker } from '../../../shared/protocol.js';
import { SparkSeries } from '../lib/spark-series.js';

/** Sparklines redraw at most this often (ms): a 5-minute-bucket line barely moves faster. */
const SPARK_EVERY_MS = 500;

export class QuoteRow {
  readonly symbol: string;
  /** Plain data, drawn imperatively on a canvas. */
  readonly spark = new SparkSeries(300, 288);
  #ticker = $state.raw<Ticker | undefined>();
  /** Direction of the last price move: 1 up, -1 down, 0 none yet. */
  #dir = $state<1 | -1 | 0>(0);
  #sparkVersion = $state(0);
  #sparkDirty = false;
  #sparkDrawnAt = -Infinity;

  constructor(symbol: string) {
    this.symbol = symbol;
  }

  get ticker(): Ticker | undefined {
    return this.#ticker;
  }
  get dir(): 1 | -1 | 0 {
    return this.#dir;
  }
  /** Changes when the sparkline should be redrawn. */
  get sparkVersion(): number {
    return this.#sparkVersion;
  }

  /** Applies the latest ticker (a fresh object). Returns true while the sparkline still waits for a redraw. */
  setTicker(t: Ticker, now: number): boolean {
    const prev = this.#ticker?.last;
    if (prev !== undefined && t.last !== prev) this.#dir = t.last > prev ? 1 : -1;
    this.#ticker = t;
    if (this.spark.push(t.ts, t.last)) this.#sparkDirty = true;
    return this.flushSpark(now);
  }

  /** Loads the sparkline's history (5-minute closes). */
  loadSpark(bars: Parameters<SparkSeries['load']>[0]): void {
    this.spark.load(bars);
    this.#sparkDirty = true;
    this.flushSpark(Infinity);
  }

  /** Bumps the redraw version when due; true while a redraw is still pending. */
  flushSpark(now: number): boolean {
    if (!this.#sparkDirty) return false;
    if (now - this.#sparkDrawnAt < SPARK_EVERY_MS) return true;
    this.#sparkDirty = false;
    this.#sparkDrawnAt = now;
    this.#sparkVersion++;
    return false;
  }
}
