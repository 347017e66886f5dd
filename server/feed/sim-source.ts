/**
 * The simulated TickSource: the Simulator driven by one timer. Each symbol has its own
 * Poisson clock; every wake emits, in time order, the events that fell due since the last (in
 * batches of at most CHUNK). By default each wake is timed to the next due event (wake-plan.ts:
 * a one-shot timer, at most one wake per WAKE_MIN_MS; the next turn of the event loop when
 * events are already due), so an event is handed on within about a millisecond of its due
 * time; `tickMs` gives the fixed beat instead.
 */
import type { Instrument, MarketEvent, SymbolHistory, TickSource } from './tick-source.js';
import { Rng } from './rng.js';
import { Simulator } from './simulator.js';
import { buildUniverse } from './universe.js';
import { nextWake } from './wake-plan.js';
import type { HistoryPart, HistoryRecipe, PackedHead, PackedHistory } from './history-job.js';

export interface SimSourceOptions {
  /** Universe size (see buildUniverse), >= 1. */
  symbols: number;
  /** Mean ticker events per second per symbol, 0.1..1000. */
  rate: number;
  seed: string | number;
  /** Clock in ms since epoch (default Date.now). Read at construction (the start) and per wake. */
  now?: () => number;
  /**
   * A fixed beat in ms: every beat emits what fell due since the last (the model before issue 25,
   * kept for the baselines' tutorial feed, measured with a 10 ms timer). Default: none, each
   * wake is timed to the next due event.
   */
  tickMs?: number;
  /**
   * One-shot timer hooks: run `fn` in `ms` ms, 0 meaning the next turn of the event loop
   * (default setTimeout, setImmediate for 0; ref'd). `fn` is the same function at every call.
   */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Catch-up bound: after a stall, or while the feed cannot keep up, events older than this many ms are skipped (default 250). */
  maxLagMs?: number;
  /**
   * Work bound of one wake, ms (default WAKE_BUDGET_MS): with more due than that at the measured
   * cost per event, a wake takes the oldest and leaves the rest to the next turns of the event
   * loop (sockets, timers and control work run between). Catching up still stops at `maxLagMs`.
   */
  wakeBudgetMs?: number;
  /** Clock for the wake's own work, ms (default performance.now): how long handing on events takes. */
  workClock?: () => number;
  /** Probability that an event is also a trade (default 0.5). */
  tradeProbability?: number;
  /** Levels per side the `book` channel publishes (default 20). */
  bookDepth?: number;
}

/** Spacing of one symbol's events stamped in the same wake, ms (well below a millisecond). */
const STAMP_STEP_MS = 0.001;
/** Most events per batch handed to onEvents (a wake with more gives several, in time order). */
export const CHUNK = 256;
/** Default work bound of one wake, ms (SimSourceOptions.wakeBudgetMs); the fewest events a wake takes whatever their cost. */
export const WAKE_BUDGET_MS = 4;
const WAKE_MIN_EVENTS = 64;

export class SimSource implements TickSource {
  readonly instruments: readonly Instrument[];
  /** When history ends and live events begin (ms since epoch). */
  readonly startMs: number;
  #sim: Simulator;
  #clock: Rng;
  #now: () => number;
  /** The fixed beat, or 0: wakes timed to the next due event. */
  #tickMs: number;
  #setTimer: (fn: () => void, ms: number) => unknown;
  #clearTimer: (handle: unknown) => void;
  #maxLagMs: number;
  #meanGapMs: number;
  #wakeBudgetMs: number;
  #workClock: () => number;
  /** Measured cost of handing on one event (the consumer's work included), ms; 0 until measured. */
  #perEventMs = 0;
  /** Per symbol (by index): next scheduled event time and last emitted event time. */
  #due: Float64Array;
  #lastTs: Float64Array;
  /** Nothing due before this time is left to emit. */
  #cursor: number;
  #timer: unknown;
  /** The wake handed to setTimer (one function for the source's life), and the batches' consumer while started. */
  readonly #fire = () => this.#wake();
  #onEvents: ((events: MarketEvent[]) => void) | undefined;
  /** When the last wake ran, and (fixed beat) when the next is planned. */
  #wokeAt = 0;
  #plannedAt = 0;
  /** Per-wake scratch, per due event: scheduled time, symbol index, place from its run's end, emission order. */
  #at = new Float64Array(256);
  #sym = new Int32Array(256);
  #back = new Int32Array(256);
  #order = new Int32Array(256);

