/**
 * A hand-written SVG chart of latency distributions: one panel per measure (transport latency,
 * data age), in each a group of bars per percentile with one bar per transport side by side,
 * all panels on one y scale.
 */
import type { LatencySummary } from '../bench/latency.js';

export interface ChartSeries {
  name: string;
  color: string;
  panels: LatencySummary[];
}

const POINTS: [keyof LatencySummary, string][] = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round axis top: 1, 2 or 5 times a power of ten at or above `v`. */
function niceTop(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const fmt = (v: number) => (!Number.isFinite(v) ? 'n/a' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function latencyChart(title: string, panelTitles: string[], series: ChartSeries[], subtitle = ''): string {
  const pw = 420;
  const ph = 260;
  const m = { l: 52, r: 16, t: 70, b: 56 };
  const W = m.l + panelTitles.length * (pw + m.r + m.l) - m.l;
  const H = m.t + ph + m.b;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.l}" y="22" font-size="16" font-weight="600">${esc(title)}</text>`,
    `<text x="${m.l}" y="40" fill="#555">${esc(subtitle)}</text>`,
  ];
  series.forEach((s, i) => {
    const x = W - m.r - (series.length - i) * 90;
    out.push(`<rect x="${x}" y="12" width="12" height="12" fill="${s.color}"/><text x="${x + 16}" y="22">${esc(s.name)}</text>`);
  });
  // One y scale for the whole figure: bars of the two panels compare by height.
  const top = niceTop(Math.max(...series.flatMap((s) => s.panels.flatMap((p) => POINTS.map(([key]) => Number(p?.[key]) || 0)))));
  panelTitles.forEach((pt, k) => {
    const x0 = m.l + k * (pw + m.r + m.l);
    const y = (v: number) => m.t + ph - (Math.min(v, top) / top) * ph;
    out.push(`<text x="${x0}" y="${m.t - 12}" font-weight="600">${esc(pt)} (ms)</text>`);
    const step = top / 5;
    const digits = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
    for (let g = 0; g <= 5; g++) {
      const v = step * g;
      out.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e3e3"/>`);
      out.push(`<text x="${x0 - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v.toFixed(digits)}</text>`);
    }
    const gw = pw / POINTS.length;
    const bw = Math.min(34, (gw - 16) / series.length);
    POINTS.forEach(([key, label], j) => {
      const gx = x0 + j * gw + (gw - bw * series.length) / 2;
      series.forEach((s, i) => {
        const v = Number(s.panels[k]?.[key]);
        if (!Number.isFinite(v)) return;
        const bx = gx + i * bw;
        out.push(`<rect x="${bx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(m.t + ph - y(v)).toFixed(1)}" fill="${s.color}"><title>${esc(`${s.name} ${label}: ${fmt(v)} ms`)}</title></rect>`);
        out.push(`<text x="${(bx + bw / 2 - 1).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#333">${fmt(v)}</text>`);
      });
      out.push(`<text x="${(x0 + j * gw + gw / 2).toFixed(1)}" y="${m.t + ph + 18}" text-anchor="middle">${label}</text>`);
    });
    out.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#333"/>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
