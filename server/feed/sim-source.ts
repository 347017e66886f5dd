/**
 * The simulated TickSource: the Simulator driven by one timer. Each symbol has its own
 * Poisson clock; every tick emits, in time order, the events that fell due since the last.
 */
import type { Instrument, MarketEvent, SymbolHistory, TickSource } from './tick-source.js';
import { Rng } from './rng.js';
import { Simulator } from './simulator.js';
import { buildUniverse } from './universe.js';

export interface SimSourceOptions {
  /** Universe size (see buildUniverse), >= 1. */
  symbols: number;
  /** Mean ticker events per second per symbol, 0.1..1000. */
  rate: number;
  seed: string | number;
  /** Clock in ms since epoch (default Date.now). Read at construction (the start) and per tick. */
  now?: () => number;
  /** Timer period in ms (default 10; 20 below 20 events/s; 50 below 2). */
  tickMs?: number;
  /** Timer hooks (default setInterval/clearInterval); the timer stays ref'd. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /**
   * Catch-up bound: after a stall, events older than this many ms before now are skipped
   * (default 250). It also bounds one beat's work when the feed cannot keep up (10,000 symbols
   * on a busy machine): the event loop gets back within about that long instead of a second.
   */
  maxLagMs?: number;
  /** Probability that an event is also a trade (default 0.5). */
  tradeProbability?: number;
  /** Levels per side the `book` channel publishes (default 20). */
  bookDepth?: number;
}

/** Spacing of one symbol's events stamped in the same beat, ms (well below any timer period). */
const STAMP_STEP_MS = 0.001;
/** Scratch for one symbol's due times within a beat (grown as needed). */
const DUES: number[] = [];

export class SimSource implements TickSource {
  readonly instruments: readonly Instrument[];
  /** When history ends and live events begin (ms since epoch). */
  readonly startMs: number;
  #sim: Simulator;
  #clock: Rng;
  #now: () => number;
  #tickMs: number;
  #setTimer: (fn: () => void, ms: number) => unknown;
  #clearTimer: (handle: unknown) => void;
  #maxLagMs: number;
  #meanGapMs: number;
  /** Per symbol (by index): next scheduled event time and last emitted event time. */
  #due: Float64Array;
  #lastTs: Float64Array;
  /** Events up to this time have been emitted. */
  #cursor: number;
  #timer: unknown;

  /** Throws RangeError on a rate outside 0.1..1000 or a symbol count below 1. */
  constructor(opts: SimSourceOptions) {
    const { rate, symbols } = opts;
    if (!(rate >= 0.1 && rate <= 1000)) throw new RangeError(`rate must be within 0.1..1000, got ${rate}`);
    if (!(Number.isInteger(symbols) && symbols >= 1)) throw new RangeError(`symbols must be an integer >= 1, got ${symbols}`);
    this.#now = opts.now ?? Date.now;
    this.#tickMs = opts.tickMs ?? (rate >= 20 ? 10 : rate >= 2 ? 20 : 50);
    this.#setTimer = opts.setTimer ?? ((fn, ms) => setInterval(fn, ms));
    this.#clearTimer = opts.clearTimer ?? ((h) => clearInterval(h as ReturnType<typeof setInterval>));
    this.#maxLagMs = opts.maxLagMs ?? 250;
    this.#meanGapMs = 1000 / rate;

    const rng = new Rng(opts.seed);
    this.instruments = buildUniverse(symbols);
    this.startMs = this.#now();
    // Half the events are trades: the back-filled volume matches the live trade flow.
    const tradeProbability = opts.tradeProbability ?? 0.5;
    this.#sim = new Simulator(this.instruments, rng.fork('sim'), this.startMs, {
      tradeProbability,
      backfillTradeRate: rate * tradeProbability,
      bookDepth: opts.bookDepth,
    });
    this.#clock = rng.fork('clock');
    this.#cursor = this.startMs;
    this.#lastTs = new Float64Array(symbols).fill(this.startMs);
    // The first gap is a full exponential draw too, which staggers the symbols' phases.
    this.#due = new Float64Array(symbols).map(() => this.startMs + this.#gap());
  }

  /**
   * Back-filled history as of startMs (see Simulator.history: its bars and session are computed
   * when first read), fresh on each call, which the caller owns. Throws on an unknown symbol.
   */
  history(symbol: string): SymbolHistory {
    return this.#sim.history(symbol);
  }

  /**
   * Sets up every symbol's live walk and book not yet set up (not their histories), then starts the timer. Each batch is non-empty,
   * in time order (ties by universe order); each event's ts is the clock at emission (a symbol's
   * several events in one beat a microsecond apart before it), strictly increasing per symbol. Throws if already started.
   */
  start(onEvents: (events: MarketEvent[]) => void): void {
    if (this.#timer !== undefined) throw new Error('SimSource already started');
    for (const inst of this.instruments) this.#sim.prepare(inst.symbol);
    this.#timer = this.#setTimer(() => this.#tick(onEvents), this.#tickMs);
  }

  /** Stops the timer; `start` may be called again and resumes (skipping a long gap). */
  stop(): void {
    if (this.#timer === undefined) return;
    this.#clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #gap(): number {
    return this.#clock.exp() * this.#meanGapMs;
  }

  #tick(onEvents: (events: MarketEvent[]) => void): void {
    const now = this.#now();
    const behind = now - this.#cursor - this.#maxLagMs;
    if (behind > 0) {
      // Stalled: drop the oldest events rather than burst them; the walks still cover the gap.
      for (let i = 0; i < this.#due.length; i++) this.#due[i] += behind;
    }
    const batch: MarketEvent[] = [];
    for (let i = 0; i < this.#due.length; i++) {
      let due = this.#due[i];
      if (due > now) continue;
      let n = 0;
      while (due <= now) {
        DUES[n++] = due;
        due += this.#gap();
      }
      this.#due[i] = due;
      // Stamped at emission (the walk still steps by the scheduled gaps): the timer's beat is
      // not part of data age. A symbol's k-th of n events here is STAMP_STEP_MS apart, so its
      // ts stay strictly increasing and never pass the clock.
      for (let k = 0; k < n; k++) {
        const at = DUES[k];
        batch.push(this.#sim.nextAt(i, now - (n - 1 - k) * STAMP_STEP_MS, at - this.#lastTs[i]));
        this.#lastTs[i] = at;
      }
    }
    this.#cursor = Math.max(this.#cursor, now);
    if (batch.length === 0) return;
    batch.sort((a, b) => a.ts - b.ts); // per-symbol runs are sorted: TimSort merges them cheaply
    onEvents(batch);
  }
}
