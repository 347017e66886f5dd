/**
 * The price process: a log random walk with mean-reverting stochastic volatility and rare
 * jumps, stepped by the live feed and by the back-fill (day-walk.ts). Pure: randomness is a
 * parameter.
 */
import type { Rng } from './rng.js';

/** Walk state: `x` is the log mid price, `h` the log-volatility deviation (mean 0). */
export interface WalkState {
  x: number;
  h: number;
}

export const DAY = 86_400;
/** Log-vol mean-reverts over about an hour: volatility clusters, then calms. */
const VOL_KAPPA = 1 / 3600;
/** Stationary sd of log-vol: vol typically ranges over x0.5..x2 of the instrument's. */
export const VOL_SD = 0.35;
/** About one jump per symbol per day, of 2-3.5 hourly sigmas, which also lifts the vol. */
const JUMP_RATE = 1 / DAY;
export const JUMP_VOL_KICK = 0.5;
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
