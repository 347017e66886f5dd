/**
 * Worker thread of the back-fill pool (backfill-pool.ts): computes, for the instruments each
 * message names, under the recipe it was started with, their histories' heads or their whole
 * histories (`parts`), and posts them back, whole histories as the market state's candle series
 * (without the packed bars) with their buffers transferred. Nothing else: no state between
 * messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buffersOf, headOf, historyOf, withoutBars, type HistoryPart, type HistoryRecipe, type PackedHead, type PackedHistory } from '../feed/history-job.js';
import type { Instrument } from '../feed/tick-source.js';

export interface WorkerJob {
  id: number;
  instruments: Instrument[];
  /** Per instrument, what to compute. */
  parts: HistoryPart[];
}

export interface WorkerAnswer {
  id: number;
  histories: (PackedHistory | PackedHead)[];
}

/** Posted once, when the module has loaded. */
export interface WorkerReady {
  ready: true;
}

const recipe = workerData as HistoryRecipe;
parentPort!.on('message', (job: WorkerJob) => {
  const histories = job.instruments.map((inst, i) => (job.parts[i] === 'head' ? headOf(recipe, inst) : withoutBars(historyOf(recipe, inst))));
  parentPort!.postMessage({ id: job.id, histories } satisfies WorkerAnswer, histories.flatMap((h) => ('head' in h ? [] : buffersOf(h))));
});
parentPort!.postMessage({ ready: true } satisfies WorkerReady);
