/**
 * When sessions flush. Unthrottled sessions flush right after the bus batch that dirtied them
 * (one setImmediate for all); throttled ones on one shared clock per throttle value, so every
 * session of a throttle class flushes together and their clients share item bytes. A class
 * never flushes twice within its throttle. Stalled sessions are retried on the clock's tick,
 * never in a busy loop. A session whose flush throws is handed to `onFail` (closed 1011 by
 * the hub); the pass goes on with the others. Throttle values are the hub's served steps, so
 * the groups are few and bounded.
 */
import type { Session, Sub } from './session.js';

export interface FlushClockOptions {
  now: () => number;
  /** Period of the clock, ms: throttled classes flush on its beats. */
  tickMs: number;
  /** A session's flush threw: it must be closed; the others go on. */
  onFail: (s: Session, err: unknown) => void;
  /** After each pass over the unthrottled sessions (for the fan-out delay metric). */
  onUnthrottledFlush?: (now: number) => void;
}

export class FlushClock {
  readonly #o: FlushClockOptions;
  readonly #immediate = new Set<Session>();
  readonly #groups = new Map<number, { nextAt: number; sessions: Set<Session> }>();
  #immediateQueued = false;
  #pass = 0;
  /** A throttled sub that was not due at a flush waits for its group's next one. */
  readonly #keep = (sub: Sub) => this.enqueue(sub);

  constructor(o: FlushClockOptions) {
    this.#o = o;
  }

  enqueue(sub: Sub): void {
    if (sub.throttle === 0) {
      this.#immediate.add(sub.session);
      if (!this.#immediateQueued) {
        this.#immediateQueued = true;
        setImmediate(() => this.#flushImmediate());
      }
      return;
    }
    let g = this.#groups.get(sub.throttle);
    if (!g) this.#groups.set(sub.throttle, (g = { nextAt: this.#o.now() + sub.throttle, sessions: new Set() }));
    g.sessions.add(sub.session);
  }

  /** A gated session with replies held: visited on every tick until the gate opens. */
  retry(s: Session): void {
    this.#immediate.add(s);
  }

  /** Drops a closed session from every schedule. */
  forget(session: Session): void {
    this.#immediate.delete(session);
    for (const g of this.#groups.values()) g.sessions.delete(session);
  }

  #flushImmediate(): void {
    this.#immediateQueued = false;
    const sessions = [...this.#immediate];
    this.#immediate.clear();
    const now = this.#o.now();
    for (const s of sessions) this.#flush(s, now, isZero);
    if (sessions.length) this.#o.onUnthrottledFlush?.(now);
  }

  /** One beat of the clock: flushes every throttle class that is due. */
  tick(now: number): void {
    const { tickMs } = this.#o;
    const due = new Set<number>();
    const visit: Session[] = [];
    const pass = ++this.#pass;
    for (const [t, g] of this.#groups) {
      if (g.nextAt > now) continue;
      due.add(t);
      // The next flush is a whole period away, rounded up onto the clock: never two within `t`.
      g.nextAt = Math.ceil((now + t) / tickMs) * tickMs;
      for (const s of g.sessions) {
        if (s.pass !== pass) {
          s.pass = pass;
          visit.push(s);
        }
      }
      g.sessions.clear();
    }
    for (const s of this.#immediate) if (s.stalledSince && s.pass !== pass) (s.pass = pass), visit.push(s);
    if (visit.length === 0) return;
    const isDue = (t: number) => t === 0 || due.has(t);
    for (const s of visit) this.#flush(s, now, isDue);
  }

  #flush(s: Session, now: number, due: (t: number) => boolean): void {
    let r;
    try {
      r = s.flush(now, due, this.#keep);
    } catch (err) {
      return this.#o.onFail(s, err);
    }
    if (r === 'stalled') {
      for (const sub of s.dirty) if (sub.throttle !== 0) this.enqueue(sub);
      if (s.pending.length || s.dirty.some((sub) => sub.throttle === 0)) this.#immediate.add(s);
    }
  }
}

const isZero = (t: number) => t === 0;
