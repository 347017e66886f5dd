/**
 * One symbol's state in the market state (market-state.ts): the ticker as a typed array, the
 * recent trades, one candle series per interval, the book; and the reading of a lazy history
 * into it at the symbol's first use.
 */
import { INTERVAL_NAMES, type Interval, type Ticker } from '../../shared/protocol.js';
import type { SymbolHistory } from './market-event.js';
import type { BookState } from './book-state.js';
import { CandleSeries, CLOSE, HIGH, LOW, TIME, VOLUME } from './candle-series.js';
import type { TradeRing } from './trade-ring.js';

/** Bars kept per interval: an hour of 1s, two days of 1m, a week of 5m, a month of 1h. */
export const HISTORY_CAP: Record<Interval, number> = { '1s': 3600, '1m': 2880, '5m': 2016, '1h': 720 };
/** Recent trades kept per symbol: what a `trades` snapshot carries. */
export const SNAPSHOT_TRADES = 50;

export interface CandleStream {
  /** Its newest bar is the open one, updated in place. */
  series: CandleSeries;
  seq: number;
}

/**
 * The ticker's fields as numbers in one typed array (indices below): updated in place per event,
 * no boxed number allocated (fields of long-lived objects would be, and live to be promoted).
 */
export const LAST = 0, BID = 1, ASK = 2, BID_SIZE = 3, ASK_SIZE = 4, OPEN = 5, HIGH_ = 6, LOW_ = 7, VOL = 8, TS = 9;

export interface SymbolState {
  ticker: Float64Array;
  tickerSeq: number;
  trades: TradeRing;
  tradesSeq: number;
  candles: Record<Interval, CandleStream>;
  /** Absent when the source has no book for the symbol (its `book` stream stays empty). */
  book: BookState | undefined;
  bookSeq: number;
  /** A quiet symbol's book changes left unapplied (see MarketStateOptions.quiet), and the time of the last. */
  bookStale: boolean;
  bookTs: number;
  /**
   * A lazy history not read yet (see addSymbol): meanwhile the ticker's open/high/low/volume
   * and the candle series hold the live part only.
   */
  pending: SymbolHistory | undefined;
  /** A history whose head is read and whose older bars are not (see loadOlder). */
  older: SymbolHistory | undefined;
  /** Whether its events are built (see MarketStateOptions.quiet); set by its first snapshot. */
  watched: boolean;
  /** Whether its book is kept up and its `book` events built: set by the first snapshot of its `book` stream (quiet states). */
  bookWatched: boolean;
}

/** Sums of fractional sizes (crypto) without float noise such as 0.30000000000000004. */
export const addSize = (a: number, b: number): number => Math.round((a + b) * 1e8) / 1e8;

/** Sets ticker field `i` and, when it changed and there is a `d` (a loud symbol), records it there as `k`. */
export function set(t: Float64Array, i: number, v: number, d: Record<string, number> | undefined, k: keyof Ticker): void {
  if (t[i] !== v) {
    t[i] = v;
    if (d) d[k] = v;
  }
}

/** The ticker object of a ticker array. */
export function tickerOf(t: Float64Array): Ticker & Record<string, number> {
  return { last: t[LAST]!, bid: t[BID]!, ask: t[ASK]!, bidSize: t[BID_SIZE]!, askSize: t[ASK_SIZE]!, open: t[OPEN]!, high: t[HIGH_]!, low: t[LOW_]!, volume: t[VOL]!, ts: t[TS]! };
}

/**
 * Reads a pending history's head into `st`: the session under the live extremes and volume, and
 * each interval's open history bar under the live bars (it and the first live bar of the same
 * period become one bar). The bars before it wait in `older` (loadOlder); a history without
 * `openBars` is read whole at once.
 */
export function load(st: SymbolState): void {
  const h = st.pending!;
  st.pending = undefined;
  const t = st.ticker;
  const s = h.session;
  t[OPEN] = s.open;
  t[HIGH_] = Math.max(s.high, t[HIGH_]!);
  t[LOW_] = Math.min(s.low, t[LOW_]!);
  t[VOL] = addSize(s.volume, t[VOL]!);
  const open = h.openBars?.();
  for (const iv of INTERVAL_NAMES) {
    const cs = st.candles[iv];
    const bar = open ? open[iv] : h.bars[iv].at(-1);
    const live = cs.series.tail(cs.series.length);
    const first = live[0];
    if (bar && first?.time === bar.time) {
      live[0] = { time: bar.time, open: bar.open, high: Math.max(bar.high, first.high), low: Math.min(bar.low, first.low), close: first.close, volume: addSize(bar.volume, first.volume) };
    } else if (bar && !(first && first.time < bar.time)) live.unshift(bar);
    const series = new CandleSeries(HISTORY_CAP[iv]);
    for (const c of live) series.push(c);
    cs.series = series;
  }
  st.older = h;
  if (!open) loadOlder(st);
}

/**
 * Reads the bars before the head (`older`, left by load) under the series: the history's bars
 * (adopted as built off the event loop, or pushed), its newest bar then replaced by the series'
 * oldest (the same period, merged with the live part by load), the rest pushed after.
 */
export function loadOlder(st: SymbolState): void {
  const h = st.older!;
  st.older = undefined;
  for (const iv of INTERVAL_NAMES) {
    const cs = st.candles[iv];
    // A full series holds nothing older than the bars it keeps: the history's would all drop.
    if (cs.series.length === HISTORY_CAP[iv]) continue;
    const now = cs.series.tail(cs.series.length);
    const adopted = h.takeSeries?.(iv);
    const series = adopted ?? new CandleSeries(HISTORY_CAP[iv]);
    // Without a Candle object per past bar (none at all when adopted), where the history can.
    if (!adopted && h.eachBar) h.eachBar(iv, (time, o, hi, lo, c, v) => series.pushBar(time, o, hi, lo, c, v));
    else if (!adopted) for (const c of h.bars[iv]) series.push(c);
    for (const c of now) {
      if (series.length > 0 && series.lastAt(TIME) === c.time) series.replaceLast(c);
      else if (!(series.length > 0 && series.lastAt(TIME) > c.time)) series.push(c);
    }
    cs.series = series;
  }
}
