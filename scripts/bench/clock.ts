/**
 * Wall-clock time in ms with sub-millisecond resolution: the monotonic clock plus an offset
 * taken at the edge of a Date.now() millisecond, so it agrees with a server's Date.now() (same
 * host) to well under a millisecond instead of the ±1 ms of Date.now() itself.
 */
import { performance } from 'node:perf_hooks';

function calibrate(): number {
  const start = Date.now();
  let d = start;
  while (d === start) d = Date.now(); // spin to the next millisecond edge (< 1 ms)
  return d - performance.now();
}

const offset = calibrate();

/** ms since the Unix epoch, fractional. */
export const wallNow = (): number => performance.now() + offset;
