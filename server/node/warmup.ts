/**
 * ROLE=all's first-touch work off the event loop: a symbol never snapshotted yet needs the head
 * of its back-fill (its newest bars and session: about half a millisecond of arithmetic), and
 * its first read of older bars the whole back-fill (1-3 ms), which the back-fill pool computes
 * in worker threads and hands to the simulator (`provide`); the market state then reads them
 * instead of computing them there (`part`: 'head' for a snapshot, 'full' for older candles).
 * One request per symbol and part at a time, whoever asks. The pool's workers start with the
 * node where that is cheap (the compiled server: BackfillPool.prestart). Without a pool
 * (BACKFILL_WORKERS=0), or once the pool failed, nothing is cold: the back-fill runs in-thread
 * at the first snapshot, as before.
 *
 * A window bounds the histories computed and not read yet: each holds its candle series (about
 * 60 KB) until its first read takes it, and when the workers outrun the reads (ten clients
 * subscribing 10,000 symbols) thousands piled up, a peak the allocator then kept as RSS.
 * Requests (`warm` calls) are admitted whole, owners in turn (fair-queue.ts), while fewer than `window` histories are
 * out; a history stops counting once read, or `staleMs` after it came (a requester that went
 * away). Admitting whole requests in each owner's order cannot deadlock: a request waits only
 * for its own histories, and its owner reads them after its earlier requests, admitted before.
 */
import type { HistoryPart, HistoryRecipe, PackedHead, PackedHistory } from '../feed/history-job.js';
import type { Instrument } from '../feed/tick-source.js';
import type { BackfillPool } from '../work/backfill-pool.js';
import { FairQueue } from '../work/fair-queue.js';

/** What the warm-up needs of the feed (SimSource). */
export interface Provider {
  readonly instruments: readonly Instrument[];
  readonly recipe: HistoryRecipe;
  provide(h: PackedHistory | PackedHead): void;
  /** Whether a provided back-fill (for 'head': or head) waits for its use. */
  provided(symbol: string, part: HistoryPart): boolean;
}

/** Warmup's `loaded` over a market state: its head read ('head'), or all of it ('full'). */
export const readIn = (market: { loaded(symbol: string): boolean; complete(symbol: string): boolean }) =>
  (symbol: string, part: HistoryPart): boolean => (part === 'head' ? market.loaded(symbol) : market.complete(symbol));

export interface WarmupOptions {
  /** Histories out (asked or answered, not read) before requests wait (default 256: two groups of 128). */
  window?: number;
  /** A history answered this long ago (ms) and not read stops counting (default 10,000). */
  staleMs?: number;
  /** How often the histories out are checked for reads while any are (ms, default 10). */
  everyMs?: number;
  now?: () => number;
}

interface Request {
  symbols: readonly string[];
  part: HistoryPart;
  /** Lets its symbols' computations start. */
  done: () => void;
}

export class Warmup {
  readonly #feed: Provider;
  readonly #loaded: (symbol: string, part: HistoryPart) => boolean;
  readonly #pool: BackfillPool | undefined;
  readonly #byName = new Map<string, Instrument>();
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #waiting = new FairQueue<Request>();
  /** Symbols whose history (part) is out, by `key`: when it came (NaN: still being computed). */
  readonly #out = new Map<string, number>();
  readonly #window: number;
  readonly #staleMs: number;
  readonly #everyMs: number;
  readonly #now: () => number;
  #sweep: NodeJS.Timeout | undefined;
  #failed = false;

  /** `loaded`: whether the market state has read that part of the symbol's history already. */
  constructor(feed: Provider, loaded: (symbol: string, part: HistoryPart) => boolean, pool: BackfillPool | undefined, o: WarmupOptions = {}) {
    this.#feed = feed;
    this.#loaded = loaded;
    this.#pool = pool;
    this.#window = Math.max(1, o.window ?? 256);
    this.#staleMs = o.staleMs ?? 10_000;
    this.#everyMs = o.everyMs ?? 10;
    this.#now = o.now ?? (() => performance.now());
    pool?.prestart();
    for (const inst of feed.instruments) this.#byName.set(inst.symbol, inst);
  }

