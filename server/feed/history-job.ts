/**
 * A symbol's back-fill, or its head, as a pure function of the simulator's recipe (its seed,
 * start and trade rate) and the instrument: what Simulator.backfill (Simulator.head) computes,
 * without the simulator's live state. A worker thread (backfill-worker.ts) runs it off the event loop.
 */
import { INTERVAL_NAMES, type Candle, type Interval } from '../../shared/protocol.js';
import type { CandleSeriesState } from '../market/candle-series.js';
import { buildSeriesOnGrid } from '../market/series-build.js';
import { HISTORY_CAP } from '../market/symbol-state.js';
import { anchorState, backfillBars, backfillHead, type BackfillBars, type BackfillHead, type PackedBars } from './backfill.js';
import { Rng } from './rng.js';
import type { Instrument } from './tick-source.js';
import type { Microstructure } from './universe.js';

/** What a back-fill depends on besides the symbol. */
export interface HistoryRecipe {
  /** The simulator's generator seed (Rng.seed of the Rng given to the Simulator). */
  simSeed: string;
  /** When history ends (ms since epoch). */
  startMs: number;
  /** Trades per second behind the back-filled volumes. */
  tradeRate: number;
}

/** A back-fill without its Microstructure (functions do not cross threads): plain, transferable. */
export interface PackedHistory {
  symbol: string;
  /** Absent when handed on with `series` only (`withoutBars`): the bars are then computed again if ever read. */
  bars?: Record<Interval, PackedBars>;
  last: number;
  session: BackfillBars['session'];
  /**
   * The bars as the market state keeps them (candle-series.ts, HISTORY_CAP per interval), built
   * where the back-fill was: the first read on the event loop then adopts them instead of
   * pushing every bar (most of a cold symbol's first-read cost).
   */
  series?: Record<Interval, CandleSeriesState>;
}

/**
 * The head of a back-fill (backfill.ts backfillHead): the newest bar of each interval, the
 * session and the last price. What a symbol's first snapshot needs; the bars before it wait for
 * a read of older bars (PackedHistory).
 */
export interface PackedHead {
  symbol: string;
  head: true;
  last: number;
  session: BackfillBars['session'];
  open: Record<Interval, Candle>;
}

/** What a worker computes: a symbol's head, or its whole history. */
export type HistoryPart = 'head' | 'full';

/** The back-fill of `inst` under `recipe`: the same bars Simulator.backfill gives. */
export function historyOf(recipe: HistoryRecipe, inst: Instrument): PackedHistory {
  const { rng, anchor } = walkOf(recipe, inst);
  const b = backfillBars(inst, anchor, rng.fork('history'), recipe.startMs, { tradeRate: recipe.tradeRate });
  return { symbol: inst.symbol, bars: b.bars, last: b.last, session: b.session, series: seriesOf(b.bars, b.micro) };
}

/** The head of `inst`'s back-fill under `recipe`: the same as Simulator's, and as historyOf's newest bars. */
export function headOf(recipe: HistoryRecipe, inst: Instrument): PackedHead {
  const { rng, anchor } = walkOf(recipe, inst);
  return packHead(inst.symbol, backfillHead(inst, anchor, rng.fork('history'), recipe.startMs, { tradeRate: recipe.tradeRate }));
}

/** A back-fill's head as handed on. */
export function packHead(symbol: string, h: BackfillHead): PackedHead {
  const open = {} as Record<Interval, Candle>;
  for (const iv of INTERVAL_NAMES) open[iv] = firstCandle(h.open[iv], h.micro);
  return { symbol, head: true, last: h.last, session: h.session, open };
}

/** The first bar of packed bars as a Candle (prices from ticks). */
const firstCandle = (b: PackedBars, ms: Microstructure): Candle => ({
  time: b.time0, open: ms.fromTicks(b.data[0]!), high: ms.fromTicks(b.data[1]!), low: ms.fromTicks(b.data[2]!), close: ms.fromTicks(b.data[3]!), volume: b.data[4]!,
});

/** As Simulator#make and Simulator.backfill: the walk's anchor from fork(symbol), the history from its 'history' fork. */
function walkOf(recipe: HistoryRecipe, inst: Instrument) {
  const rng = new Rng(recipe.simSeed).fork(inst.symbol);
  return { rng, anchor: anchorState(inst, rng) };
}

/** The candle series of packed bars, as the market state's read of older bars would build them (symbol-state.ts loadOlder). */
export function seriesOf(bars: Record<Interval, PackedBars>, ms: Microstructure): Record<Interval, CandleSeriesState> {
  const out = {} as Record<Interval, CandleSeriesState>;
  for (const iv of INTERVAL_NAMES) {
    const b = bars[iv];
    out[iv] = buildSeriesOnGrid(HISTORY_CAP[iv], b.time0, b.seconds, b.count, b.data, ms.tickUnits, ms.decimals).state();
  }
  return out;
}

/**
 * What a worker hands on: the series without the packed bars. The market state reads only the
 * series; the bars (about 210 KB a symbol) would be garbage on the event loop's side at once.
 */
export const withoutBars = (h: PackedHistory): PackedHistory => ({ symbol: h.symbol, last: h.last, session: h.session, series: h.series });

/** The buffers to transfer with a PackedHistory (each bar array's and each series' own). */
export const buffersOf = (h: PackedHistory): ArrayBuffer[] => [
  ...Object.values(h.bars ?? {}).map((b) => b.data.buffer as ArrayBuffer),
  ...Object.values(h.series ?? {}).map((s) => s.cols.buffer),
];
