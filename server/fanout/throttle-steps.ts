/**
 * The throttle steps served (ms). A requested throttle is rounded up to the next step (within
 * `hello.limits.throttle`), so the flush clock keeps at most this many groups, whatever
 * clients ask. Pure.
 */
export const THROTTLE_STEPS = [10, 20, 25, 50, 100, 200, 250, 300, 500, 1000, 2000, 3000, 5000, 10000, 15000, 30000, 60000] as const;

/** 0 (every event) for 0 or less; else the smallest served step >= ms within [min, max] (max itself past the last step). */
export function roundThrottle(ms: number, limits: { min: number; max: number }, tickMs: number): number {
  if (!(ms > 0)) return 0;
  const t = Math.min(limits.max, Math.max(limits.min, ms, tickMs));
  for (const step of THROTTLE_STEPS) if (step >= t && step >= tickMs && step <= limits.max) return step;
  return limits.max;
}
