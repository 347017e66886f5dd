/**
 * `npm run compare`: against a running server (--url) it reports that server's settings, not
 * its own defaults; --port chooses the started server's port; its SVG has one y scale.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latencyChart } from '../../scripts/compare/chart.js';
import { startNode, type Running } from '../helpers/node.js';

const run = promisify(execFile);
let srv: Running;
let dir: string;
beforeAll(async () => {
  srv = await startNode({ FEED_RATE: '5', FEED_SYMBOLS: '48' });
  dir = mkdtempSync(join(tmpdir(), 'tickwire-compare-'));
});
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const summary = (p50: number, max: number) => ({ p50, p90: p50, p99: max, p999: max, max, mean: p50, count: 1, negative: 0 });

describe('npm run compare', () => {
  it('reports the measured server settings with --url, and starts its own on --port', async () => {
    const out = join(dir, 'url');
    await run('node_modules/.bin/tsx', ['scripts/compare/main.ts', '--quick', '--url', srv.url, '--out', out], { timeout: 60_000 });
    const { meta } = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { meta: { feedRate: number; feedSymbols: number } };
    expect(meta).toMatchObject({ feedRate: 5, feedSymbols: 48 });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('FEED_RATE=5, FEED_SYMBOLS=48');

    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const started = join(dir, 'port');
    const { stdout } = await run('node_modules/.bin/tsx', ['scripts/compare/main.ts', '--quick', '--port', String(port), '--out', started], { timeout: 90_000 });
    expect(stdout).toContain('report:');
    const bad = await run('node_modules/.bin/tsx', ['scripts/compare/main.ts', '--port', 'x']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
  }, 180_000);

  it('draws both panels on one y scale', () => {
    const svg = latencyChart('t', ['latency', 'age'], [{ name: 'WebSocket', color: '#00f', panels: [summary(1, 3), summary(10, 40)] }]);
    const ticks = [...svg.matchAll(/text-anchor="end" fill="#555">([\d.]+)</g)].map((m) => Number(m[1]));
    expect(ticks.filter((v) => v === 50)).toHaveLength(2); // each panel's top: the figure's 50
  });
});
