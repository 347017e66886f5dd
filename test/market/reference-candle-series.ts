/**
 * The bar series as plain objects, the obvious way: what the compact CandleSeries
 * (server/market/candle-series.ts) must give back, value for value, for the same calls.
 */
import type { Candle } from '../../shared/protocol.js';

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
