/**
 * A whole candle series at once (a back-fill's thousands of bars): the same series as pushing
 * each bar (candle-series.ts), but each column laid out once at its final width and scale, so
 * nothing is copied, widened or rescaled on the way (pushing 5,300 bars cost more than
 * computing them). Pure.
 */
import { CandleSeries, CLOSE, HIGH, LOW, OPEN, TIME, VOLUME } from './candle-series.js';
import { decimalsFor, LIMIT, POW10 } from './decimal-column.js';
import { IntColumns, widthFor } from './int-columns.js';

/**
 * The series of the bars in `v`, oldest first, six numbers each (time, open, high, low, close,
 * volume), keeping the newest `cap` as pushing them would. Values the integer scales cannot
 * hold (see candle-series.ts) are pushed one by one instead. (No callback per bar: a new
 * closure per series deoptimized the loop on every call.)
 */
export function buildSeries(cap: number, v: Float64Array): CandleSeries {
  const n = v.length / 6;
  let pd = 0;
  let vd = 0;
  let maxP = 0;
  let maxV = 0;
  let exact = true;
  for (let o = 0; o < v.length && exact; o += 6) {
    const t = v[o + TIME]!;
    if (!(Number.isSafeInteger(t) && Math.abs(t) < LIMIT)) exact = false;
    for (let c = OPEN; c <= CLOSE && exact; c++) {
      maxP = Math.max(maxP, Math.abs(v[o + c]!));
      const d = decimalsFor(v[o + c]!, pd, maxP);
      if (d < 0) exact = false;
      else pd = d;
    }
    maxV = Math.max(maxV, Math.abs(v[o + VOLUME]!));
    const d = decimalsFor(v[o + VOLUME]!, vd, maxV);
    if (d < 0) exact = false;
    else vd = d;
  }
  if (!exact || maxP * POW10[pd]! >= LIMIT || maxV * POW10[vd]! >= LIMIT) return pushed(cap, v);

  // As pushBar stores them: time as the step from the previous bar, prices as ticks from the
  // previous bar's close (the first bar's: its open), volume in its own ticks.
  const ps = POW10[pd]!;
  const vs = POW10[vd]!;
  const first = Math.max(0, n - cap);
  const m = n - first;
  const ints = new Float64Array(6 * m);
  const lo = new Float64Array(6);
  const hi = new Float64Array(6);
  let ref = Math.round(v[OPEN]! * ps);
  for (let i = 0; i < n; i++) {
    const o = 6 * i;
    if (i > 0) ref = Math.round(v[o - 6 + CLOSE]! * ps);
    if (i < first) continue;
    const k = 6 * (i - first);
    ints[k + TIME] = i > 0 ? v[o + TIME]! - v[o - 6 + TIME]! : 0;
    for (let c = OPEN; c <= CLOSE; c++) ints[k + c] = Math.round(v[o + c]! * ps) - ref;
    ints[k + VOLUME] = Math.round(v[o + VOLUME]! * vs);
    for (let c = 0; c < 6; c++) {
      lo[c] = Math.min(lo[c]!, ints[k + c]!);
      hi[c] = Math.max(hi[c]!, ints[k + c]!);
    }
  }
  const size = Math.max(1, Math.min(cap, m));
  // Every column at its final width: each value fits, so `set` never widens (no copy).
  const cols = IntColumns.withWidths(Array.from(lo, (l, c) => widthFor(l, hi[c]!)), size);
  for (let c = 0; c < 6; c++) for (let i = 0; i < m; i++) cols.set(c, i, ints[6 * i + c]!);
  return CandleSeries.from({
    cap, size, start: 0, len: m, raw: false, pd, vd, maxP, maxV,
    time: n > 0 ? v[6 * (n - 1) + TIME]! : 0,
    ref: n > 0 ? ref : 0,
    cols: cols.state(),
  });
}

/**
 * Bars on a price grid, as a back-fill packs them: bar i opens at `time0 + i * step`;
 * `data[5i .. 5i + 3]` hold its open, high, low and close as whole multiples of `unit / 10^decimals`
 * (ticks), `data[5i + 4]` its volume. The same series as buildSeries of those prices
 * (`ticks * unit / 10^decimals`, the exact decimal's double), found with integers: a price's
 * decimals are the grid's less its trailing zeros, so no price is converted, scaled and checked
 * (most of the back-fill's cost). Off the grid's range (beyond 2^40 in its units, or more than 9
 * decimals), it builds by buildSeries.
 */
