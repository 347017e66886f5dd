import { describe, expect, it } from 'vitest';
import type { Trade } from '../../shared/protocol.js';
import { TradeLog } from '../../server/history/trade-log.js';

const trade = (id: number): Trade => ({ id, price: 100 + id / 100, size: id % 7 === 0 ? 0.00000001 : id, side: id % 3 ? 'buy' : 'sell', ts: 1_765_000_000_000 + id });

describe('TradeLog', () => {
  it('keeps what an array of the same trades would, through growth, the capacity, shifts, shrinking and wrap-around', () => {
    const log = new TradeLog(50);
    let ref: Trade[] = [];
    let id = 0;
    // Pushes and drops in waves: the ring grows to its capacity, wraps, then shrinks as it empties.
    for (const [push, drop] of [[3, 0], [40, 5], [60, 20], [5, 30], [0, 8], [7, 1], [100, 49]] as const) {
      for (let k = 0; k < push; k++) {
        log.push(trade(++id));
        ref.push(trade(id));
        if (ref.length > 50) ref.shift();
      }
      log.shift(drop);
      ref = ref.slice(drop);
      expect(log.length).toBe(ref.length);
      expect(log.slice(0)).toEqual(ref);
      expect(log.slice(ref.length - 3)).toEqual(ref.slice(-3));
      if (ref.length) expect(log.at(0)).toEqual(ref[0]);
    }
    log.clear();
    expect(log.slice(0)).toEqual([]);
  });

  it('gives objects with the fields in the market state\'s order (their encodings are the same bytes)', () => {
    const log = new TradeLog(2);
    log.push(trade(1));
    expect(Object.keys(log.at(0))).toEqual(['id', 'price', 'size', 'side', 'ts']);
  });
});
