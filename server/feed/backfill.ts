/**
 * The price process (log random walk with mean-reverting stochastic volatility and rare jumps)
 * and the back-fill that runs it over the 24 h before the feed starts, so charts open full.
 * Pure: time and randomness are parameters.
 */
import type { Interval } from '../../shared/protocol.js';
import type { Instrument, Quote, SymbolHistory } from './tick-source.js';
import { microstructure, type Microstructure } from './universe.js';
import type { Rng } from './rng.js';

/** Walk state: `x` is the log mid price, `h` the log-volatility deviation (mean 0). */
export interface WalkState {
  x: number;
  h: number;
}

const DAY = 86_400;
/** Log-vol mean-reverts over about an hour: volatility clusters, then calms. */
const VOL_KAPPA = 1 / 3600;
/** Stationary sd of log-vol: vol typically ranges over x0.5..x2 of the instrument's. */
export const VOL_SD = 0.35;
/** About one jump per symbol per day, of 2-3.5 hourly sigmas, which also lifts the vol. */
const JUMP_RATE = 1 / DAY;
const JUMP_VOL_KICK = 0.5;
/**
 * Share of the daily variance left to the diffusion: jumps (~1 * 7.75 / 24) and their vol
 * kicks take the rest, so a day's move is about `vol` overall.
 */
const DIFFUSION_SHARE = 0.65;

/** Diffusive volatility per sqrt(second), from a daily volatility fraction. */
export const perSecondVol = (dailyVol: number): number => dailyVol * Math.sqrt(DIFFUSION_SHARE / DAY);

/** Current volatility relative to normal; E[mult^2] = 1, so `vol` stays the average daily vol. */
export const volMultiplier = (h: number): number => Math.exp(h - VOL_SD * VOL_SD);

// One-entry memos: the back-fill steps the price 60 times per volatility step, and the
// volatility with the same dt thousands of times.
// In a typed array: a double stored in a module-level `let` is a fresh heap number each time.
const MEMO = Float64Array.of(NaN, 1, NaN, 1, 0);
const H = 0, M = 1, OU_DT = 2, OU_DECAY = 3, OU_NOISE = 4;

/**
 * Moves the log price `dt` seconds (dt <= 0: no change) at the current volatility. Returns the
 * diffusive sd of the step in log units (sigma * volMultiplier * sqrt(dt)). A jump adds `kick`
 * to the log-vol (the back-fill, walking back in time, passes the negative: see backfill).
 */
export function stepPrice(s: WalkState, sigma: number, dt: number, rng: Rng, kick = JUMP_VOL_KICK): number {
  if (dt <= 0) return 0;
  if (s.h !== MEMO[H]) {
    MEMO[H] = s.h;
    MEMO[M] = volMultiplier(s.h);
  }
  const m = MEMO[M]!;
  const sd = sigma * m * Math.sqrt(dt);
  s.x += sd * rng.normal() - (sd * sd) / 2; // -sd^2/2: the price, not its log, is a martingale
  if (rng.next() < JUMP_RATE * dt) {
    const hourly = (sigma * m * 60) / Math.sqrt(DIFFUSION_SHARE);
    s.x += (rng.next() < 0.5 ? -1 : 1) * (2 + 1.5 * rng.next()) * hourly;
    s.h += kick;
  }
  return sd;
}

/** Moves the log-volatility `dt` seconds (dt <= 0: no change). */
export function stepVol(s: WalkState, dt: number, rng: Rng): void {
  if (dt <= 0) return;
  if (dt !== MEMO[OU_DT]) {
    const decay = Math.exp(-VOL_KAPPA * dt); // exact Ornstein-Uhlenbeck step, valid for any dt
    MEMO[OU_DT] = dt;
    MEMO[OU_DECAY] = decay;
    MEMO[OU_NOISE] = VOL_SD * Math.sqrt(1 - decay * decay);
  }
  s.h = s.h * MEMO[OU_DECAY]! + MEMO[OU_NOISE]! * rng.roughNormal(); // vol-of-vol noise need not be Gaussian
}

/** Price then volatility by `dt` seconds; returns stepPrice's sd. */
export function stepWalk(s: WalkState, sigma: number, dt: number, rng: Rng): number {
  const sd = stepPrice(s, sigma, dt, rng);
  stepVol(s, dt, rng);
  return sd;
}

/**
 * Contiguous bars of one interval, packed to spare the heap: bar i opens at
 * `time0 + i * seconds` (epoch seconds); `data[5i .. 5i + 4]` hold its open, high, low and
 * close in whole ticks (see Microstructure.fromTicks) and its volume.
 */