export function buildSeriesOnGrid(cap: number, time0: number, step: number, count: number, data: Float64Array, unit: number, decimals: number): CandleSeries {
  const n = count;
  let zeros = decimals; // the trailing zeros every price shares, in units of 10^-decimals
  let maxQ = 0;
  let vd = 0;
  let maxV = 0;
  let fits = decimals < POW10.length && Number.isSafeInteger(time0) && Number.isSafeInteger(time0 + step * n) && Math.abs(time0 + step * n) < LIMIT;
  for (let o = 0; o < 5 * n && fits; o += 5) {
    for (let c = 0; c < 4; c++) {
      const q = data[o + c]! * unit;
      if (!(Number.isInteger(q) && q >= 1 && q < GRID_LIMIT)) fits = false;
      if (q > maxQ) maxQ = q;
      while (zeros > 0 && q % POW10[zeros]! !== 0) zeros--;
    }
    const vol = data[o + 4]!;
    maxV = Math.max(maxV, Math.abs(vol));
    const d = decimalsFor(vol, vd, maxV);
    if (d < 0) fits = false;
    else vd = d;
  }
  const pd = decimals - zeros;
  if (!fits || maxV * POW10[vd]! >= LIMIT) return buildSeries(cap, onGrid(time0, step, count, data, unit, decimals));

  // Ticks to units of 10^-pd: times unit, over 10^zeros (exact: every price has those zeros).
  const den = POW10[zeros]!;
  const vs = POW10[vd]!;
  const first = Math.max(0, n - cap);
  const m = n - first;
  const size = Math.max(1, Math.min(cap, m));
  const ints = new Float64Array(6 * m);
  const lo = new Float64Array(6);
  const hi = new Float64Array(6);
  let ref = n > 0 ? (data[0]! * unit) / den : 0;
  for (let i = first; i < n; i++) {
    const o = 5 * i;
    if (i > 0) ref = (data[o - 5 + 3]! * unit) / den;
    const k = 6 * (i - first);
    ints[k + TIME] = i > 0 ? step : 0;
    for (let c = 0; c < 4; c++) ints[k + OPEN + c] = (data[o + c]! * unit) / den - ref;
    ints[k + VOLUME] = Math.round(data[o + 4]! * vs);
    for (let c = 0; c < 6; c++) {
      if (ints[k + c]! < lo[c]!) lo[c] = ints[k + c]!;
      if (ints[k + c]! > hi[c]!) hi[c] = ints[k + c]!;
    }
  }
  const cols = IntColumns.withWidths(Array.from(lo, (l, c) => widthFor(l, hi[c]!)), size);
  for (let c = 0; c < 6; c++) cols.setAll(c, ints, c, 6, m);
  return CandleSeries.from({
    cap, size, start: 0, len: m, raw: false, pd, vd,
    maxP: maxQ / POW10[decimals]!, maxV,
    time: n > 0 ? time0 + step * (n - 1) : 0,
    ref: n > 0 ? ref : 0,
    cols: cols.state(),
  });
}

/** A grid's prices in units of 10^-decimals stay below this: exact in doubles whatever the scale. */
const GRID_LIMIT = 2 ** 40;

/** buildSeries' input (six numbers a bar, prices as the exact decimals' doubles) from bars on a grid. */
function onGrid(time0: number, step: number, count: number, data: Float64Array, unit: number, decimals: number): Float64Array {
  const v = new Float64Array(6 * count);
  const scale = POW10[decimals] ?? 10 ** decimals;
  for (let i = 0, o = 0, k = 0; i < count; i++, o += 5, k += 6) {
    v[k] = time0 + i * step;
    for (let f = 0; f < 4; f++) v[k + 1 + f] = (data[o + f]! * unit) / scale;
    v[k + 5] = data[o + 4]!;
  }
  return v;
}

/** The one-by-one way, for values the scales cannot hold. */
function pushed(cap: number, v: Float64Array): CandleSeries {
  const s = new CandleSeries(cap);
  for (let o = 0; o < v.length; o += 6) s.pushBar(v[o + TIME]!, v[o + OPEN]!, v[o + HIGH]!, v[o + LOW]!, v[o + CLOSE]!, v[o + VOLUME]!);
  return s;
}
