/**
 * The Python client (clients/python/tickwire_client.py, written from PROTOCOL.md alone) against a
 * real node: it keeps every stream by the seq/prev rules, and what it ends with equals the
 * server's own state. Needs /usr/bin/python3 with msgpack and websockets (bash .ci/run installs
 * them); without them this file fails, it does not skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startNode, type Running } from './helpers/node.js';

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const CLIENT = fileURLToPath(new URL('../clients/python/tickwire_client.py', import.meta.url));
const SYMBOLS = ['AAPL', 'MSFT', 'BTC-USD', 'EURUSD'];
const CHANNELS = ['ticker', 'candles:1m', 'trades'];
/** How long each client runs after its `hello`; the lossy one loses items in the first half only. */
const SECONDS = 5;
/** Each client keeps reading this long after the feed stops, so the last flushes reach it. */
const TAIL_MS = 800;

interface Output {
  updates: number;
  gaps: number;
  dropped: number;
  throttle: number;
  errors: unknown[];
  closed: unknown;
  streams: Record<string, { seq: number; state: unknown }>;
}
interface Run {
  child: ChildProcess;
  /** When the client reported its first snapshot (ms, this process's clock). */
  live: Promise<number>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}
interface SnapshotItem {
  s: string;
  ch: string;
  seq: number;
  d: unknown;
}

function pythonProblem(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import msgpack, websockets'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run: ${r.error.message}`;
  if (r.status !== 0) return `${PYTHON} cannot import msgpack and websockets: ${r.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

function runClient(wsUrl: string, extra: string[]): Run {
  const args = [CLIENT, '--url', wsUrl, '--symbols', SYMBOLS.join(','), '--channels', CHANNELS.join(','), '--seconds', String(SECONDS), ...extra];
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onLive!: (t: number) => void;
  const live = new Promise<number>((resolve) => (onLive = resolve));
  child.stdout!.on('data', (b: Buffer) => (stdout += b));
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b;
    if (stderr.includes('tickwire: live:')) onLive(Date.now());
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, live, done };
}

async function finish(r: Run, name: string): Promise<Output> {
  const { code, stdout, stderr } = await r.done;
  expect(code, `${name} exited ${code}; stderr:\n${stderr}`).toBe(0);
  return JSON.parse(stdout) as Output;
}

let srv: Running | undefined;
const runs: Run[] = [];
const out: Partial<Record<'every' | 'throttled' | 'lossy', Output>> = {};
let server: Map<string, SnapshotItem>;
let problem: string | undefined;

/** A client's output; every test fails with the reason when Python cannot run the client. */
function result(name: keyof typeof out): Output {
  if (problem) throw new Error(`${problem}. Install python3-msgpack and python3-websockets (apt-get; bash .ci/run does it).`);
  return out[name]!;
}

beforeAll(async () => {
  problem = pythonProblem();
  if (problem) return;
  srv = await startNode({ FEED_RATE: '20' });
  const every = runClient(srv.wsUrl, ['--throttle', '0']);
  const throttled = runClient(srv.wsUrl, ['--throttle', '250']);
  // Acts as if every 7th update item were lost (first half of its run): the gap rule must notice and recover.
  const lossy = runClient(srv.wsUrl, ['--throttle', '0', '--simulate-loss', '7']);
  runs.push(every, throttled, lossy);
  const guard = setTimeout(() => runs.forEach((r) => r.child.kill()), (SECONDS + 15) * 1000);
  try {
    const exited = Promise.race(runs.map((r) => r.done.then(({ stderr }) => Promise.reject(new Error(`a client ended before it was live:\n${stderr}`)))));
    const lives = await Promise.race([Promise.all(runs.map((r) => r.live)), exited]);
    // Stop the market while every client still reads: their last state is then final and exact.
    // The lossy client's last loss is then over a second before the stop: later items reveal it.
    const spread = Math.max(...lives) - Math.min(...lives);
    if (spread > 1000) throw new Error(`the clients became live ${spread} ms apart: too far apart for one shared stop`);
    const stopAt = Math.min(...lives) + SECONDS * 1000 - TAIL_MS;
    await sleep(stopAt - Date.now());
    srv.node.feed.stop();
    out.every = await finish(every, 'throttle 0 client');
    out.throttled = await finish(throttled, 'throttle 250 client');
    out.lossy = await finish(lossy, 'lossy client');
  } finally {
    clearTimeout(guard);
  }
  const q = `symbols=${SYMBOLS.join(',')}&channels=${CHANNELS.join(',')}`;
  const snap = (await (await fetch(`${srv.url}/api/snapshot?${q}`)).json()) as { items: SnapshotItem[] };
  server = new Map(snap.items.map((it) => [`${it.s}|${it.ch}`, it]));
}, 60_000);

afterAll(async () => {
  for (const r of runs) if (r.child.exitCode === null) r.child.kill();
  await srv?.close();
});

/** Every stream's final seq and state equal the server's (trades: the newest ones). */
function expectServerState(o: Output): void {
  expect(Object.keys(o.streams).sort()).toEqual(SYMBOLS.flatMap((s) => CHANNELS.map((c) => `${s}|${c}`)).sort());
  for (const [key, mine] of Object.entries(o.streams)) {
    const theirs = server.get(key)!;
    expect(mine.seq, key).toBe(theirs.seq);
    if (key.endsWith('|trades')) {
      const n = Math.min(20, (theirs.d as unknown[]).length);
      expect((mine.state as unknown[]).slice(-n), key).toEqual((theirs.d as unknown[]).slice(-n));
    } else expect(mine.state, key).toEqual(theirs.d);
  }
}

describe('the Python client from PROTOCOL.md', () => {
  it('at throttle 0 receives chained updates without a gap and ends with the server state', () => {
    const o = result('every');
    expect(o).toMatchObject({ throttle: 0, gaps: 0, dropped: 0, errors: [], closed: null });
    expect(o.updates).toBeGreaterThan(0);
    expectServerState(o);
    // the ticker really moved while the client listened
    for (const s of SYMBOLS) expect(o.streams[`${s}|ticker`].seq, s).toBeGreaterThan(0);
  });

  it('at throttle 250 gets conflated updates (fewer items, same end state)', () => {
    const o = result('throttled');
    expect(o).toMatchObject({ throttle: 250, gaps: 0, dropped: 0, errors: [], closed: null });
    expect(o.updates).toBeGreaterThan(0);
    expect(o.updates).toBeLessThan(result('every').updates);
    expectServerState(o);
  });

  it('notices lost items by their prev, asks for snapshots and still ends with the server state', () => {
    const o = result('lossy');
    expect(o.gaps).toBeGreaterThan(0);
    expect(o).toMatchObject({ errors: [], closed: null });
    expectServerState(o);
  });
});
