/**
 * Smoke test of the benchmark tools: `npm run bench -- --quick`, `npm run compare -- --quick` and
 * `npm run bench:dashboard -- --quick` each produce a complete report (files exist, JSON has every field). No timed assertion: the
 * figures of a tiny run on a busy CI machine mean nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { spread } from '../../scripts/bench/fairness.js';
import { startProbe } from '../../scripts/bench/healthz-probe.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'tickwire-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const tsx = (script: string, args: string[]) =>
  run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, timeout: 240_000, maxBuffer: 1 << 24 });

const LATENCY = ['count', 'p50', 'p90', 'p99', 'p999', 'max', 'mean', 'negative'];
const ROW = [
  'scenario', 'system', 'clients', 'symbolsPer', 'throttle', 'feedRate', 'feedSymbols', 'connected', 'failed', 'connectErrors', 'dropped',
  'durationS', 'offeredPerS', 'updatesPerS', 'deliveredShare', 'framesPerS', 'bytesPerUpdate', 'serverCpuS', 'cpuSecondsPerMillion',
  'updatesPerCpuSecond', 'serverCores', 'clientCores', 'idleCores', 'dataAgeMs', 'loadAvg', 'rssIdleMiB', 'rssBaseMiB', 'rssLoadedMiB',
  'baseClients', 'rssPerConnKiB', 'rssPerConnFromIdleKiB', 'healthzMs', 'perClientRate', 'rssEndMiB',
];
const SPREAD = ['clients', 'p1', 'p50', 'p99', 'min', 'max', 'minOverMax', 'p1OverP50', 'jain'];
const SCALE = ['symbols', 'feedRate', 'startS', 'rssMiB', 'rssPerSymbolKiB', 'cpuShare', 'healthzMs', 'loadAvg'];
const PHASE = [
  'transport', 'clients', 'durationS', 'framesPerS', 'updatesPerS', 'bytesPerUpdate', 'serverCpuS', 'cpuSecondsPerMillion', 'clientCores',
  'transportLatencyMs', 'dataAgeMs', 'clockOffset',
];

describe('benchmark tools', () => {
  it('the /healthz prober records every request: answered, non-200, and unanswered at stop', async () => {
    let n = 0;
    const srv = createServer((_req, res) => {
      n++;
      if (n % 5 === 0) return; // never answered
      res.writeHead(n % 7 === 0 ? 503 : 200);
      res.end('ok');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const probe = startProbe(`http://127.0.0.1:${(srv.address() as { port: number }).port}/healthz`, 10);
      while (n < 15) await new Promise((r) => setTimeout(r, 20));
      const s = await probe.stop(100);
      expect(s.count).toBe(s.sent);
      expect(s.sent).toBeGreaterThanOrEqual(15);
      expect(s.failed).toBeGreaterThanOrEqual(3); // requests 5, 10 and 15 were never answered; 7 and 14 got 503
      expect(s.errors).toEqual(expect.arrayContaining(['unanswered at stop', 'status 503']));
    } finally {
      srv.closeAllConnections();
      srv.close();
    }
  });

  it('the fairness spread: even clients give 1, a starved one shows in min/max, p1 and Jain', () => {
    expect(spread([100, 100, 100, 100], 2)).toMatchObject({ clients: 4, p1: 50, p50: 50, p99: 50, minOverMax: 1, p1OverP50: 1, jain: 1 });
    const counts = Array.from({ length: 100 }, (_, i) => (i === 0 ? 0 : 10 + i));
    const s = spread(counts, 1);
    expect(s).toMatchObject({ clients: 100, min: 0, max: 109, p1: 0, p50: 59, p99: 108, minOverMax: 0, p1OverP50: 0 });
    expect(s.jain).toBeLessThan(1);
    expect(spread([0, 0, 0, 10], 1).jain).toBeCloseTo(0.25);
    expect(Number.isNaN(spread([], 1).p50)).toBe(true);
  });

  it('bench --quick (A, D, E, F) and compare --quick each write a complete report', async () => {
    const benchOut = join(out, 'bench');
    const compareOut = join(out, 'compare');
    // Both at once: the test stays short.
    await Promise.all([
      tsx('scripts/bench/main.ts', ['--quick', '--scenario', 'A,D,E,F', '--out', benchOut]),
      tsx('scripts/compare/main.ts', ['--quick', '--out', compareOut]),
    ]);

    const bench = JSON.parse(readFileSync(join(benchOut, 'results.json'), 'utf8'));
    expect(Object.keys(bench)).toEqual(expect.arrayContaining(['meta', 'scenarios', 'rows', 'ratios', 'feedScale', 'book', 'profiles']));
    expect(bench.rows.map((r: { scenario: string; system: string }) => `${r.scenario} ${r.system}`)).toEqual([
      'A tickwire', 'A tutorial', 'A socketio', 'D tickwire', 'D tutorial', 'D socketio', 'E tickwire', 'E tutorial', 'E socketio',
    ]);
    for (const row of bench.rows) {
      expect(Object.keys(row)).toEqual(expect.arrayContaining(ROW));
      expect(Object.keys(row.dataAgeMs)).toEqual(expect.arrayContaining(LATENCY));
      expect(row.connected).toBeGreaterThan(0);
      // The /healthz prober ran through the measurement and got answers.
      expect(Object.keys(row.healthzMs)).toEqual(expect.arrayContaining([...LATENCY, 'sent', 'failed']));
      expect(row.healthzMs.sent).toBeGreaterThan(0);
      expect(row.healthzMs.count).toBe(row.healthzMs.sent);
      expect(row.healthzMs.p99).toBeGreaterThan(0);
      // One per-client rate per connection.
      expect(Object.keys(row.perClientRate)).toEqual(expect.arrayContaining(SPREAD));
      expect(row.perClientRate.clients).toBe(row.connected);
    }
    const e = bench.scenarios.find((s: { id: string }) => s.id === 'E');
    expect(e).toMatchObject({ feedRate: 20, symbolsPer: 20, throttle: 0 });
    expect(bench.ratios.map((r: { scenario: string }) => r.scenario)).toEqual(['A', 'D', 'E']);
    for (const q of bench.ratios) expect(Object.keys(q.cpuEfficiency)).toEqual(['tutorial', 'socketio']);
    // F quick: the 500-symbol universe only.
    expect(bench.feedScale.scenario.sizes).toEqual([500]);
    expect(bench.feedScale.results).toHaveLength(1);
    const f = bench.feedScale.results[0];
    expect(Object.keys(f)).toEqual(expect.arrayContaining(SCALE));
    expect(f.symbols).toBe(500);
    expect(f.startS).toBeGreaterThan(0);
    expect(f.rssMiB).toBeGreaterThan(0);
    expect(f.healthzMs.count).toBeGreaterThan(0);
    const md = readFileSync(join(benchOut, 'report.md'), 'utf8');
    expect(md).toContain('| A | tickwire |');
    expect(md).toContain('| E | tickwire |');
    expect(md).toContain('## F: the feed at scale');
    expect(md).toMatch(/\| 500 \| 5 \|/);

    const cmp = JSON.parse(readFileSync(join(compareOut, 'results.json'), 'utf8'));
    expect(Object.keys(cmp)).toEqual(expect.arrayContaining(['meta', 'clock', 'transports', 'sseOverWsCpu']));
    expect(cmp.clock.avoided).toMatch(/same host clock/);
    expect(cmp.transports.map((t: { transport: string }) => t.transport)).toEqual(['ws', 'sse']);
    for (const t of cmp.transports) {
      expect(t.error).toBeUndefined();
      expect(Object.keys(t)).toEqual(expect.arrayContaining(PHASE));
      expect(Object.keys(t.transportLatencyMs)).toEqual(expect.arrayContaining(LATENCY));
      expect(Object.keys(t.dataAgeMs)).toEqual(expect.arrayContaining(LATENCY));
    }
    expect(readFileSync(join(compareOut, 'report.md'), 'utf8')).toContain('| ws | data age');
    expect(existsSync(join(compareOut, 'latency.svg'))).toBe(true);
    expect(readFileSync(join(compareOut, 'latency.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>\s*$/);
  }, 300_000);

  it('bench:dashboard --quick writes a complete report', async () => {
    const dashOut = join(out, 'dashboard');
    await tsx('scripts/bench/dashboard.ts', ['--quick', '--out', dashOut]);
    const r = JSON.parse(readFileSync(join(dashOut, 'results.json'), 'utf8'));
    expect(Object.keys(r)).toEqual(['meta', 'bare', 'dashboard', 'fpsRatio']);
    expect(r.meta).toMatchObject({ symbols: 5, feedRate: 20, throttle: 0, runs: 1 });
    for (const page of [r.bare, r.dashboard]) {
      expect(Object.keys(page)).toEqual(['fps', 'missedPerS', 'worstMs', 'windows']);
      expect(page.windows).toHaveLength(1);
      expect(page.fps).toBeGreaterThan(0);
    }
    expect(r.fpsRatio).toBeGreaterThan(0);
    expect(readFileSync(join(dashOut, 'report.md'), 'utf8')).toContain('| dashboard |');
  }, 120_000);
});
