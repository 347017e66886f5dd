import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INTERVAL_NAMES, INTERVALS } from '../../shared/protocol.js';
import { CandleSeries, CLOSE, HIGH, LOW, TIME, VOLUME } from '../../server/market/candle-series.js';
import { HISTORY_CAP } from '../../server/market/market-state.js';
import { SimSource } from '../../server/feed/sim-source.js';
import { ReferenceSeries, sameSeries } from './reference-candle-series.js';

type Series = Pick<ReferenceSeries, 'pushBar' | 'setLast' | 'lastAt' | 'tail' | 'length'>;

/** What MarketState does with one print (its #candle), on any series. */
function print(s: Series, len: number, price: number, size: number, ts: number): void {
  const time = Math.floor(ts / 1000 / len) * len;
  if (!(time <= s.lastAt(TIME))) return s.pushBar(time, price, price, price, price, size);
  s.setLast(CLOSE, price);
  s.setLast(VOLUME, Math.round((s.lastAt(VOLUME) + size) * 1e8) / 1e8);
  if (price > s.lastAt(HIGH)) s.setLast(HIGH, price);
  if (price < s.lastAt(LOW)) s.setLast(LOW, price);
}


describe('CandleSeries (compact) against plain objects', () => {
  it('gives back the simulator\'s back-filled bars and live bars exactly, every instrument kind, with a seeded run', () => {
    let now = Date.UTC(2026, 0, 5, 15);
    let tick: (() => void) | undefined;
    const feed = new SimSource({ symbols: 60, rate: 50, seed: 'candle-series', now: () => now, setTimer: (fn) => ((tick = fn), 1), clearTimer: () => {} });
    const pairs = new Map<string, [CandleSeries, ReferenceSeries][]>();
    let compactBytes = 0;
    let plainBytes = 0;
    for (const inst of feed.instruments) {
      const h = feed.history(inst.symbol);
      pairs.set(
        inst.symbol,
        INTERVAL_NAMES.map((iv) => {
          const a = new CandleSeries(HISTORY_CAP[iv]);
          const b = new ReferenceSeries(HISTORY_CAP[iv]);
          for (const c of h.bars[iv]) a.pushBar(c.time, c.open, c.high, c.low, c.close, c.volume), b.pushBar(c.time, c.open, c.high, c.low, c.close, c.volume);
          return [a, b];
        }),
      );
    }
    feed.start((batch) => {
      for (const e of batch) {
        const prints = e.trade ? [e.trade, ...(e.sweep ?? [])] : [];
        const ps = pairs.get(e.symbol)!;
        for (const p of prints) INTERVAL_NAMES.forEach((iv, k) => (print(ps[k]![0], INTERVALS[iv], p.price, p.size, e.ts), print(ps[k]![1], INTERVALS[iv], p.price, p.size, e.ts)));
      }
    });
    for (let t = 0; t < 70_000; t += 20) (now += 20), tick!();
    feed.stop();
    for (const ps of pairs.values())
      for (const [a, b] of ps) {
        sameSeries(a, b);
        compactBytes += a.bytes;
        plainBytes += b.length * 48;
      }
    // The point of it: well under half the bytes of six doubles a bar.
    expect(compactBytes).toBeLessThan(plainBytes * 0.4);
  });

  it('holds any doubles exactly: finer scales as they come, then plain doubles, across growth and wrap-around', () => {
    const price = fc.oneof(fc.integer({ min: 1, max: 100000 }).map((n) => n / 100), fc.integer({ min: -5e6, max: 5e6 }).map((n) => n / 1e6), fc.double({ noNaN: false }), fc.constantFrom(0, -0, 1e300, 2 ** 60, 0.1 + 0.2));
    const op = fc.oneof(
      fc.record({ k: fc.constant('push' as const), t: fc.integer({ min: 0, max: 100 }), o: price, h: price, l: price, c: price, v: price }),
      fc.record({ k: fc.constant('set' as const), col: fc.integer({ min: 0, max: 5 }), v: price }),
      fc.record({ k: fc.constant('tail' as const), n: fc.integer({ min: 0, max: 12 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 60 }), (cap, chunk, ops) => {
        const a = new CandleSeries(cap, chunk);
        const b = new ReferenceSeries(cap);
        let time = 1_700_000_000;
        for (const o of ops) {
          if (o.k === 'push') (time += o.t), a.pushBar(time, o.o, o.h, o.l, o.c, o.v), b.pushBar(time, o.o, o.h, o.l, o.c, o.v);
          else if (o.k === 'set') {
            const v = o.col === TIME ? (time += Math.abs(Math.trunc(o.v)) % 50) : o.v;
            a.setLast(o.col, v), b.setLast(o.col, v);
          } else expect(a.tail(o.n).length).toBe(b.tail(o.n).length);
          sameSeries(a, b);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('grows a chunk at a time past the first chunk, each chunk as wide as its own values, and hands a chunked series on whole', () => {
    const cents = (x: number) => Math.round(x * 100) / 100;
    const bar = (t: number, jump: number): [number, number, number, number, number, number] => {
      const p = cents(100 + Math.sin(t / 7) + (t > 700 ? jump : 0));
      return [60 * t, p, cents(p + 0.05), cents(p - 0.05), cents(p + 0.01), 1 + (t % 9)];
    };
    // One byte a value throughout: 4, 8, .., 64 slots by doubling, then 64 at a time up to 1,000.
    const flat = new CandleSeries(1000, 64);
    const sizes: number[] = [];
    for (let t = 0; t < 1300; t++) {
      flat.pushBar(...bar(t, 0));
      if (sizes.at(-1) !== flat.bytes) sizes.push(flat.bytes);
    }
    expect(sizes).toEqual([4, 8, 16, 32, 64, ...Array.from({ length: 14 }, (_, k) => 64 * (k + 2)), 1000].map((n) => 6 * n));
    // A jump of 4,000 ticks widens the prices of the chunk it falls in, not of the others.
    const a = new CandleSeries(1000, 64);
    const b = new ReferenceSeries(1000);
    for (let t = 0; t < 1300; t++) a.pushBar(...bar(t, 40)), b.pushBar(...bar(t, 40));
    sameSeries(a, b);
    expect(a.bytes).toBe(6000 + 4 * 64);
    const c = CandleSeries.from(a.state());
    sameSeries(c, b);
    c.pushBar(60 * 1300, 150, 151, 149, 150.5, 3), b.pushBar(60 * 1300, 150, 151, 149, 150.5, 3);
    sameSeries(c, b);
  });

  it('keeps one byte per price for a quiet equity, widening a column only when a value needs it', () => {
    const s = new CandleSeries(100);
    for (let t = 0; t < 100; t++) s.pushBar(1000 + t, 100 + (t % 3) / 100, 100.05, 99.95, 100.01, 7);
    expect(s.bytes).toBe(100 * 6);
    s.setLast(HIGH, 250.5); // 15,049 ticks above the reference: two bytes
    expect(s.lastAt(HIGH)).toBe(250.5);
    expect(s.bytes).toBe(100 * 7);
    expect(s.tail(100).at(-2)).toEqual({ time: 1098, open: 100.02, high: 100.05, low: 99.95, close: 100.01, volume: 7 });
  });
});
