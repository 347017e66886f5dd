/**
 * SVG path data for a sparkline in a `width` x `height` box: values stretched over the width,
 * the range (and the optional baseline) padded 10% vertically. SVG rather than a canvas per row:
 * thirty canvases cost the compositor a layer each on every frame; paths cost nothing idle.
 * y is snapped to `yStep` (a quarter of a unit: the box is drawn about a unit per pixel high), so
 * a move too small to see leaves the path string, and so the DOM and the screen, unchanged.
 */
export interface SparkPath {
  /** The polyline, `M x y L x y ...`; empty without finite values. */
  line: string;
  /** The line closed down to the bottom edge, for a fill. */
  area: string;
  /** y of the baseline, when one was given. */
  baselineY?: number;
}

const r = (v: number) => Math.round(v * 100) / 100;

export function sparkPath(values: readonly number[], width: number, height: number, baseline?: number, yStep = 0.25): SparkPath {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return { line: '', area: '' };
  const hasBase = baseline !== undefined && Number.isFinite(baseline);
  if (hasBase) {
    lo = Math.min(lo, baseline);
    hi = Math.max(hi, baseline);
  }
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.001 || 1;
  lo -= pad;
  hi += pad;
  const y = (v: number) => r(Math.round((height - ((v - lo) / (hi - lo)) * height) / yStep) * yStep);
  const n = values.length;
  const x = (i: number) => r(n === 1 ? width : (i / (n - 1)) * width);
  const parts: string[] = [];
  let first = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) continue;
    parts.push(`${first < 0 ? 'M' : 'L'}${x(i)} ${y(values[i])}`);
    if (first < 0) first = i;
    last = i;
  }
  const line = parts.join('');
  const area = `${line}L${x(last)} ${height}L${x(first)} ${height}Z`;
  return hasBase ? { line, area, baselineY: y(baseline) } : { line, area };
}
