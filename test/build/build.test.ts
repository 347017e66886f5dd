/**
 * `npm run build` / `npm start`: the server compiled by tsc runs under plain node (no TypeScript
 * loader) and answers /healthz; the stale check rebuilds only when a source is newer.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { isStale, mtimeOf, mtimes, SOURCES } from '../../scripts/build/stale.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
// Inside the project, so that node finds node_modules from the compiled files.
const OUT = join('test-artifacts', `build-${process.pid}`, 'dist');
const BUILD = join(ROOT, 'scripts/build/main.mjs');

/** Environment without anything that could load TypeScript into the child. */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

const build = (...args: string[]) => spawnSync(process.execPath, [BUILD, '--out', OUT, ...args], { cwd: ROOT, encoding: 'utf8', env: plainEnv({}) });

afterAll(() => rmSync(join(ROOT, 'test-artifacts', `build-${process.pid}`), { recursive: true, force: true }));

// tsc and vite over the whole project: tens of seconds on a busy 2-core machine.
describe('the compiled server', { timeout: 240_000 }, () => {
  it('builds with tsc and vite, runs under plain node, answers /healthz and serves the dashboard, then exits 0 on SIGTERM', async () => {
    const r = build();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/build: server built/);
    expect(r.stderr).toMatch(/build: dashboard built/);
    const main = join(ROOT, OUT, 'server/main.js');

    const child = spawn(process.execPath, [main], { cwd: ROOT, env: plainEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // However the test ends, the server does not outlive it.
    onTestFinished(() => void (child.exitCode === null && child.kill('SIGKILL')));
    let url = '';
    for await (const line of createInterface({ input: child.stdout })) {
      const m = /Tickwire serving (http:\/\/[\d.:]+)/.exec(line);
      if (m) {
        url = m[1];
        break;
      }
    }
    expect(url).not.toBe('');
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="app"|<script type="module"/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('finds the dashboard at dist/web from the compiled config', () => {
    const config = join(ROOT, OUT, 'server/config.js');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(config)}); console.log(m.loadConfig({}).webDir)`], { encoding: 'utf8', env: plainEnv({}) });
    expect(r.stdout.trim()).toBe(join(ROOT, OUT, 'web'));
  });

  it('with --if-stale, rebuilds a part only when a source is newer than its output', () => {
    const outputs = { server: join(ROOT, OUT, 'server/main.js'), dashboard: join(ROOT, OUT, 'web/index.html') };
    // Decided just before the run: in a shared checkout someone may have saved a file since the build.
    const stale = (part: keyof typeof SOURCES) => isStale(mtimeOf(outputs[part]), mtimes(SOURCES[part].map((p) => join(ROOT, p))));
    const expected = { server: stale('server'), dashboard: stale('dashboard') };
    const before = mtimeOf(outputs.server);
    const r = build('--if-stale');
    expect(r.status, r.stderr).toBe(0);
    expect(/build: server built/.test(r.stderr)).toBe(expected.server);
    expect(/build: dashboard built/.test(r.stderr)).toBe(expected.dashboard);
    if (!expected.server) expect(mtimeOf(outputs.server)).toBe(before);
  });
});

describe('the stale check', () => {
  it('is stale without output or with a newer source, and fresh otherwise', () => {
    expect(isStale(undefined, [])).toBe(true);
    expect(isStale(100, [50, 100])).toBe(false);
    expect(isStale(100, [50, 101])).toBe(true);
    expect(isStale(100, [])).toBe(false);
  });

  it('collects file times recursively, skipping node_modules and dot-entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickwire-stale-'));
    try {
      mkdirSync(join(dir, 'a/b'), { recursive: true });
      mkdirSync(join(dir, 'node_modules'));
      writeFileSync(join(dir, 'a/b/x.ts'), '');
      writeFileSync(join(dir, 'a/.hidden'), '');
      writeFileSync(join(dir, 'node_modules/y.ts'), '');
      writeFileSync(join(dir, 'top.ts'), '');
      utimesSync(join(dir, 'a/b/x.ts'), 1000, 1000);
      utimesSync(join(dir, 'top.ts'), 2000, 2000);
      expect(mtimes([dir, join(dir, 'missing')]).sort()).toEqual([1_000_000, 2_000_000]);
      expect(mtimeOf(join(dir, 'top.ts'))).toBe(2_000_000);
      expect(mtimeOf(join(dir, 'missing'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
