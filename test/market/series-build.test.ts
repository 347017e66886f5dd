/** buildSeries (a whole back-fill at once) against pushing each bar into the reference series, then live changes alike. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOSE, HIGH, LOW, TIME, VOLUME } from '../../server/market/candle-series.js';
import { buildSeries } from '../../server/market/series-build.js';
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
