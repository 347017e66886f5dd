/**
 * ROLE=all's first-touch work off the event loop: a symbol never snapshotted yet needs its
 * back-fill (about 2-5 ms of arithmetic each), which the back-fill pool computes in worker
 * threads and hands to the simulator (`provide`); the market state then reads it at the
 * symbol's first snapshot instead of computing it there. One request per symbol at a time,
 * whoever asks. The pool's workers start with the node where that is cheap (the compiled
 * server: BackfillPool.prestart). Without a pool (BACKFILL_WORKERS=0), or once the pool failed, nothing is cold:
 * the back-fill runs in-thread at the first snapshot, as before.
 */
import type { HistoryRecipe, PackedHistory } from '../feed/history-job.js';
import type { Instrument } from '../feed/tick-source.js';
import type { BackfillPool } from '../work/backfill-pool.js';

/** What the warm-up needs of the feed (SimSource). */
export interface Provider {
  readonly instruments: readonly Instrument[];
  readonly recipe: HistoryRecipe;
  provide(h: PackedHistory): void;
  provided(symbol: string): boolean;
}

export class Warmup {
  readonly #feed: Provider;
  readonly #loaded: (symbol: string) => boolean;
  readonly #pool: BackfillPool | undefined;
  readonly #byName = new Map<string, Instrument>();
  readonly #inflight = new Map<string, Promise<void>>();
  #failed = false;

  /** `loaded`: whether the market state has read the symbol's history already. */
  constructor(feed: Provider, loaded: (symbol: string) => boolean, pool: BackfillPool | undefined) {
    this.#feed = feed;
    this.#loaded = loaded;
    this.#pool = pool;
    pool?.prestart();
    for (const inst of feed.instruments) this.#byName.set(inst.symbol, inst);
  }

  /** Whether the symbol's first snapshot would compute its back-fill here (false for unknown symbols). */
  cold(symbol: string): boolean {
    return !!this.#pool && !this.#failed && this.#byName.has(symbol) && !this.#loaded(symbol) && !this.#feed.provided(symbol);
  }

  /**
   * Resolves when every cold symbol of these has its back-fill ready (or the pool failed: then
   * in-thread). `inline`: while no worker has loaded yet, with at most this many cold symbols
   * none is sent to the pool (the caller computes them in-thread, a few ms each: no worker
   * started for a small request); once one has, every cold symbol goes to the pool.
   */
  warm(symbols: readonly string[], owner: object, inline = 0): Promise<void> {
    if (inline > 0 && !this.#pool?.ready) {
      let n = 0;
      for (const s of symbols) if (this.cold(s) && ++n > inline) break;
      if (n <= inline) return Promise.resolve();
    }
    const waits: Promise<void>[] = [];
    for (const s of symbols) {
      let p = this.#inflight.get(s);
      if (!p && this.cold(s)) {
        p = this.#pool!.run(this.#byName.get(s)!, owner).then(
          (h) => {
            if (!this.#loaded(s)) this.#feed.provide(h);
          },
          () => {
            this.#failed = true;
          },
        );
        p = p.finally(() => this.#inflight.delete(s));
        this.#inflight.set(s, p);
      }
      if (p) waits.push(p);
    }
    return waits.length ? Promise.all(waits).then(() => undefined) : Promise.resolve();
  }

  close(): Promise<void> {
    return this.#pool?.close() ?? Promise.resolve();
  }
}
