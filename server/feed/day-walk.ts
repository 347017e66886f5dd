/**
 * The back-fill's path, anchored to a fixed time (the UTC day start: see backfill.ts) so that a
 * seed gives the same bars whenever they are computed: minute bars walked forward and backward
 * from the walk's state at the anchor, each direction drawing from its own generator in a fixed
 * order; the seconds of a minute refined from that minute's bar with a generator named by the
 * minute, so every interval agrees. Pure: randomness is a parameter; bars are packed as in
 * PackedBars (open, high, low, close in whole ticks, then volume).
 */
import type { Rng } from './rng.js';
import type { Instrument } from './tick-source.js';
import type { Microstructure } from './universe.js';
import { JUMP_VOL_KICK, perSecondVol, stepPrice, stepVol, type WalkState } from './walk.js';

/** Fields per packed bar. */
const F = 5;

export interface MinuteWalk {
  inst: Instrument;
  ms: Microstructure;
  /** Draws of the price path (forward and backward each their own). */
  rng: Rng;
  /** Draws of the volumes (their own stream: the price path does not depend on the trade rate); none: volumes 0. */
  volume?: { rng: Rng; tradeRate: number };
}

/**
 * Walks `count` minutes from `from` (not changed): forward (`dir` 1), minute i opens at the
 * anchor + i minutes and is written at `out[offset + i]`; backward (-1), minute i closes at the
 * anchor - i minutes and is written at `out[offset + count - 1 - i]`. Without `out` only the
 * last minute walked is kept. Returns the state at the end of the walk and that last bar.
 */
export function walkMinutes(w: MinuteWalk, from: WalkState, dir: 1 | -1, count: number, out?: Float64Array, offset = 0): { state: WalkState; last: Float64Array } {
  const { ms, rng } = w;
  const k = ms.ticksPerUnit;
  const sigma = perSecondVol(w.inst.vol);
  const state: WalkState = { x: from.x, h: from.h };
  const last = new Float64Array(F);
  let edge = Math.max(1, Math.round(Math.exp(state.x) * k)); // the bar's open (forward) or close (backward), in ticks
  for (let i = 0; i < count; i++) {
    if (dir < 0) stepVol(state, 60, rng);
    const xa = state.x;
    // A jump lifts the log-vol where it happens; walking back, it lowers it.
    const sd = stepPrice(state, sigma, 60, rng, dir * JUMP_VOL_KICK);
    if (!out && i < count - 1) {
      // Only the last bar is kept: the draws of this one are taken, its values not worked out
      // (the live walk's start costs a fraction of the history's).
      rng.next(), rng.next(), rng.next();
      if (dir > 0) stepVol(state, 60, rng);
      continue;
    }
    if (!out && i > 0) edge = Math.max(1, Math.round(Math.exp(xa) * k)); // the skipped bars' last close
    const bar = out ? out.subarray((offset + (dir > 0 ? i : count - 1 - i)) * F) : last;
    const [x0, x1] = dir > 0 ? [xa, state.x] : [state.x, xa];
    const other = Math.max(1, Math.round(Math.exp(dir > 0 ? x1 : x0) * k));
    const [open, close] = dir > 0 ? [edge, other] : [other, edge];
    // Max and min of a Brownian bridge from x0 to x1 with variance sd^2 (each drawn alone):
    // x0 + x1 +- sqrt((x1 - x0)^2 + 2 sd^2 E) over 2, E ~ Exp(1). Two independent E from one
    // log: g = -ln(u1 u2) ~ Gamma(2) splits as g v, g (1 - v). exp(d) ~ 1 + d + d^2/2 here.
    const p1 = Math.exp(x1) * k;
    const d2 = (x1 - x0) * (x1 - x0);
    const g = 2 * sd * sd * -Math.log((1 - rng.next()) * (1 - rng.next()));
    const v = rng.next();
    const up = (x0 - x1 + Math.sqrt(d2 + g * v)) / 2;
    const down = (x0 - x1 - Math.sqrt(d2 + g * (1 - v))) / 2;
    bar[0] = open;
    bar[1] = Math.max(Math.round(p1 * (1 + up * (1 + up / 2))), open, close);
    bar[2] = Math.max(1, Math.min(Math.round(p1 * (1 + down * (1 + down / 2))), open, close));
    bar[3] = close;
    // Trades arrive faster when volatility is high: lambda = rate * dt * volMultiplier.
    bar[4] = w.volume ? barVolume(ms, (w.volume.tradeRate * sd * Math.sqrt(60)) / sigma, w.volume.rng) : 0;
    if (dir > 0) stepVol(state, 60, rng);
    edge = other;
    if (out && i === count - 1) last.set(bar.subarray(0, F));
  }
  return { state, last };
}

