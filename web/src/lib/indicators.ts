/**
 * Chart indicators computed from bars, pure: simple and exponential moving averages of the
 * close, and the volume-weighted average price. Each returns one point per bar from the first
 * bar where the value is defined, with that bar's time, so it lines up with the candles.
 */
import type { Candle } from '../../../shared/protocol.js';

export interface IndicatorPoint {
  time: number;
  value: number;
}

/** Periods accepted for SMA and EMA (bars). */
export const MIN_PERIOD = 2;
export const MAX_PERIOD = 500;

export const isPeriod = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= MIN_PERIOD && n <= MAX_PERIOD;

/** Simple moving average of the close over `period` bars; defined from bar `period - 1`. */
export function sma(bars: readonly Candle[], period: number): IndicatorPoint[] {
  const out: IndicatorPoint[] = [];
  let sum = 0;
  for (let i = 0; i < bars.length; i++) {
    sum += bars[i].close;
    if (i >= period) sum -= bars[i - period].close;
    if (i >= period - 1) out.push({ time: bars[i].time, value: sum / period });
  }
  return out;
}

/**
 * Exponential moving average of the close, k = 2 / (period + 1), seeded with the SMA of the
 * first `period` closes (the usual charting convention); defined from bar `period - 1`.
 */
export function ema(bars: readonly Candle[], period: number): IndicatorPoint[] {
  const out: IndicatorPoint[] = [];
  if (bars.length < period) return out;
  const k = 2 / (period + 1);
  let value = 0;
  for (let i = 0; i < period; i++) value += bars[i].close;
  value /= period;
  out.push({ time: bars[period - 1].time, value });
  for (let i = period; i < bars.length; i++) {
    value = bars[i].close * k + value * (1 - k);
    out.push({ time: bars[i].time, value });
  }
  return out;
}

/** The UTC day of an epoch-seconds time: VWAP's default session. */
export const utcDay = (timeSec: number): number => Math.floor(timeSec / 86_400);

/**
 * Volume-weighted average price of the typical price (high + low + close) / 3, accumulated
 * from the start of each session (`session(time)` changes: a new session starts; by default
 * the UTC day). A session whose bars have no volume yet takes the typical price.
 */
export function vwap(bars: readonly Candle[], session: (timeSec: number) => number = utcDay): IndicatorPoint[] {
  const out: IndicatorPoint[] = [];
  let current = NaN;
  let pv = 0;
  let vol = 0;
  for (const b of bars) {
    const s = session(b.time);
    if (s !== current) {
      current = s;
      pv = 0;
      vol = 0;
    }
    const typical = (b.high + b.low + b.close) / 3;
    pv += typical * b.volume;
    vol += b.volume;
    out.push({ time: b.time, value: vol > 0 ? pv / vol : typical });
  }
  return out;
}
