/**
 * When the simulated feed wakes next (sim-source.ts). Pure: times in ms of the feed's clock.
 *
 * Timed to the next due event: a one-shot timer for the earliest due time, so an event is
 * handed on within about a millisecond of its due time at any load, and an idle universe costs
 * one wake per WAKE_MIN_MS at most (not a tight loop: at 10,000 symbols something is due every
 * few microseconds). When events are already due as the wake ends (the loop is busy, or this
 * wake took long), `ms` is 0: the next turn of the event loop (setImmediate), after the
 * flushes this wake caused. With a fixed beat (`tickMs` > 0) the plan is setInterval's: every
 * `tickMs` from the last planned beat, without drift, and no catch-up burst after a stall.
 */

/** Least time between the starts of two wakes timed to due events, ms (Node's timers count whole ms). */
export const WAKE_MIN_MS = 1;

export interface WakeInput {
  /** The clock now (as the wake ends, or at start). */
  now: number;
  /** When the last wake started (at start: now). */
  wokeAt: number;
  /** Earliest due event left (Infinity: none). */
  nextDue: number;
  /** The fixed beat, or 0. */
  tickMs: number;
  /** The fixed beat's last planned time (at start: now). */
  plannedAt: number;
}

/** `at`: the planned time; `ms`: the timer's delay, a whole number >= 0 (0: the next turn). */
export function nextWake(w: WakeInput): { at: number; ms: number } {
  let at: number;
  if (w.tickMs > 0) {
    at = w.plannedAt + w.tickMs;
    if (at <= w.now - w.tickMs) at = w.now; // a stall: resume the beat from now
  } else {
    at = Math.max(w.nextDue, w.wokeAt + WAKE_MIN_MS);
  }
  const ms = Math.max(0, Math.ceil(at - w.now));
  return { at, ms };
}