export interface PackedBars {
  seconds: number;
  time0: number;
  count: number;
  data: Float64Array;
}

/** Back-filled bars and state at `endMs`, from which the live simulation continues. */
export interface Backfill extends BackfillBars {
  quote: Quote;
  state: WalkState;
}

/** The history part of a back-fill: what only the walk over the past 24 h can tell. */
export interface BackfillBars {
  bars: Record<Interval, PackedBars>;
  /** The last trade price at endMs (the close of the last bars). */
  last: number;
  session: SymbolHistory['session'];
  micro: Microstructure;
}

export interface BackfillOptions {
  /** Mean trades per second at normal volatility, for bar volumes (default 1). */
  tradeRate?: number;
}

/**
 * The walk's state at the end of the back-fill, where live events begin: the price at
 * `inst.price`, the log-vol drawn from its stationary law. Cheap, so that a feed can start
 * thousands of symbols without their histories (see backfillBars). Consumes one normal of `rng`.
 */
export function endState(inst: Instrument, rng: Rng): WalkState {
  return { x: Math.log(inst.price), h: VOL_SD * rng.normal() };
}

/** The last price the history ends on, in units: the end state's price on the tick grid. */
export function endPrice(inst: Instrument, end: WalkState): number {
  const ms = microstructure(inst);
  return ms.fromTicks(Math.max(1, Math.round(Math.exp(end.x) * ms.ticksPerUnit)));
}

/**
 * `endState`, the history behind it (from `rng.fork('history')`, see backfillBars) and the
 * quote at the end (from `rng`). `rng` is consumed.
 */
export function backfill(inst: Instrument, rng: Rng, endMs: number, opts: BackfillOptions = {}): Backfill {
  const state = endState(inst, rng);
  const bars = backfillBars(inst, state, rng.fork('history'), endMs, opts);
  return { ...bars, quote: bars.micro.quote(Math.exp(state.x), volMultiplier(state.h), rng), state };
}

/**
 * History ending at `endMs` in state `end`: 1m bars from the hour boundary at or before
 * endMs - 24 h (so 1441-1500 bars), 5m and 1h bars aggregated from them, and the last 3600 1s
 * bars. Bar times are aligned to the interval on the epoch; the last bar of each interval
 * contains endMs and is partial. The walk runs backward in time from `end` (a diffusion's
 * reverse is one too; a jump lowers the log-vol going back, so forward it rises at the jump, as
 * live): by the second over the last hour (volatility by the minute), then by the minute with
 * Brownian-bridge extremes; the last 1m bars are aggregated from the 1s bars, so all intervals
 * agree. The session spans all 1m bars. Depends only on its arguments: the same history
 * whenever it is computed. `rng` is consumed; `end` is not changed.
 */
