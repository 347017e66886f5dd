/**
 * The bar series as plain objects, the obvious way: what the compact CandleSeries
 * (server/market/candle-series.ts) must give back, value for value, for the same calls.
 */
import { expect } from 'vitest';
import type { Candle } from '../../shared/protocol.js';
import { TIME, VOLUME } from '../../server/market/candle-series.js';

const KEYS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

export class ReferenceSeries {
  readonly bars: Candle[] = [];
  constructor(readonly capacity: number) {}

  get length(): number {
    return this.bars.length;
  }

  pushBar(time: number, open: number, high: number, low: number, close: number, volume: number): void {
    this.bars.push({ time, open, high, low, close, volume });
    if (this.bars.length > this.capacity) this.bars.shift();
  }

  lastAt(col: number): number {
    const b = this.bars.at(-1);
    return b ? b[KEYS[col]!] : NaN;
  }

  setLast(col: number, v: number): void {
    const b = this.bars.at(-1);
    if (b) b[KEYS[col]!] = v;
  }

  tail(limit: number): Candle[] {
    return this.bars.slice(Math.max(0, this.bars.length - Math.max(0, limit))).map((b) => ({ ...b }));
  }
}

/** Same bars and newest fields, bit for bit (Object.is: -0 and NaN too). */
export function sameSeries(a: Pick<ReferenceSeries, 'lastAt' | 'tail' | 'length'>, b: Pick<ReferenceSeries, 'lastAt' | 'tail' | 'length'>): void {
  expect(a.length).toBe(b.length);
  const x = a.tail(a.length);
  const y = b.tail(b.length);
  for (let i = 0; i < x.length; i++) for (const k of Object.keys(y[i]!) as (keyof (typeof y)[0])[]) if (!Object.is(x[i]![k], y[i]![k])) expect(x[i]).toEqual(y[i]);
  for (let c = TIME; c <= VOLUME; c++) expect(Object.is(a.lastAt(c), b.lastAt(c))).toBe(true);
}