/**
 * The 60 one-second bars of a minute bar `m` (o, h, l, c in ticks, volume): the closes follow a
 * Brownian bridge from the open to the close inside [low, high], one second reaches the high
 * and one the low, and the volumes add up to the minute's; so the seconds aggregate back to `m`.
 */
export function refineMinute(m: ArrayLike<number>, ms: Pick<Microstructure, 'volume'>, rng: Rng): Float64Array {
  const [o, hi, lo, c, vol] = [m[0]!, m[1]!, m[2]!, m[3]!, m[4]!];
  const out = new Float64Array(60 * F);
  const dev = new Float64Array(61);
  for (let i = 1; i <= 60; i++) dev[i] = dev[i - 1]! + rng.normal();
  let scale = (hi - lo) / (2 * Math.sqrt(60)); // a bridge of this step roughly spans the range
  for (let i = 1; i <= 60; i++) {
    dev[i] -= (i / 60) * dev[60]!; // pinned: ends at 0
    const line = o + ((c - o) * i) / 60;
    const room = dev[i]! > 0 ? (hi - line) / dev[i]! : dev[i]! < 0 ? (lo - line) / dev[i]! : Infinity;
    scale = Math.min(scale, room);
  }
  let top = 0;
  let bottom = 0;
  let prev = o;
  let cum = 0;
  let before = 0; // the volume of the seconds so far
  let weights = 0;
  const w = new Float64Array(60);
  for (let i = 0; i < 60; i++) weights += w[i] = rng.next();
  for (let i = 0; i < 60; i++) {
    const close = i === 59 ? c : Math.min(hi, Math.max(lo, Math.round(o + ((c - o) * (i + 1)) / 60 + scale * dev[i + 1]!)));
    const wick = Math.abs(rng.roughNormal()) * scale * 0.5;
    const b = i * F;
    out[b] = prev;
    out[b + 1] = Math.min(hi, Math.max(prev, close) + Math.round(wick));
    out[b + 2] = Math.max(lo, Math.min(prev, close) - Math.round(wick * rng.next()));
    out[b + 3] = close;
    // Cumulative shares rounded by ms.volume: the parts add up to the minute's volume exactly.
    const upTo = i === 59 ? vol : ms.volume((vol * (cum += w[i]!)) / weights);
    out[b + 4] = ms.volume(upTo - before);
    before = upTo;
    if (out[b + 1]! > out[top * F + 1]!) top = i;
    if (out[b + 2]! < out[bottom * F + 2]!) bottom = i;
    prev = close;
  }
  out[top * F + 1] = hi;
  out[bottom * F + 2] = lo;
  return out;
}

let memoLambda = NaN;
let memoFloor = 1;

/**
 * Volume of a bar with `lambda` expected trades: a Poisson count of trades of mean size, with
 * the spread of a sum of lognormal sizes (coefficient of variation ~1.3) drawn roughly.
 */
function barVolume(ms: Microstructure, lambda: number, rng: Rng): number {
  let n = 0;
  if (lambda > 12) {
    n = Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.roughNormal())); // normal approximation
  } else {
    if (lambda !== memoLambda) {
      memoLambda = lambda;
      memoFloor = Math.exp(-lambda);
    }
    for (let p = rng.next(); p > memoFloor; p *= rng.next()) n++;
  }
  if (n === 0) return 0;
  const noise = Math.max(0.2, 1 + (1.3 * rng.roughNormal()) / Math.sqrt(n));
  return ms.volume(Math.max(ms.lot, ms.meanTradeSize * noise) * n);
}