export function backfillBars(inst: Instrument, end: WalkState, rng: Rng, endMs: number, opts: BackfillOptions = {}): BackfillBars {
  const ms = microstructure(inst);
  const k = ms.ticksPerUnit;
  const sigma = perSecondVol(inst.vol);
  const tradeRate = opts.tradeRate ?? 1;
  const volRng = rng.fork('volume'); // own stream: the price path does not depend on the trade rate
  const endSec = Math.floor(endMs / 1000);
  const firstHour = Math.floor((endSec - DAY) / 3600) * 3600;
  const firstSecond = Math.floor((endSec - 3599) / 60) * 60; // on a minute boundary
  const state: WalkState = { x: end.x, h: end.h };
  let close = Math.max(1, Math.round(Math.exp(state.x) * k));

  /** Steps the price `dt` seconds back from bar i's close and writes bar i of `out`, in ticks. */
  const bar = (out: Float64Array, i: number, dt: number): void => {
    const x1 = state.x; // the close
    const sd = stepPrice(state, sigma, dt, rng, -JUMP_VOL_KICK);
    const x0 = state.x; // the open
    const p1 = Math.exp(x1) * k;
    const open = Math.max(1, Math.round(Math.exp(x0) * k));
    // Max and min of a Brownian bridge from x0 to x1 with variance sd^2 (each drawn alone):
    // x0 + x1 +- sqrt((x1 - x0)^2 + 2 sd^2 E) over 2, E ~ Exp(1). Two independent E from one
    // log: g = -ln(u1 u2) ~ Gamma(2) splits as g v, g (1 - v). exp(d) ~ 1 + d + d^2/2 here.
    const d2 = (x1 - x0) * (x1 - x0);
    const g = 2 * sd * sd * -Math.log((1 - rng.next()) * (1 - rng.next()));
    const v = rng.next();
    const up = (x0 - x1 + Math.sqrt(d2 + g * v)) / 2;
    const down = (x0 - x1 - Math.sqrt(d2 + g * (1 - v))) / 2;
    const o = 5 * i;
    out[o] = open;
    out[o + 1] = Math.max(Math.round(p1 * (1 + up * (1 + up / 2))), open, close);
    out[o + 2] = Math.max(1, Math.min(Math.round(p1 * (1 + down * (1 + down / 2))), open, close));
    out[o + 3] = close;
    // Trades arrive faster when volatility is high: lambda = rate * dt * volMultiplier.
    out[o + 4] = dt > 0 ? barVolume(ms, (tradeRate * sd * Math.sqrt(dt)) / sigma, volRng) : 0;
    close = open;
  };

  const seconds = endSec - firstSecond + 1;
  const s1: PackedBars = { seconds: 1, time0: firstSecond, count: seconds, data: new Float64Array(seconds * 5) };
  const lastDt = endMs / 1000 - endSec; // the last bar is partial: the walk starts exactly at endMs
  bar(s1.data, seconds - 1, lastDt);
  stepVol(state, ((seconds - 1) % 60) + lastDt, rng);
  for (let i = seconds - 2; i >= 0; i--) {
    bar(s1.data, i, 1);
    if (i % 60 === 0 && i > 0) stepVol(state, 60, rng);
  }
  const minutes = (firstSecond - firstHour) / 60;
  const m1Head = new Float64Array(minutes * 5);
  for (let i = minutes - 1; i >= 0; i--) {
    stepVol(state, 60, rng);
    bar(m1Head, i, 60);
  }

  const m1Tail = aggregate(s1, 60, ms);
  const m1: PackedBars = { seconds: 60, time0: firstHour, count: minutes + m1Tail.count, data: new Float64Array((minutes + m1Tail.count) * 5) };
  m1.data.set(m1Head);
  m1.data.set(m1Tail.data, minutes * 5);
  const skip = seconds - 3600; // keep exactly the last hour of 1s bars
  const last1s: PackedBars = { seconds: 1, time0: firstSecond + skip, count: 3600, data: s1.data.slice(skip * 5) };

  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  for (let o = 0; o < m1.data.length; o += 5) {
    high = Math.max(high, m1.data[o + 1]);
    low = Math.min(low, m1.data[o + 2]);
    volume += m1.data[o + 4];
  }
  return {
    bars: { '1s': last1s, '1m': m1, '5m': aggregate(m1, 300, ms), '1h': aggregate(m1, 3600, ms) },
    last: ms.fromTicks(m1.data[m1.data.length - 2]),
    session: { open: ms.fromTicks(m1.data[0]), high: ms.fromTicks(high), low: ms.fromTicks(low), volume: ms.volume(volume) },
    micro: ms,
  };
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

/**
 * Bars of `seconds` (a multiple of src.seconds) from `src`: each opens at
 * floor(time / seconds) * seconds with the open of its first bar, the close of its last, the
 * max high, min low and summed volume (rounded by `ms.volume`, to drop floating-point dust).
 */
export function aggregate(src: PackedBars, seconds: number, ms: Pick<Microstructure, 'volume'>): PackedBars {
  const first = Math.floor(src.time0 / seconds);
  const count = src.count === 0 ? 0 : Math.floor((src.time0 + (src.count - 1) * src.seconds) / seconds) - first + 1;
  const out = new Float64Array(count * 5);
  const s = src.data;
  let j = -1;
  for (let i = 0; i < src.count; i++) {
    const k = Math.floor((src.time0 + i * src.seconds) / seconds) - first;
    const o = 5 * i;
    const p = 5 * k;
    if (k !== j) {
      if (j >= 0) out[5 * j + 4] = ms.volume(out[5 * j + 4]);
      j = k;
      for (let f = 0; f < 5; f++) out[p + f] = s[o + f];
    } else {
      out[p + 1] = Math.max(out[p + 1], s[o + 1]);
      out[p + 2] = Math.min(out[p + 2], s[o + 2]);
      out[p + 3] = s[o + 3];
      out[p + 4] += s[o + 4];
    }
  }
  if (j >= 0) out[5 * j + 4] = ms.volume(out[5 * j + 4]);
  return { seconds, time0: first * seconds, count, data: out };
}
