/**
 * The top self-time costs of a V8 CPU profile (`node --cpu-prof`), by function, as a share of
 * the busy (non-idle) time. CLI: `tsx scripts/bench/profile-top.ts FILE.cpuprofile [N]`.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface Cost {
  name: string;
  where: string;
  /** Share of busy samples, 0..1. */
  self: number;
}

interface Profile {
  nodes: ProfileNode[];
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Sample counts per node id, only for samples within [endTime - fromEndMs, endTime - toEndMs] when a window is given. */
function hitsIn(p: Profile, window?: { fromEndMs: number; toEndMs: number }): Map<number, number> {
  const hits = new Map<number, number>();
  if (!window) {
    for (const n of p.nodes) hits.set(n.id, n.hitCount ?? 0);
    return hits;
  }
  let t = p.endTime;
  const from = p.endTime - window.fromEndMs * 1000;
  const to = p.endTime - window.toEndMs * 1000;
  // Walk backwards from the end: each delta is the gap before its sample (µs).
  for (let i = p.samples.length - 1; i >= 0 && t >= from; i--) {
    if (t <= to) hits.set(p.samples[i], (hits.get(p.samples[i]) ?? 0) + 1);
    t -= p.timeDeltas[i];
  }
  return hits;
}

/**
 * `window`: only the samples taken from `fromEndMs` to `toEndMs` before the profile's end (the
 * measured part of a run, leaving out start-up and shutdown).
 */
export function topCosts(file: string, n = 15, window?: { fromEndMs: number; toEndMs: number }): { busyShare: number; costs: Cost[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const hitsOf = hitsIn(p, window);
  const by = new Map<string, Cost & { hits: number }>();
  let total = 0;
  let idle = 0;
  for (const node of p.nodes) {
    const hits = hitsOf.get(node.id) ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    // tsx's transpiled modules put everything on one line: the line number says nothing there.
    const where = url ? (url.endsWith('.ts') ? shorten(url) : `${shorten(url)}:${lineNumber + 1}`) : '';
    const key = `${functionName}@${where}`;
    const c = by.get(key) ?? { name: functionName || '(anonymous)', where, self: 0, hits: 0 };
    c.hits += hits;
    by.set(key, c);
  }
  const busy = Math.max(1, total - idle);
  const costs = [...by.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, n)
    .map(({ name, where, hits }) => ({ name, where, self: hits / busy }));
  return { busyShare: busy / Math.max(1, total), costs };
}

function shorten(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = path.startsWith('/') ? relative(process.cwd(), path) : path;
  return rel.replace(/^node_modules\//, '');
}

export function costsMarkdown(costs: Cost[]): string {
  const lines = ['| self % | function | where |', '|--:|---|---|'];
  for (const c of costs) lines.push(`| ${(c.self * 100).toFixed(1)} | \`${c.name}\` | ${c.where} |`);
  return lines.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, n, from, to] = process.argv.slice(2);
  if (!file) {
    console.error('usage: tsx scripts/bench/profile-top.ts FILE.cpuprofile [N] [FROM_END_MS TO_END_MS]');
    process.exit(2);
  }
  const window = from ? { fromEndMs: Number(from), toEndMs: Number(to ?? 0) } : undefined;
  const { busyShare, costs } = topCosts(file, Number(n) || 15, window);
  console.log(`busy: ${(busyShare * 100).toFixed(1)}% of samples\n`);
  console.log(costsMarkdown(costs));
}
