/**
 * One watchlist row's screen state. Written by the Market on its screen beat (never per tick);
 * the ticker is replaced, not mutated, so Svelte only compares a reference.
 */
import type { Ticker } from '../../../shared/protocol.js';
import { PhasedSlot } from '../lib/cadence.js';
import { SparkSeries } from '../lib/spark-series.js';

/**
 * Sparklines redraw at most once per period (ms): a 5-minute-bucket line barely moves faster.
 * Each row has its own phase within the period, so a watchlist's sparklines redraw a few per
 * screen beat rather than all in one heavy frame.
 */
const SPARK_EVERY_MS = 1000;

export class QuoteRow {
  readonly symbol: string;
  /** Plain data: the Sparkline redraws from it when `sparkVersion` changes. */
  readonly spark = new SparkSeries(300, 288);
  #ticker = $state.raw<Ticker | undefined>();
  /** Direction of the last price move: 1 up, -1 down, 0 none yet. */
  #dir = $state<1 | -1 | 0>(0);
  #sparkVersion = $state(0);
  #sparkDirty = false;
  readonly #sparkSlot: PhasedSlot;

  constructor(symbol: string) {
    this.symbol = symbol;
    this.#sparkSlot = new PhasedSlot(SPARK_EVERY_MS, symbol);
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
    this.#sparkDirty = false; // drawn now, whatever the cadence: history is news
    this.#sparkVersion++;
  }

  /** Bumps the redraw version when due (once per period, at this row's phase); true while a redraw is still pending. */
  flushSpark(now: number): boolean {
    if (!this.#sparkDirty) return false;
    if (!this.#sparkSlot.take(now)) return true;
    this.#sparkDirty = false;
    this.#sparkVersion++;
    return false;
  }
}
