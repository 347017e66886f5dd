import { describe, expect, it } from 'vitest';
import { TradeRing } from '../../server/market/trade-ring.js';
import { CandleSeries, CLOSE, HIGH, TIME } from '../../server/market/candle-series.js';

describe('TradeRing', () => {
  it('keeps the newest `capacity` trades in order, with consecutive ids', () => {
    const r = new TradeRing(4);
    expect(r.tail(10)).toEqual([]);
    for (let id = 7; id <= 16; id++) r.push(id, 100 + id, id / 10, id % 2 ? 'buy' : 'sell', 1000 + id);
    expect(r.length).toBe(4);
    expect(r.tail(10)).toEqual([13, 14, 15, 16].map((id) => ({ id, price: 100 + id, size: id / 10, side: id % 2 ? 'buy' : 'sell', ts: 1000 + id })));
    expect(r.tail(2).map((t) => t.id)).toEqual([15, 16]);
  });
});

describe('CandleSeries open bar', () => {
  it('updates the newest bar in place, across growth and wrap-around', () => {
    const s = new CandleSeries(6);
    expect(s.lastAt(TIME)).toBeNaN();
    for (let t = 0; t < 9; t++) {
      s.pushBar(t, t, t, t, t, 1);
      s.setLast(CLOSE, t + 0.5);
      s.setLast(HIGH, t + 1);
    }
    expect(s.length).toBe(6);
    expect(s.last()).toEqual({ time: 8, open: 8, high: 9, low: 8, close: 8.5, volume: 1 });
    expect(s.tail(6).map((c) => [c.time, c.close])).toEqual([3, 4, 5, 6, 7, 8].map((t) => [t, t + 0.5]));
  });
});
