/**
 * Wall-clock time in ms with sub-millisecond resolution: the monotonic clock plus an offset
 * taken at the edge of a Date.now() millisecond, so it agrees with a server's Date.now() (same
 * host) to well under a millisecond instead of the ±1 ms of Date.now() itself.
 */
import { performance } from 'node:perf_hooks';

/** One edge sample: spin to the next millisecond edge (< 1 ms). Preemption can only make it low. */
function edge(): number {
  const start = Date.now();
  let d = start;
  while (d === start) d = Date.now();
  return d - performance.now();
}

/** The highest of a few edge samples: a sample taken across a preemption reads too low. */
function calibrate(): number {
  let best = -Infinity;
  for (let i = 0; i < 5; i++) best = Math.max(best, edge());
  return best;
}

let offset = calibrate();

/** ms since the Unix epoch, fractional. */
export const wallNow = (): number => performance.now() + offset;

/**
 * Takes the offset again (spins up to ~5 ms): the system clock may be slewed against the
 * monotonic one (NTP), by milliseconds over a long run. Call it before each measurement.
 */
export function recalibrate(): void {
  offset = calibrate();
}
