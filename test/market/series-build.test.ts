/**
 * buildSeries (a whole back-fill at once) against pushing each bar into the reference series, then
 * live changes alike; buildSeriesOnGrid (bars in ticks) against buildSeries of the same prices.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOSE, HIGH, LOW, TIME, VOLUME } from '../../server/market/candle-series.js';
import { buildSeries, buildSeriesOnGrid } from '../../server/market/series-build.js';
import { ReferenceSeries, sameSeries } from './reference-candle-series.js';


describe('buildSeries', () => {
  it('holds what pushing each bar holds, at any length against the capacity, and goes on alike (scales from the data; doubles when none fits)', () => {
    const tick = fc.oneof(fc.integer({ min: 1, max: 100000 }).map((n) => n / 100), fc.integer({ min: 1, max: 5e6 }).map((n) => n / 1e6), fc.integer({ min: 1, max: 3000 }));
    const odd = fc.oneof(tick, fc.constantFrom(0, -0, 1e300, 2 ** 60, 0.1 + 0.2, NaN));
    const bar = (p: fc.Arbitrary<number>) => fc.record({ t: fc.integer({ min: 1, max: 4000 }), o: p, h: p, l: p, c: p, v: p });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(bar(tick), { maxLength: 30 }), fc.option(bar(odd), { nil: undefined }), fc.array(fc.record({ col: fc.constantFrom(HIGH, LOW, CLOSE, VOLUME), v: tick }), { maxLength: 5 }), fc.array(bar(tick), { maxLength: 5 }),
        (cap, bars, spoiler, sets, later) => {
          const all = spoiler ? [...bars, spoiler] : bars;
          const v = new Float64Array(6 * all.length);
          const b = new ReferenceSeries(cap);
          let time = 1_700_000_000;
          all.forEach((x, i) => {
            time += x.t;
            v.set([time, x.o, x.h, x.l, x.c, x.v], 6 * i);
            b.pushBar(time, x.o, x.h, x.l, x.c, x.v);
          });
          const a = buildSeries(cap, v);
          sameSeries(a, b);
          for (const s of sets) a.setLast(s.col, s.v), b.setLast(s.col, s.v);
          for (const x of later) (time += x.t), a.pushBar(time, x.o, x.h, x.l, x.c, x.v), b.pushBar(time, x.o, x.h, x.l, x.c, x.v);
          sameSeries(a, b);
        }),
      { numRuns: 400 },
    );
  });
});

describe('buildSeriesOnGrid', () => {
  it('is buildSeries of the prices its ticks stand for: the same state, read and written alike', () => {
    const grid = fc.record({ unit: fc.oneof(fc.constantFrom(1, 5, 10, 25, 100), fc.integer({ min: 1, max: 1000 })), decimals: fc.integer({ min: 0, max: 11 }), lotDecimals: fc.integer({ min: 0, max: 6 }) });
    const bar = fc.record({ o: fc.integer({ min: 1, max: 2e6 }), h: fc.integer({ min: 1, max: 2e6 }), l: fc.integer({ min: 1, max: 2e6 }), c: fc.integer({ min: 1, max: 2e6 }), v: fc.integer({ min: 0, max: 1e9 }) });
    fc.assert(
      fc.property(grid, fc.integer({ min: 1, max: 40 }), fc.constantFrom(1, 60, 300), fc.array(bar, { maxLength: 50 }), fc.option(fc.constantFrom(2 ** 45, 0, 1.5, 1e30), { nil: undefined }),
        ({ unit, decimals, lotDecimals }, cap, step, bars, spoiler) => {
          const data = new Float64Array(5 * bars.length);
          bars.forEach((b, i) => data.set([b.o, b.h, b.l, b.c, b.v / 10 ** lotDecimals], 5 * i));
          if (spoiler !== undefined && bars.length) data[3] = spoiler; // off the grid: the slow way
          const time0 = 1_700_000_000 - (1_700_000_000 % step);
          const v = new Float64Array(6 * bars.length);
          for (let i = 0; i < bars.length; i++) {
            v[6 * i] = time0 + i * step;
            for (let f = 0; f < 4; f++) v[6 * i + 1 + f] = (data[5 * i + f]! * unit) / 10 ** decimals;
            v[6 * i + 5] = data[5 * i + 4]!;
          }
          const a = buildSeriesOnGrid(cap, time0, step, bars.length, data, unit, decimals);
          const b = buildSeries(cap, v);
          expect(a.state()).toEqual(b.state());
          sameSeries(a, b);
          a.pushBar(time0 + bars.length * step, 1.25, 1.5, 1, 1.5, 3), b.pushBar(time0 + bars.length * step, 1.25, 1.5, 1, 1.5, 3);
          sameSeries(a, b);
        }),
      { numRuns: 500 },
    );
  });
});
