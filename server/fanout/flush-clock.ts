/**
 * When sessions flush. Unthrottled sessions with news wait in one round-robin queue; the
 * first pass runs at the end of the turn of the event loop that brought the news (setImmediate:
 * after that turn's timers and I/O, as uWebSockets uncorks once per loop iteration) and the
 * passes run back to back while the queue holds sessions, so each session's write carries
 * everything that accumulated since its last one: batches grow only when there is a backlog
 * (longer turns), and there is no fixed delay when calm. Throttled sessions flush on one shared clock per throttle value, so
 * every session of a throttle class flushes together and their clients share item bytes; a
 * class never flushes twice within its throttle.
 *
 * A pass never holds the event loop for long: it works in slices of about `sliceMs` and yields
 * between them (setImmediate, so timers, I/O, health checks, control messages and new
 * connections get their turn). A session not reached keeps its place at the head of the queue;
 * one flushed and dirtied again goes to the back, so under overload every session is served in
 * turn. A session that waited longer than `lateMs` (past capacity) is flushed conflated: at
 * most one item per state stream, its latest state, so what it is sent stays fresh however far
 * behind it fell (docs/performance-sendpath.md).
 *
 * Stalled sessions are retried on the clock's tick, never in a busy loop. A session whose flush
 * throws is handed to `onFail` (closed 1011 by the hub); the pass goes on with the others.
 * Throttle values are the hub's served steps, so the groups are few and bounded.
 */
import type { FlushPart, FlushResult, Session, Sub } from './session.js';
import { RoundRobin } from './round-robin.js';

export interface FlushClockOptions {
  now: () => number;
  /** Period of the clock, ms: throttled classes flush on its beats. */
  tickMs: number;
  /** A session's flush threw: it must be closed; the others go on. */
  onFail: (s: Session, err: unknown) => void;
  /** After each slice that flushed unthrottled sessions (for the fan-out delay metric). */
  onUnthrottledFlush?: (now: number) => void;
  /** Work per slice before yielding to the event loop, ms of `elapsed` (default 4: with the feed's 4 ms wakes and the 4 ms of control turns, an iteration stays near 12 ms under load). */
  sliceMs?: number;
  /** A monotonic clock for slice budgets, ms (default performance.now). */
  elapsed?: () => number;
  /** Queued longer than this (ms of `now`), a session is flushed conflated (default 200: past B's 30 ms goal, only past capacity). */
  lateMs?: number;
  /** Schedules the next slice (default setImmediate; tests may drive slices themselves). */
  defer?: (run: () => void) => void;
}

/** One due tick of throttled classes: the sessions to visit and which classes were due. */
interface TickWork {
  sessions: Session[];
  next: number;
  isDue: (t: number) => boolean;
  part: FlushPart;
}

/**
 * Items one flush writes at most: a session watching thousands of streams is flushed in parts
 * (one frame each), its turn coming back in the next slice, so one session never holds the
 * loop for the whole of its news (7,000 streams at throttle 1000: tens of ms).
 */
export const FLUSH_ITEMS = 1024;
const UNTHROTTLED: FlushPart = { maxItems: FLUSH_ITEMS, tick: 0 };

