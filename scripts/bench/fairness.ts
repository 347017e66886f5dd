/**
 * Fairness across clients: the spread of per-client delivered rates over a measured window.
 * Pure. Every client of a scenario asks for the same offered rate (same symbol count, same
 * feed rate, streams picked at random), so an even server gives a narrow spread; starving some
 * clients shows as a low p1 or min against the median.
 */

export interface Spread {
  /** Clients counted (those connected when the measurement started). */
  clients: number;
  /** Per-client delivered updates per second at these percentiles (nearest rank), and the extremes. */
  p1: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  /** min / max (1 = perfectly even; 0 = some client got nothing). */
  minOverMax: number;
  /** p1 / p50: the worst-served 1% against the typical client. */
  p1OverP50: number;
  /** Jain's index (sum x)^2 / (n sum x^2): 1 = even, 1/n = one client gets everything. */
  jain: number;
}

/** The spread of `counts[i] / seconds`. With no client (or no time), every figure is NaN. */
export function spread(counts: readonly number[], seconds: number): Spread {
  const n = counts.length;
  if (n === 0 || !(seconds > 0)) {
    return { clients: n, p1: NaN, p50: NaN, p99: NaN, min: NaN, max: NaN, minOverMax: NaN, p1OverP50: NaN, jain: NaN };
  }
  const r = counts.map((c) => c / seconds).sort((a, b) => a - b);
  const at = (p: number) => r[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
  let sum = 0, sq = 0;
  for (const x of r) {
    sum += x;
    sq += x * x;
  }
  const min = r[0], max = r[n - 1], p1 = at(1), p50 = at(50);
  return {
    clients: n, p1, p50, p99: at(99), min, max,
    minOverMax: max > 0 ? min / max : NaN,
    p1OverP50: p50 > 0 ? p1 / p50 : NaN,
    jain: sq > 0 ? (sum * sum) / (n * sq) : NaN,
  };
}
