/**
 * A symbol's back-fill as a pure function of the simulator's recipe (its seed, start and trade
 * rate) and the instrument: what Simulator.backfill computes, without the
 * simulator's live state. A worker thread (backfill-worker.ts) runs it off the event loop.
 */
import type { Interval } from '../../shared/protocol.js';
import { anchorState, backfillBars, type BackfillBars, type PackedBars } from './backfill.js';
import { Rng } from './rng.js';
import type { Instrument } from './tick-source.js';

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
  bars: Record<Interval, PackedBars>;
  last: number;
  session: BackfillBars['session'];
}

/** The back-fill of `inst` under `recipe`: the same bars Simulator.backfill gives. */
export function historyOf(recipe: HistoryRecipe, inst: Instrument): PackedHistory {
  // As Simulator#make and Simulator.backfill: the walk's anchor from fork(symbol), the history from its 'history' fork.
  const rng = new Rng(recipe.simSeed).fork(inst.symbol);
  const anchor = anchorState(inst, rng);
  const b = backfillBars(inst, anchor, rng.fork('history'), recipe.startMs, { tradeRate: recipe.tradeRate });
  return { symbol: inst.symbol, bars: b.bars, last: b.last, session: b.session };
}

/** The buffers to transfer with a PackedHistory (each bar array's own). */
export const buffersOf = (h: PackedHistory): ArrayBuffer[] => Object.values(h.bars).map((b) => b.data.buffer as ArrayBuffer);