  /** Throws RangeError on a rate outside 0.1..1000 or a symbol count below 1. */
  constructor(opts: SimSourceOptions) {
    const { rate, symbols } = opts;
    if (!(rate >= 0.1 && rate <= 1000)) throw new RangeError(`rate must be within 0.1..1000, got ${rate}`);
    if (!(Number.isInteger(symbols) && symbols >= 1)) throw new RangeError(`symbols must be an integer >= 1, got ${symbols}`);
    this.#now = opts.now ?? Date.now;
    this.#tickMs = opts.tickMs ?? 0;
    this.#setTimer = opts.setTimer ?? defaultSetTimer;
    this.#clearTimer = opts.clearTimer ?? defaultClearTimer;
    this.#maxLagMs = opts.maxLagMs ?? 250;
    this.#meanGapMs = 1000 / rate;
    this.#wakeBudgetMs = opts.wakeBudgetMs ?? WAKE_BUDGET_MS;
    this.#workClock = opts.workClock ?? (() => performance.now());

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

  /** What a symbol's back-fill depends on besides its instrument (history-job.ts's historyOf). */
  get recipe(): HistoryRecipe {
    return this.#sim.recipe;
  }

  /** A back-fill or its head computed elsewhere (historyOf or headOf of `recipe`): the symbol's history reads it instead of computing it. */
  provide(h: PackedHistory | PackedHead): void {
    this.#sim.provide(h);
  }

  /** Whether a provided back-fill (for 'head': or head) waits for its use. */
  provided(symbol: string, part: HistoryPart = 'full'): boolean {
    return this.#sim.provided(symbol, part);
  }

  /**
   * Sets up every symbol's live walk and book not yet set up (not their histories), then starts
   * the timer. Each batch is non-empty and at most CHUNK long; the batches, one after another,
   * are in time order (ties by universe order); each event's ts is the clock at emission (a symbol's
   * several events in one wake a microsecond apart before it), strictly increasing per symbol. Throws if already started.
   */
  start(onEvents: (events: MarketEvent[]) => void): void {
    if (this.#onEvents !== undefined) throw new Error('SimSource already started');
    for (const inst of this.instruments) this.#sim.prepare(inst.symbol);
    // Setting up (10,000 symbols: seconds) is a stall like any other: the first wake brings one
    // beat's events at most, not maxLagMs' worth (bursts of events are what V8 pretenures: see #emit).
    const now = this.#now();
    this.#skipTo(now - this.#tickMs);
    this.#onEvents = onEvents;
    this.#wokeAt = now;
    this.#plannedAt = now;
    let first = Infinity;
    for (let i = 0; i < this.#due.length; i++) first = Math.min(first, this.#due[i]!);
    this.#cursor = Math.max(this.#cursor, first);
    this.#arm(now, first);
  }

  /** Stops the timer; `start` may be called again and resumes (skipping a long gap). */
  stop(): void {
    this.#onEvents = undefined;
    if (this.#timer === undefined) return;
    this.#clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** One wake: emits what fell due, then sets the timer for the next (unless stopped meanwhile). */
  #wake(): void {
    this.#timer = undefined;
    const onEvents = this.#onEvents;
    if (!onEvents) return;
    const now = this.#now();
    this.#wokeAt = now;
    const nextDue = this.#emit(now, onEvents);
    if (this.#onEvents === onEvents && this.#timer === undefined) this.#arm(this.#now(), nextDue);
  }

  #arm(now: number, nextDue: number): void {
    const w = nextWake({ now, wokeAt: this.#wokeAt, nextDue, tickMs: this.#tickMs, plannedAt: this.#plannedAt });
    this.#plannedAt = w.at;
    this.#timer = this.#setTimer(this.#fire, w.ms);
  }

  #gap(): number {
    return this.#clock.exp() * this.#meanGapMs;
  }

  /** Moves every due time and the cursor forward so that nothing before `t` is left to emit (the walks still cover the gap). */
  #skipTo(t: number): void {
    const behind = t - this.#cursor;
    if (behind <= 0) return;
    for (let i = 0; i < this.#due.length; i++) this.#due[i] += behind;
    this.#cursor = t;
  }

  /**
   * Emits the events due by `now` (over the wake's budget: only those due by `until`); returns
   * the earliest due time left (at or before `now` when some are left: the next turn wakes).
   */
  #emit(now: number, onEvents: (events: MarketEvent[]) => void): number {
    // Stalled: drop the oldest events rather than burst them.
    this.#skipTo(now - this.#maxLagMs);
    const until = Math.min(now, this.#cursor + this.#span());
    // Pass 1: what fell due, per symbol in universe order: its scheduled time and its place from
    // the end of the symbol's run in this wake (0: its last event, stamped `now`).
    let m = 0;
    let maxBack = 0;
    let next = Infinity;
    for (let i = 0; i < this.#due.length; i++) {
      let due = this.#due[i]!;
      if (due > until) {
        if (due < next) next = due;
        continue;
      }
      const first = m;
      while (due <= until) {
        this.#room(m + 1);
        this.#at[m] = due;
        this.#sym[m++] = i;
        due += this.#gap();
      }
      this.#due[i] = due;
      if (due < next) next = due;
      for (let e = first; e < m; e++) this.#back[e] = m - 1 - e;
      maxBack = Math.max(maxBack, m - 1 - first);
    }
    // Nothing is due before `next` either: a wake timed to it is not a stall.
    this.#cursor = Math.max(this.#cursor, until, next);
    if (m === 0) return next;
    const t0 = this.#workClock();
    // Stamped at emission (the walk still steps by the scheduled gaps): how late the timer
    // fired is not part of data age. A symbol's k-th of n events is STAMP_STEP_MS apart, so its ts stay
    // strictly increasing and never pass the clock. Time order is then by `back`, descending,
    // ties in universe order: a counting sort, into #order.
    const count = new Int32Array(maxBack + 2);
    for (let e = 0; e < m; e++) count[maxBack - this.#back[e]! + 1]++;
    for (let k = 1; k < count.length; k++) count[k] += count[k - 1]!;
    for (let e = 0; e < m; e++) this.#order[count[maxBack - this.#back[e]!]!++] = e;
    // Events are made in that order and handed on in chunks: a wake's events never pile up in
    // the young generation long enough to survive a scavenge (when a whole 10 ms beat was built first,
    // V8 pretenured the event objects: 42 MB/s of old-space garbage at 10,000 symbols).
    let batch: MarketEvent[] = [];
    for (let k = 0; k < m; k++) {
      const e = this.#order[k]!;
      const i = this.#sym[e]!;
      const at = this.#at[e]!;
      batch.push(this.#sim.nextAt(i, now - this.#back[e]! * STAMP_STEP_MS, at - this.#lastTs[i]!));
      this.#lastTs[i] = at;
      if (batch.length === CHUNK) {
        onEvents(batch);
        batch = [];
      }
    }
    if (batch.length) onEvents(batch);
    if (m >= WAKE_MIN_EVENTS) {
      const cost = (this.#workClock() - t0) / m;
      // Up at once, down slowly: a cost that jumps (thousands of symbols just watched) bounds the next wake already.
      this.#perEventMs = cost > this.#perEventMs ? cost : 0.9 * this.#perEventMs + 0.1 * cost;
    }
    return next;
  }

  /** Market time whose events one wake takes at most: the budget's worth at the measured cost (Infinity until measured). */
  #span(): number {
    if (!(this.#perEventMs > 0)) return Infinity;
    const events = Math.max(WAKE_MIN_EVENTS, this.#wakeBudgetMs / this.#perEventMs);
    return (events * this.#meanGapMs) / this.#due.length;
  }

  /** Grows the per-wake scratch to hold `n` entries. */
  #room(n: number): void {
    if (n <= this.#at.length) return;
    const size = Math.max(n, this.#at.length * 2);
    const grow = <T extends Float64Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
    this.#at = grow(this.#at, new Float64Array(size));
    this.#sym = grow(this.#sym, new Int32Array(size));
    this.#back = grow(this.#back, new Int32Array(size));
    this.#order = grow(this.#order, new Int32Array(size));
  }
}

/** setTimeout, or setImmediate for 0 (the next turn, after this turn's I/O and flushes). */
const defaultSetTimer = (fn: () => void, ms: number): unknown => (ms > 0 ? setTimeout(fn, ms) : { immediate: setImmediate(fn) });
const defaultClearTimer = (h: unknown): void => {
  if (h && typeof h === 'object' && 'immediate' in h) clearImmediate((h as { immediate: NodeJS.Immediate }).immediate);
  else clearTimeout(h as NodeJS.Timeout);
};
