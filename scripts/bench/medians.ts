/**
 * Medians over several `npm run bench` runs (their results.json), and issue 25's goals (F:
 * issue 14's) against them. Each ratio is taken within its own run (Tickwire against the baseline measured in the
 * same run), then the median of those ratios is reported: the machine's load differs between
 * runs, not within a pair. CLI: `tsx scripts/bench/medians.ts DIR DIR DIR [--out FILE.md]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ScaleResult } from './feed-scale.js';
import type { Ratios, Row } from './report.js';

export interface Run {
  rows: Row[];
  ratios: Ratios[];
  feedScale: { results: ScaleResult[] } | null;
  meta?: { started?: string };
}

/** Median of the finite values (NaN when none). */
export function median(xs: readonly (number | null | undefined)[]): number {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');
/** "median (lowest-highest)" of a figure over the runs. */
function mr(xs: number[], d = 0): string {
  const v = xs.filter(Number.isFinite);
  if (v.length < 2) return f(median(v), d);
  return `${f(median(v), d)} (${f(Math.min(...v), d)}-${f(Math.max(...v), d)})`;
}

const rowsOf = (runs: Run[], scenario: string, system: string) => runs.map((r) => r.rows.find((x) => x.scenario === scenario && x.system === system));
const ratioOf = (runs: Run[], scenario: string, key: keyof Omit<Ratios, 'scenario'>, vs: string) =>
  runs.map((r) => (r.ratios.find((q) => q.scenario === scenario)?.[key] as Record<string, number> | undefined)?.[vs] ?? NaN);
const scaleOf = (runs: Run[], n: number) => runs.map((r) => r.feedScale?.results.find((x) => x.symbols === n));

/** The median table of every (scenario, system), figures "median (range)" over the runs. */
export function medianMarkdown(runs: Run[]): string {
  const keys = [...new Set(runs.flatMap((r) => r.rows.map((x) => `${x.scenario}|${x.system}`)))];
  let md = '| scenario | system | clients | delivered upd/s | share % | server CPU s / M upd | age p50 ms | age p99 ms | /healthz p99 ms | per-client p1 / p50 upd/s | min / max | bytes / upd | writes/s | bytes / write | RSS end MiB |\n';
  md += '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n';
  for (const k of keys) {
    const [s, sys] = k.split('|');
    const rs = rowsOf(runs, s, sys).filter((x): x is Row => !!x);
    const g = (fn: (r: Row) => number | null) => rs.map((r) => fn(r) ?? NaN);
    md += `| ${s} | ${sys} | ${mr(g((r) => r.connected))} | ${mr(g((r) => r.updatesPerS))} | ${mr(g((r) => r.deliveredShare * 100), 1)} | ` +
      `${mr(g((r) => r.cpuSecondsPerMillion), 2)} | ${mr(g((r) => r.dataAgeMs.p50), 1)} | ${mr(g((r) => r.dataAgeMs.p99), 1)} | ${mr(g((r) => r.healthzMs?.p99 ?? NaN), 1)} | ` +
      `${f(median(g((r) => r.perClientRate?.p1 ?? NaN)), 1)} / ${f(median(g((r) => r.perClientRate?.p50 ?? NaN)), 1)} | ${f(median(g((r) => r.perClientRate?.minOverMax ?? NaN)), 2)} | ` +
      `${f(median(g((r) => r.bytesPerUpdate)), 1)} | ${mr(g((r) => r.framesPerS))} | ${mr(g((r) => (r.bytesPerUpdate * r.updatesPerS) / r.framesPerS))} | ${f(median(g((r) => r.rssEndMiB)))} |\n`;
  }
  const scen = [...new Set(runs.flatMap((r) => r.ratios.map((q) => q.scenario)))];
  md += '\n| scenario | vs | updates per CPU-second (x) | same, net of idle (x) | p99 age (x) | bytes per update (x) | /healthz p99 (x) |\n|---|---|--:|--:|--:|--:|--:|\n';
  for (const s of scen) {
    for (const vs of ['tutorial', 'socketio']) {
      const c = ratioOf(runs, s, 'cpuEfficiency', vs);
      if (!c.some(Number.isFinite)) continue;
      md += `| ${s} | ${vs} | ${mr(c, 2)} | ${mr(ratioOf(runs, s, 'cpuEfficiencyNetIdle', vs), 2)} | ${mr(ratioOf(runs, s, 'p99Age', vs), 2)} | ${mr(ratioOf(runs, s, 'bytesPerUpdate', vs), 2)} | ${mr(ratioOf(runs, s, 'healthzP99', vs), 2)} |\n`;
    }
  }
  const sizes = [...new Set(runs.flatMap((r) => r.feedScale?.results.map((x) => x.symbols) ?? []))].sort((a, b) => a - b);
  if (sizes.length) {
    md += '\n| symbols | start to /healthz s | RSS MiB | RSS / symbol KiB | idle CPU % of a core | /healthz p99 ms |\n|--:|--:|--:|--:|--:|--:|\n';
    for (const n of sizes) {
      const rs = scaleOf(runs, n).filter((x): x is ScaleResult => !!x);
      md += `| ${n.toLocaleString('en-US')} | ${mr(rs.map((r) => r.startS), 1)} | ${mr(rs.map((r) => r.rssMiB))} | ${mr(rs.map((r) => r.rssPerSymbolKiB), 1)} | ` +
        `${mr(rs.map((r) => r.cpuShare * 100))} | ${mr(rs.map((r) => r.healthzMs.p99), 1)} |\n`;
    }
  }
  return md;
}

interface Goal {
  what: string;
  /** The figure (median over runs) and how it reads. */
  value: (runs: Run[]) => number;
  show: (v: number) => string;
  met: (v: number) => boolean;
  goal: string;
}

const tw = (runs: Run[], s: string, fn: (r: Row) => number | null) => median(rowsOf(runs, s, 'tickwire').map((r) => (r ? fn(r) ?? NaN : NaN)));
const sc = (runs: Run[], fn: (r: ScaleResult) => number) => median(scaleOf(runs, 10000).map((r) => (r ? fn(r) : NaN)));

/** Issue 25's table of goals (A and B), and issue 14's for F. */
export const GOALS: Goal[] = [
  { what: 'A: p99 data age, Tickwire / tutorial', value: (r) => median(ratioOf(r, 'A', 'p99Age', 'tutorial')), show: (v) => `${f(v, 2)}x`, met: (v) => v <= 1.5, goal: '<= 1.5x' },
  { what: 'A: updates per server CPU-second, Tickwire / tutorial', value: (r) => median(ratioOf(r, 'A', 'cpuEfficiency', 'tutorial')), show: (v) => `${f(v, 2)}x`, met: (v) => v >= 1.2, goal: '>= 1.2x' },
  { what: 'B: delivered of 200k/s', value: (r) => tw(r, 'B', (x) => x.deliveredShare * 100), show: (v) => `${f(v, 1)}%`, met: (v) => v >= 95, goal: '>= 95%' },
  { what: 'B: updates per server CPU-second, Tickwire / tutorial', value: (r) => median(ratioOf(r, 'B', 'cpuEfficiency', 'tutorial')), show: (v) => `${f(v, 2)}x`, met: (v) => v >= 3, goal: '>= 3x' },
  { what: 'B: p99 data age', value: (r) => tw(r, 'B', (x) => x.dataAgeMs.p99), show: (v) => `${f(v, 1)} ms`, met: (v) => v <= 50, goal: '<= 50 ms' },
  { what: 'B: /healthz p99 while serving', value: (r) => tw(r, 'B', (x) => x.healthzMs?.p99 ?? NaN), show: (v) => `${f(v, 1)} ms`, met: (v) => v <= 100, goal: '<= 100 ms' },
  { what: 'B: /healthz max while serving', value: (r) => tw(r, 'B', (x) => x.healthzMs?.max ?? NaN), show: (v) => `${f(v, 1)} ms`, met: (v) => v <= 250, goal: '<= 250 ms' },
  { what: 'F: FEED_SYMBOLS=10000, spawn to first /healthz', value: (r) => sc(r, (x) => x.startS), show: (v) => `${f(v, 1)} s`, met: (v) => v <= 10, goal: '<= 10 s' },
  { what: 'F: FEED_SYMBOLS=10000, RSS', value: (r) => sc(r, (x) => x.rssMiB), show: (v) => `${f(v)} MiB`, met: (v) => v <= 1536, goal: '<= 1,536 MiB' },
  { what: 'F: FEED_SYMBOLS=10000, FEED_RATE 5, no client: CPU', value: (r) => sc(r, (x) => x.cpuShare * 100), show: (v) => `${f(v)}% of a core`, met: (v) => v <= 60, goal: '<= 60%' },
];

export function goalsMarkdown(runs: Run[]): string {
  let md = `| goal (issue 25; F: 14) | measured (median of ${runs.length}) | target | |\n|---|--:|--:|---|\n`;
  for (const g of GOALS) {
    const v = g.value(runs);
    md += `| ${g.what} | ${Number.isFinite(v) ? g.show(v) : 'n/a'} | ${g.goal} | ${Number.isFinite(v) ? (g.met(v) ? 'met' : 'missed') : 'not measured'} |\n`;
  }
  return md;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
  const runs = positionals.map((d) => JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as Run);
  const md = `# Medians of ${runs.length} runs\n\n${positionals.map((d, i) => `- ${d} (started ${runs[i].meta?.started ?? '?'})`).join('\n')}\n\n` +
    `## Goals\n\n${goalsMarkdown(runs)}\n## All figures: median (lowest-highest)\n\n${medianMarkdown(runs)}`;
  if (values.out) writeFileSync(values.out, md);
  console.log(md);
}
