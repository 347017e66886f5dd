import fc from 'fast-check';
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

  it('gives back any trades exactly (odd ids, times, prices and sizes turn their columns into doubles)', () => {
    const num = fc.oneof(fc.integer({ min: 1, max: 10 ** 6 }).map((n) => n / 100), fc.double({ noNaN: false }), fc.constantFrom(0, -0, 2 ** 60, 0.1 + 0.2, 1e-9, 12345.678901234));
    const t = fc.record({ id: fc.oneof(fc.constant(NaN), fc.integer({ min: 0, max: 3 }), num), price: num, size: num, buy: fc.boolean(), ts: fc.oneof(fc.integer({ min: 0, max: 5000 }), num) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(fc.oneof(t, fc.integer({ min: 0, max: 4 })), { maxLength: 60 }), (cap, ops) => {
        const log = new TradeLog(cap);
        let ref: Trade[] = [];
        let id = 100;
        let ts = 1_765_000_000_000;
        for (const o of ops) {
          if (typeof o === 'number') {
            log.shift(o);
            ref = ref.slice(o);
          } else {
            // Mostly consecutive ids and rising times, as the feed's, sometimes anything.
            const x: Trade = { id: Number.isNaN(o.id) ? ++id : o.id === 3 ? o.id : (id += o.id), price: o.price, size: o.size, side: o.buy ? 'buy' : 'sell', ts: Number.isInteger(o.ts) && o.ts <= 5000 ? (ts += o.ts) : o.ts };
            log.push(x);
            ref.push({ ...x });
            if (ref.length > cap) ref.shift();
          }
          const got = log.slice(0);
          expect(got.length).toBe(ref.length);
          got.forEach((g, k) => {
            for (const f of ['id', 'price', 'size', 'ts'] as const) if (!Object.is(g[f], ref[k]![f])) expect(g).toEqual(ref[k]);
            expect(g.side).toBe(ref[k]!.side);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes about 12 bytes a feed trade', () => {
    const log = new TradeLog(1024);
    for (let k = 1; k <= 1024; k++) log.push({ id: k, price: (18723 + (k % 50)) / 100, size: 100 * (k % 9), side: 'buy', ts: 1_765_000_000_000 + 37 * k });
    expect(log.bytes).toBeLessThanOrEqual(1024 * 12);
  });

  it('gives objects with the fields in the market state\'s order (their encodings are the same bytes)', () => {
    const log = new TradeLog(2);
    log.push(trade(1));
    expect(Object.keys(log.at(0))).toEqual(['id', 'price', 'size', 'side', 'ts']);
  });

  it("keeps a recorded trade's xid (protocol 1.2) across growth, shrinking and wrap, after the other fields", () => {
    const log = new TradeLog(8);
    for (let k = 1; k <= 20; k++) log.push({ ...trade(k), ...(k % 3 ? { xid: `x${k}` } : {}) });
    log.shift(5);
    const got = log.slice(0);
    expect(got.map((t) => t.id)).toEqual([18, 19, 20]);
    expect(got.map((t) => t.xid)).toEqual([undefined, 'x19', 'x20']);
    expect(Object.keys(got[1]!)).toEqual(['id', 'price', 'size', 'side', 'ts', 'xid']);
  });
});