export class FlushClock {
  readonly #o: FlushClockOptions;
  readonly #sliceMs: number;
  readonly #lateMs: number;
  readonly #elapsed: () => number;
  readonly #defer: (run: () => void) => void;
  /** Sessions with unthrottled news (or held replies), in the order they got it. */
  readonly #ready = new RoundRobin<Session>();
  /** When each was queued in #ready (kept while it waits stalled): how late it is when flushed. */
  readonly #readyAt = new Map<Session, number>();
  /** Gated sessions: moved back to #ready on each tick. */
  readonly #stalled = new Set<Session>();
  readonly #groups = new Map<number, { nextAt: number; sessions: Set<Session> }>();
  /** Throttled flushes released by tick() and not yet done. */
  readonly #ticks: TickWork[] = [];
  /** Ticks released so far: each one's id (see Sub.tick). */
  #tickCount = 0;
  /** Whether this slice serves the queue before the ticks (flips every slice). */
  #readyFirst = false;
  #scheduled = false;
  /** A throttled sub that was not due at a flush waits for its group's next one. */
  readonly #keep = (sub: Sub) => this.enqueue(sub);
  readonly #run = () => {
    this.#scheduled = false;
    this.#slice();
  };

  constructor(o: FlushClockOptions) {
    this.#o = o;
    this.#sliceMs = o.sliceMs ?? 4;
    this.#lateMs = o.lateMs ?? 200;
    this.#elapsed = o.elapsed ?? (() => performance.now());
    this.#defer = o.defer ?? ((run) => void setImmediate(run));
  }

  enqueue(sub: Sub): void {
    if (sub.throttle === 0) return this.#ready1(sub.session);
    let g = this.#groups.get(sub.throttle);
    if (!g) this.#groups.set(sub.throttle, (g = { nextAt: this.#o.now() + sub.throttle, sessions: new Set() }));
    g.sessions.add(sub.session);
  }

  #ready1(s: Session): void {
    if (this.#stalled.has(s)) return; // the tick brings it back
    if (this.#ready.add(s)) this.#readyAt.set(s, this.#o.now());
    this.#schedule();
  }

  /** A gated session with replies held: visited on every tick until the gate opens. */
  retry(s: Session): void {
    this.#stalled.add(s);
  }

  /** Drops a closed session from every schedule. */
  forget(session: Session): void {
    this.#ready.delete(session);
    this.#readyAt.delete(session);
    this.#stalled.delete(session);
    for (const g of this.#groups.values()) g.sessions.delete(session);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(this.#run);
  }

  /**
   * One slice: released throttled flushes and the queue of unthrottled news, each going first
   * in every other slice (a tick flushed in parts, thousands of streams, must not hold back the
   * queue's news for its whole length, nor the queue the tick). The budget is checked after
   * every session (a clock read is some 40 ns; one session's flush part is up to FLUSH_ITEMS
   * items): a slice always flushes at least one session.
   */
  #slice(): void {
    const end = this.#elapsed() + this.#sliceMs;
    const now = this.#o.now();
    this.#readyFirst = !this.#readyFirst;
    if (this.#readyFirst) {
      if (!this.#readyPass(now, end)) this.#tickPass(now, end);
    } else if (!this.#tickPass(now, end)) this.#readyPass(now, end);
    if (this.#ticks.length || this.#ready.size) this.#schedule();
  }

  /** Released throttled flushes until `end`; true when the budget ran out. */
  #tickPass(now: number, end: number): boolean {
    while (this.#ticks.length) {
      const w = this.#ticks[0];
      while (w.next < w.sessions.length) {
        // A session flushed in part keeps its place: the next slice goes on with it.
        if (this.#flush(w.sessions[w.next], now, w.isDue, false, w.part) !== 'more') w.next++;
        if (this.#elapsed() >= end) {
          if (w.next >= w.sessions.length) this.#ticks.shift();
          return true;
        }
      }
      this.#ticks.shift();
    }
    return false;
  }

  /** The queue of unthrottled news until `end`; true when the budget ran out. */
  #readyPass(now: number, end: number): boolean {
    let flushed = 0;
    let over = false;
    while (!over) {
      const s = this.#ready.shift();
      if (!s) break;
      flushed++;
      const since = this.#readyAt.get(s) ?? 0;
      // Flushed in part: back in the queue, behind the others, as late as it was.
      if (this.#flush(s, now, isZero, now - since > this.#lateMs, UNTHROTTLED) === 'more' && this.#ready.add(s)) this.#readyAt.set(s, since);
      if (this.#elapsed() >= end) over = true;
    }
    if (flushed) this.#o.onUnthrottledFlush?.(now);
    return over;
  }

  /**
   * One beat of the clock: releases every throttle class that is due and retries stalled
   * sessions, then runs one slice at once (the rest, if any, in the slices after).
   */
  tick(now: number): void {
    const { tickMs } = this.#o;
    const due = new Set<number>();
    const visit = new Set<Session>();
    for (const [t, g] of this.#groups) {
      if (g.nextAt > now) continue;
      due.add(t);
      // The next flush is a whole period away, rounded up onto the clock: never two within `t`.
      g.nextAt = Math.ceil((now + t) / tickMs) * tickMs;
      for (const s of g.sessions) visit.add(s);
      g.sessions.clear();
    }
    // Back in the queue with the time they were first queued: late ones flush conflated.
    for (const s of this.#stalled) if (!s.closed) this.#ready.add(s);
    this.#stalled.clear();
    if (visit.size) this.#ticks.push({ sessions: [...visit], next: 0, isDue: (t) => t === 0 || due.has(t), part: { maxItems: FLUSH_ITEMS, tick: ++this.#tickCount } });
    if (this.#ticks.length || this.#ready.size) this.#slice();
  }

  #flush(s: Session, now: number, due: (t: number) => boolean, late: boolean, part: FlushPart): FlushResult | 'failed' {
    let r;
    try {
      r = s.flush(now, due, this.#keep, late, part);
    } catch (err) {
      this.#o.onFail(s, err);
      return 'failed';
    }
    if (r === 'stalled') {
      const dirty = s.dirty; // a copy: read once
      for (const sub of dirty) if (sub.throttle !== 0) this.enqueue(sub);
      if (s.pending.length || dirty.some((sub) => sub.throttle === 0)) this.#stalled.add(s);
    }
    return r;
  }
}

const isZero = (t: number) => t === 0;
