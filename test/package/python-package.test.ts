/**
 * The Python package (clients/python, `tickwire`): installed with pip into a fresh venv
 * (--system-site-packages for msgpack, websockets and setuptools from Debian; --no-index
 * --no-build-isolation: nothing from PyPI), then its asyncio API streams from a live node
 * through a proxy that cuts the path: the client reconnects, resumes every stream with `since`
 * (no second snapshot, trade ids contiguous), and its books match their checksums. A refused
 * subscription raises the code's ProtocolError subclass. The source is copied first so that
 * the build writes nothing into the checkout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CutProxy } from '../client/proxy.js';
import { startNode, type Running } from '../helpers/node.js';

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const SRC = fileURLToPath(new URL('../../clients/python', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./py_stream.py', import.meta.url));

let dir: string;
let py: string;
let srv: Running;
let proxy: CutProxy;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.error?.message ?? ''}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Like sh, without blocking this process's event loop (the node under test runs in it). */
function shAsync(cmd: string, args: string[]): Promise<string> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b));
  child.stderr.on('data', (b: Buffer) => (err += b));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${err}`)))));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tickwire-py-'));
  cpSync(SRC, join(dir, 'src'), { recursive: true, filter: (p) => !p.includes('__pycache__') });
  sh(PYTHON, ['-m', 'venv', '--system-site-packages', join(dir, 'venv')]);
  py = join(dir, 'venv/bin/python');
  sh(py, ['-m', 'pip', 'install', '--quiet', '--no-build-isolation', '--no-index', join(dir, 'src')]);
  srv = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000' });
  proxy = await CutProxy.start(srv.url);
}, 180_000);
afterAll(async () => {
  await proxy?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Line {
  summary?: true;
  symbol: string;
  channel: string;
  seq: number;
  kind: 'snapshot' | 'update';
  reconnects: number;
  ids?: number[];
  [k: string]: unknown;
}

describe('the Python package', { timeout: 90_000 }, () => {
  it('installs into a venv with pip: typed package and its command line, tickwire-subscribe', () => {
    const out = JSON.parse(sh(py, ['-c', [
      'import json, importlib.resources as r, tickwire',
      'print(json.dumps({"file": tickwire.__file__, "typed": r.files("tickwire").joinpath("py.typed").is_file(), "version": tickwire.__version__}))',
    ].join('\n')]));
    expect(out.file.startsWith(join(dir, 'venv'))).toBe(true);
    expect(out).toMatchObject({ typed: true, version: '0.1.0' });
    expect(sh(join(dir, 'venv/bin/tickwire-subscribe'), ['--help'])).toContain('usage: tickwire-subscribe SYMBOL...');
    const pip = sh(py, ['-m', 'pip', 'show', 'tickwire']);
    expect(pip).toMatch(/Requires: .*msgpack/);
    expect(pip).toMatch(/Requires: .*websockets/);
  });

  it('streams with async for, survives a cut path by resuming every stream with since, books checked', async () => {
    const child = spawn(py, [SCRIPT, 'stream', proxy.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines: Line[] = [];
    let cut = false;
    for await (const text of createInterface({ input: child.stdout })) {
      const line = JSON.parse(text) as Line;
      lines.push(line);
      if (!cut && lines.filter((l) => l.kind === 'update').length >= 10) {
        cut = true;
        proxy.cut(1000);
      }
    }
    expect(await exited, stderr).toBe(0);
    const summary = lines.at(-1)!;
    expect(summary.summary).toBe(true);
    expect(summary.reconnects).toBeGreaterThanOrEqual(1);
    const all = ['AAPL', 'BTC-USD'].flatMap((s) => ['book', 'ticker', 'trades'].map((c) => [s, c]));
    // Tickers and books move all through the cut, within HISTORY_MS: every stream resumes.
    expect(summary.recovered).toEqual(expect.arrayContaining(all));
    expect(summary.unrecovered).toEqual([]);
    expect(summary.gaps).toBe(0);
    const checks = summary.checksums as { verified: number; mismatched: number };
    expect(checks.verified).toBeGreaterThan(0);
    expect(checks.mismatched).toBe(0);
    expect(summary.ticker).toMatchObject({ last: expect.any(Number), bid: expect.any(Number) });

    const changes = lines.slice(0, -1);
    for (const [s, c] of all) {
      const mine = changes.filter((l) => l.symbol === s && l.channel === c);
      expect(mine[0]?.kind, `${s} ${c}`).toBe('snapshot');
      expect(mine.filter((l) => l.kind === 'snapshot').length, `${s} ${c}: one snapshot, none after the cut`).toBe(1);
      expect(mine.every((l, i) => i === 0 || l.seq > mine[i - 1]!.seq), `${s} ${c} seqs increase`).toBe(true);
    }
    const ids = changes.filter((l) => l.symbol === 'AAPL' && l.ids).flatMap((l) => l.ids!);
    expect(changes.some((l) => l.reconnects > 0 && l.channel === 'trades')).toBe(true);
    expect(ids.every((id, i) => i === 0 || id === ids[i - 1]! + 1), 'every AAPL trade, none missed across the cut').toBe(true);
  });

  it('raises typed errors: UnknownSymbol (code unknown_symbol) for a refused subscription, ConnectionFailed after max_retries', async () => {
    const out = (await shAsync(py, [SCRIPT, 'refused', srv.url])).trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0]).toEqual({ type: 'UnknownSymbol', code: 'unknown_symbol', symbols: ['NO-SUCH'], is_unknown_symbol: true });
    expect(out[1]).toEqual({ type: 'ConnectionFailed' });
  });
});