  /**
   * Whether the symbol's first snapshot ('head'), or first read of older candles ('full'), would
   * compute that part of its back-fill here (false for unknown symbols).
   */
  cold(symbol: string, part: HistoryPart = 'head'): boolean {
    return !!this.#pool && !this.#failed && this.#byName.has(symbol) && !this.#loaded(symbol, part) && !this.#feed.provided(symbol, part);
  }

  /** Histories asked or answered and not read yet (at most the window, plus one request). */
  get outstanding(): number {
    return this.#out.size;
  }

  /**
   * Resolves when every cold symbol of these has that part of its back-fill ready (or the pool
   * failed: then in-thread). `inline`: while no worker has loaded yet, with at most this many
   * cold symbols none is sent to the pool (the caller computes them in-thread, a few ms each: no
   * worker started for a small request); once one has, every cold symbol goes to the pool.
   */
  warm(symbols: readonly string[], owner: object, inline = 0, part: HistoryPart = 'head'): Promise<void> {
    if (inline > 0 && !this.#pool?.ready) {
      let n = 0;
      for (const s of symbols) if (this.cold(s, part) && ++n > inline) break;
      if (n <= inline) return Promise.resolve();
    }
    const cold = symbols.filter((s) => !this.#inflight.has(key(s, part)) && this.cold(s, part));
    const waits: Promise<void>[] = [];
    if (cold.length) {
      // Each symbol's promise exists from now on (a later request for it waits for this one).
      let done: () => void = () => {};
      const admitted = new Promise<void>((r) => (done = r));
      for (const s of cold) {
        const p = admitted.then(() => this.#compute(s, owner, part)).finally(() => this.#inflight.delete(key(s, part)));
        this.#inflight.set(key(s, part), p);
      }
      this.#waiting.add(owner, { symbols: cold, part, done });
      this.#admit();
    }
    for (const s of symbols) {
      const p = this.#inflight.get(key(s, part));
      if (p) waits.push(p);
    }
    return waits.length ? Promise.all(waits).then(() => undefined) : Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    for (const r of this.#waiting.drain()) r.done();
    return this.#pool?.close() ?? Promise.resolve();
  }

  /** Admits waiting requests, owners in turn, while the window has room (or the pool failed: all). */
  #admit(): void {
    while (this.#waiting.size > 0 && (this.#failed || this.#out.size < this.#window)) {
      const [r] = this.#waiting.take(1);
      if (!this.#failed) for (const s of r!.symbols) this.#out.set(key(s, r!.part), NaN);
      r!.done();
    }
    if (this.#out.size > 0 && !this.#sweep) {
      this.#sweep = setInterval(() => this.#check(), this.#everyMs);
      this.#sweep.unref();
    }
  }

  async #compute(s: string, owner: object, part: HistoryPart): Promise<void> {
    const k = key(s, part);
    if (this.#failed || !this.cold(s, part)) return void this.#out.delete(k);
    try {
      const h = await this.#pool!.run(this.#byName.get(s)!, owner, part);
      if (!this.#loaded(s, part)) this.#feed.provide(h);
      this.#out.set(k, this.#now());
    } catch {
      this.#failed = true;
      this.#out.clear();
      this.#admit();
    }
  }

  /** Stops counting the histories read (or stale), then admits what fits. */
  #check(): void {
    const now = this.#now();
    for (const [k, at] of this.#out) if (!Number.isNaN(at) && (!this.#feed.provided(symbolOf(k), partOf(k)) || now - at >= this.#staleMs)) this.#out.delete(k);
    this.#admit();
    if (this.#out.size === 0 && this.#waiting.size === 0) {
      clearInterval(this.#sweep);
      this.#sweep = undefined;
    }
  }
}

/** A symbol's part as one key (parts differ in their first letter). */
const key = (symbol: string, part: HistoryPart): string => `${part[0]}${symbol}`;
const symbolOf = (k: string): string => k.slice(1);
const partOf = (k: string): HistoryPart => (k[0] === 'h' ? 'head' : 'full');
