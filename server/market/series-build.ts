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

/** The one-by-one way, for values the scales cannot hold. */
function pushed(cap: number, v: Float64Array): CandleSeries {
  const s = new CandleSeries(cap);
  for (let o = 0; o < v.length; o += 6) s.pushBar(v[o + TIME]!, v[o + OPEN]!, v[o + HIGH]!, v[o + LOW]!, v[o + CLOSE]!, v[o + VOLUME]!);
  return s;
}
