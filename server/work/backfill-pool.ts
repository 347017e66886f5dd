/**
 * Back-fills off the event loop: a pool of worker threads (backfill-worker.ts), each computing
 * histories from the simulator's recipe and an instrument (history-job.ts), handed back with
 * their buffers transferred. Work is queued per owner and served round-robin (fair-queue.ts),
 * a few symbols per message. Workers start on first use, or at `prestart` in the compiled
 * server (where one starts in tens of ms; under tsx its loader takes seconds), and are
 * unref'd. A worker says when it has loaded (`ready`). A worker that fails
 * breaks the pool: every waiting task rejects, and so does every later one (the caller then
 * computes in-thread, as without a pool).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HistoryPart, HistoryRecipe, PackedHead, PackedHistory } from '../feed/history-job.js';
import type { Instrument } from '../feed/tick-source.js';
import type { WorkerAnswer, WorkerJob, WorkerReady } from './backfill-worker.js';
import { FairQueue } from './fair-queue.js';

export interface BackfillPoolOptions {
  /** Worker threads (>= 1). */
  workers: number;
  /**
   * Whole back-fills per message to a worker (default 4: a few ms of work, so owners take turns
   * often), or three times as many heads (a head is about a third of the work).
   */
  batch?: number;
  /**
   * Messages a worker holds at once (default 2): the next waits in its port while it works on
   * one, so a worker does not sit idle until a busy event loop reads its answer and sends more.
   */
  depth?: number;
}

interface Task {
  inst: Instrument;
  part: HistoryPart;
  resolve: (h: PackedHistory | PackedHead) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  /** It has loaded its module (its first message). */
  ready: boolean;
  /** The tasks of each message sent and not answered yet, oldest first (empty: idle). */
  sent: Task[][];
}

/**
 * The worker: its `.js` module in the compiled server; under tsx and vitest its `.ts` source,
 * loaded through tsx's loader registered in the new thread first (a worker does not inherit the
 * parent's loader, and Node 20 takes no `--import` in a worker's execArgv).
 */
function startWorker(data: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./backfill-worker.js', import.meta.url), { workerData: data });
  // tsx's ESM API by path (its `exports` give require() the CommonJS build).
  const api = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const file = new URL('./backfill-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(file)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

/** A whole back-fill's work in heads. */
const HEAD_WEIGHT = 3;

export class BackfillPool {
  readonly #recipe: HistoryRecipe;
  readonly #size: number;
  readonly #batch: number;
  readonly #depth: number;
  readonly #queue = new FairQueue<Task>();
  readonly #slots: Slot[] = [];
  #nextId = 1;
  #broken: Error | undefined;

  constructor(recipe: HistoryRecipe, o: BackfillPoolOptions) {
    this.#recipe = recipe;
    this.#size = Math.max(1, Math.floor(o.workers));
    this.#batch = Math.max(1, o.batch ?? 4);
    this.#depth = Math.max(1, o.depth ?? 2);
  }

  /** Tasks queued, not yet handed to a worker. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Whether a worker has loaded and none failed: a task sent now waits for no start-up. */
  get ready(): boolean {
    return !this.#broken && this.#slots.some((s) => s.ready);
  }

  /** Starts every worker now when that is cheap (the compiled server); under tsx they start on first use. */
  prestart(): void {
    if (import.meta.url.endsWith('.ts')) return;
    while (!this.#broken && this.#start());
  }

  /** The instrument's history (`part` 'full', the default) or its head, computed by a worker; `owner` is whose turn it waits for. */
  run(inst: Instrument, owner: object): Promise<PackedHistory>;
  run(inst: Instrument, owner: object, part: 'head'): Promise<PackedHead>;
  run(inst: Instrument, owner: object, part: HistoryPart): Promise<PackedHistory | PackedHead>;
  run(inst: Instrument, owner: object, part: HistoryPart = 'full'): Promise<PackedHistory | PackedHead> {
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise<PackedHistory | PackedHead>((resolve, reject) => {
      this.#queue.add(owner, { inst, part, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops the workers; waiting tasks reject. */
  async close(): Promise<void> {
    this.#break(new Error('back-fill pool closed'));
  }

  #dispatch(): void {
    while (this.#queue.size > 0 && !this.#broken) {
      // The least loaded worker, a new one while the pool is below its size and none is idle.
      let slot: Slot | undefined;
      for (const s of this.#slots) if (s.sent.length < this.#depth && (!slot || s.sent.length < slot.sent.length)) slot = s;
      if (!slot || slot.sent.length > 0) slot = this.#start() ?? slot;
      if (!slot) return;
      const tasks = this.#queue.take(HEAD_WEIGHT * this.#batch, (t) => (t.part === 'head' ? 1 : HEAD_WEIGHT));
      slot.sent.push(tasks);
      slot.worker.postMessage({ id: this.#nextId++, instruments: tasks.map((t) => t.inst), parts: tasks.map((t) => t.part) } satisfies WorkerJob);
    }
  }

  /** A new worker while below the pool's size, else undefined. */
  #start(): Slot | undefined {
    if (this.#slots.length >= this.#size) return undefined;
    const worker = startWorker(this.#recipe);
    worker.unref();
    const slot: Slot = { worker, ready: false, sent: [] };
    worker.on('message', (a: WorkerAnswer | WorkerReady) => {
      slot.ready = true;
      if ('ready' in a) return;
      const tasks = slot.sent.shift() ?? [];
      tasks.forEach((t, i) => t.resolve(a.histories[i]!));
      this.#dispatch();
    });
    worker.on('error', (err) => this.#break(err));
    worker.on('exit', (code) => this.#break(new Error(`back-fill worker exited (${code})`)));
    this.#slots.push(slot);
    return slot;
  }

  #break(err: Error): void {
    if (this.#broken) return;
    this.#broken = err;
    for (const slot of this.#slots) {
      for (const t of slot.sent.flat()) t.reject(err);
      slot.sent = [];
      void slot.worker.terminate();
    }
    for (const t of this.#queue.drain()) t.reject(err);
  }
}
