/**
 * Worker thread of the back-fill pool (backfill-pool.ts): computes histories for the
 * instruments each message names, under the recipe it was started with, and posts them back as
 * the market state's candle series (without the packed bars), their buffers transferred.
 * Nothing else: no state between messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buffersOf, historyOf, withoutBars, type HistoryRecipe, type PackedHistory } from '../feed/history-job.js';
import type { Instrument } from '../feed/tick-source.js';

export interface WorkerJob {
  id: number;
  instruments: Instrument[];
}

export interface WorkerAnswer {
  id: number;
  histories: PackedHistory[];
}

/** Posted once, when the module has loaded. */
export interface WorkerReady {
  ready: true;
}

const recipe = workerData as HistoryRecipe;
parentPort!.on('message', (job: WorkerJob) => {
  const histories = job.instruments.map((inst) => withoutBars(historyOf(recipe, inst)));
  parentPort!.postMessage({ id: job.id, histories } satisfies WorkerAnswer, histories.flatMap(buffersOf));
});
parentPort!.postMessage({ ready: true } satisfies WorkerReady);
