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

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'tickwire-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const tsx = (script: string, args: string[]) =>
  run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, timeout: 90_000, maxBuffer: 1 << 24 });

const LATENCY = ['count', 'p50', 'p90', 'p99', 'p999', 'max', 'mean', 'negative'];
const ROW = [
  'scenario', 'system', 'clients', 'symbolsPer', 'throttle', 'feedRate', 'feedSymbols', 'connected', 'failed', 'connectErrors', 'dropped',
  'durationS', 'offeredPerS', 'updatesPerS', 'deliveredShare', 'framesPerS', 'bytesPerUpdate', 'serverCpuS', 'cpuSecondsPerMillion',
  'updatesPerCpuSecond', 'serverCores', 'clientCores', 'idleCores', 'dataAgeMs', 'loadAvg', 'rssIdleMiB', 'rssBaseMiB', 'rssLoadedMiB',
  'baseClients', 'rssPerConnKiB', 'rssPerConnFromIdleKiB',
];
const PHASE = [
  'transport', 'clients', 'durationS', 'framesPerS', 'updatesPerS', 'bytesPerUpdate', 'serverCpuS', 'cpuSecondsPerMillion', 'clientCores',
  'transportLatencyMs', 'dataAgeMs', 'clockOffset',
];

describe('benchmark tools', () => {
  it('bench --quick and compare --quick each write a complete report', async () => {
    const benchOut = join(out, 'bench');
    const compareOut = join(out, 'compare');
    // Both at once: the test stays short.
    await Promise.all([
      tsx('scripts/bench/main.ts', ['--quick', '--scenario', 'A,D', '--out', benchOut]),
      tsx('scripts/compare/main.ts', ['--quick', '--out', compareOut]),
    ]);

    const bench = JSON.parse(readFileSync(join(benchOut, 'results.json'), 'utf8'));
    expect(Object.keys(bench)).toEqual(expect.arrayContaining(['meta', 'scenarios', 'rows', 'ratios', 'profiles']));
    expect(bench.rows.map((r: { scenario: string; system: string }) => `${r.scenario} ${r.system}`)).toEqual([
      'A tickwire', 'A tutorial', 'A socketio', 'D tickwire', 'D tutorial', 'D socketio',
    ]);
    for (const row of bench.rows) {
      expect(Object.keys(row)).toEqual(expect.arrayContaining(ROW));
      expect(Object.keys(row.dataAgeMs)).toEqual(expect.arrayContaining(LATENCY));
      expect(row.connected).toBeGreaterThan(0);
    }
    expect(bench.ratios.map((r: { scenario: string }) => r.scenario)).toEqual(['A', 'D']);
    for (const q of bench.ratios) expect(Object.keys(q.cpuEfficiency)).toEqual(['tutorial', 'socketio']);
    expect(readFileSync(join(benchOut, 'report.md'), 'utf8')).toContain('| A | tickwire |');

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
  }, 120_000);

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
