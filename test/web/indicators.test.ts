import { describe, expect, it } from 'vitest';
import type { Candle } from '../../shared/protocol.js';
import { ema, sma, vwap } from '../../web/src/lib/indicators.js';

/** 40 fixed one-minute bars crossing a UTC midnight (bar 30 starts the new day). */
const T0 = Date.UTC(2026, 0, 5, 23, 30) / 1000;
const BARS: Candle[] = Array.from({ length: 40 }, (_, i) => {
  const close = 100 + Math.sin(i / 3) * 5 + i * 0.1;
  const open = close - Math.cos(i) * 0.8;
  return { time: T0 + i * 60, open, high: Math.max(open, close) + 0.4, low: Math.min(open, close) - 0.3, close, volume: 100 + ((i * 37) % 50) };
});

// Reference computations, written the long way from the textbook definitions.
const refSma = (bars: Candle[], n: number) =>
  bars.slice(n - 1).map((b, j) => ({ time: b.time, value: bars.slice(j, j + n).reduce((a, x) => a + x.close, 0) / n }));
const refEma = (bars: Candle[], n: number) => {
  const k = 2 / (n + 1);
  const out = [{ time: bars[n - 1].time, value: refSma(bars, n)[0].value }];
  for (let i = n; i < bars.length; i++) out.push({ time: bars[i].time, value: k * bars[i].close + (1 - k) * out.at(-1)!.value });
  return out;
};
const refVwap = (bars: Candle[]) =>
  bars.map((b, i) => {
    const day = new Date(b.time * 1000).toISOString().slice(0, 10);
    const same = bars.slice(0, i + 1).filter((x) => new Date(x.time * 1000).toISOString().slice(0, 10) === day);
    const pv = same.reduce((a, x) => a + ((x.high + x.low + x.close) / 3) * x.volume, 0);
    return { time: b.time, value: pv / same.reduce((a, x) => a + x.volume, 0) };
  });

const close = (got: { time: number; value: number }[], want: { time: number; value: number }[]) => {
  expect(got.map((p) => p.time)).toEqual(want.map((p) => p.time));
  got.forEach((p, i) => expect(p.value).toBeCloseTo(want[i].value, 9));
};

describe('indicators', () => {
  it('SMA matches the windowed mean from its first full window', () => {
    for (const n of [2, 5, 20]) close(sma(BARS, n), refSma(BARS, n));
    expect(sma(BARS, 3)[0]).toEqual({ time: BARS[2].time, value: (BARS[0].close + BARS[1].close + BARS[2].close) / 3 });
    expect(sma(BARS.slice(0, 4), 5)).toEqual([]);
  });

  it('EMA is seeded with the first SMA and smooths with 2 / (n + 1)', () => {
    for (const n of [2, 9, 21]) close(ema(BARS, n), refEma(BARS, n));
    expect(ema(BARS.slice(0, 8), 9)).toEqual([]);
    const flat = BARS.map((b) => ({ ...b, close: 50 }));
    expect(ema(flat, 10).every((p) => p.value === 50)).toBe(true);
  });

  it('VWAP accumulates typical price by volume and restarts at each UTC day', () => {
    close(vwap(BARS), refVwap(BARS));
    const first = BARS[30];
    expect(vwap(BARS)[30].value).toBeCloseTo((first.high + first.low + first.close) / 3, 12);
    expect(vwap([{ ...BARS[0], volume: 0 }])[0].value).toBeCloseTo((BARS[0].high + BARS[0].low + BARS[0].close) / 3, 12);
  });
});
