/** Draws small line charts on a canvas at the device's pixel ratio. */

export interface SparkLine {
  values: ArrayLike<number>;
  color: string;
  /** Optional fill under the line. */
  fill?: string;
}

/**
 * Clears `canvas` and draws `lines` on one shared vertical scale (padded 10%), stretched over
 * the full width. Resizes the backing store to the element's CSS size when it changed.
 * Returns the vertical range drawn (bottom and top values), or undefined with nothing to draw.
 */
export function drawSpark(
  canvas: HTMLCanvasElement,
  lines: readonly SparkLine[],
  baseline?: number,
  /** The lowest value drawn even after padding (0 for durations, which are never negative). */
  floor = -Infinity,
): { lo: number; hi: number } | undefined {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  ctx.clearRect(0, 0, w, h);
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) {
    for (let i = 0; i < l.values.length; i++) {
      const v = l.values[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!Number.isFinite(lo)) return undefined;
  if (baseline !== undefined && Number.isFinite(baseline)) {
    lo = Math.min(lo, baseline);
    hi = Math.max(hi, baseline);
  }
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.001 || 1;
  lo = Math.max(floor, lo - pad);
  hi += pad;
  const y = (v: number) => h - ((v - lo) / (hi - lo)) * h;
  if (baseline !== undefined && Number.isFinite(baseline)) {
    ctx.strokeStyle = 'rgba(139,148,158,0.35)';
    ctx.lineWidth = dpr;
    ctx.setLineDash([2 * dpr, 2 * dpr]);
    ctx.beginPath();
    ctx.moveTo(0, Math.round(y(baseline)) + 0.5);
    ctx.lineTo(w, Math.round(y(baseline)) + 0.5);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  for (const l of lines) {
    const n = l.values.length;
    if (n === 0) continue;
    const x = (i: number) => (n === 1 ? w : (i / (n - 1)) * w);
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const v = l.values[i];
      if (!Number.isFinite(v)) continue;
      if (i === 0) ctx.moveTo(x(i), y(v));
      else ctx.lineTo(x(i), y(v));
    }
    ctx.strokeStyle = l.color;
    ctx.lineWidth = 1.25 * dpr;
    ctx.lineJoin = 'round';
    ctx.stroke();
    if (l.fill) {
      ctx.lineTo(x(n - 1), h);
      ctx.lineTo(x(0), h);
      ctx.closePath();
      ctx.fillStyle = l.fill;
      ctx.fill();
    }
  }
  return { lo, hi };
}
