/**
 * The Python client (clients/python, package `tickwire`) against real nodes: tickwire.Client keeps
 * every stream by the seq/prev rules and ends with the server's own state (also when items are
 * lost), and its CLI, `python3 -m tickwire`, takes the Node CLI's flags (test/cli.test.ts) with
 * the same output and exit codes. Needs /usr/bin/python3 with msgpack and websockets.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeLine } from '../scripts/subscribe/view.js';
import type { StreamChange } from '../shared/client/types.js';
import { follow, py, PY_DIR, PYTHON, pythonProblem, runPyCli, type Followed } from './client/python.js';
import { bookLines, pipedTable, expectRising, jsonLines, type Line, EXIT, failedConnections, jwtRights, refusedSymbols, staticToken } from './client/cli-contract.js';
import { startNode, type Running } from './helpers/node.js';
import { sleep } from './helpers/wait.js';

const SYMBOLS = ['AAPL', 'MSFT', 'BTC-USD', 'EURUSD'];
const CHANNELS = ['ticker', 'candles:1m', 'trades'];
/** How long each client runs after its first change; the lossy one loses items in the first half only. */
const SECONDS = 5;
/** Each client keeps reading this long after the feed stops, so the last flushes reach it. */
const TAIL_MS = 800;

interface SnapshotItem {
  s: string;
  ch: string;
  seq: number;
  d: unknown;
}

const problem = pythonProblem();


describe('tickwire.Client from PROTOCOL.md', () => {
  let srv: Running | undefined;
  const out: Partial<Record<'every' | 'throttled' | 'lossy', Followed>> = {};
  let server: Map<string, SnapshotItem>;

  beforeAll(async () => {
    if (problem) return;
    srv = await startNode({ FEED_RATE: '20' });
    const o = { url: srv.url, symbols: SYMBOLS, channels: CHANNELS, seconds: SECONDS };
    const runs = [follow({ ...o, throttle: 0 }), follow({ ...o, throttle: 250 }), follow({ ...o, throttle: 0, loseEvery: 7 })];
    try {
      const failed = Promise.race(runs.map((r) => r.done.then(() => Promise.reject(new Error('a client ended before it was live')))));
      const lives = await Promise.race([Promise.all(runs.map((r) => r.live)), failed]);
      // Stop the market while every client still reads: their last state is then final and exact.
      const spread = Math.max(...lives) - Math.min(...lives);
      if (spread > 1000) throw new Error(`the clients became live ${spread} ms apart: too far apart for one shared stop`);
      await sleep(Math.min(...lives) + SECONDS * 1000 - TAIL_MS - Date.now()); // the clients' run: they stop by their own clock
      srv.node.feed.stop();
      [out.every, out.throttled, out.lossy] = await Promise.all(runs.map((r) => r.done));
    } finally {
      runs.forEach((r) => r.kill());
    }
    const q = `symbols=${SYMBOLS.join(',')}&channels=${CHANNELS.join(',')}`;
    const snap = (await (await fetch(`${srv.url}/api/snapshot?${q}`)).json()) as { items: SnapshotItem[] };
    server = new Map(snap.items.map((it) => [`${it.s}|${it.ch}`, it]));
  }, 60_000);
  afterAll(() => srv?.close());

  const result = (name: keyof typeof out): Followed => {
    if (problem) throw new Error(problem);
    return out[name]!;
  };

  /** Every stream's final seq and state equal the server's (trades: the newest ones). */
  function expectServerState(o: Followed): void {
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

  it('at throttle 0 receives chained updates without a gap and ends with the server state', () => {
    const o = result('every');
    expect(o).toMatchObject({ gaps: 0, dropped: 0, errors: [], reconnects: 0 });
    expect(o.updates).toBeGreaterThan(0);
    expectServerState(o);
    for (const s of SYMBOLS) expect(o.streams[`${s}|ticker`].seq, s).toBeGreaterThan(0);
  });

  it('at throttle 250 gets conflated updates (fewer items, same end state)', () => {
    const o = result('throttled');
    expect(o).toMatchObject({ gaps: 0, dropped: 0, errors: [], reconnects: 0 });
    expect(o.updates).toBeGreaterThan(0);
    expect(o.updates).toBeLessThan(result('every').updates);
    expectServerState(o);
  });

  it('notices lost items by their prev, asks for snapshots and still ends with the server state', () => {
    const o = result('lossy');
    expect(o.gaps).toBeGreaterThan(0);
    expect(o).toMatchObject({ errors: [], reconnects: 0 });
    expectServerState(o);
  });
});

// Each case starts Python once or more: slow on a busy 2-core machine.
describe('python3 -m tickwire (the CLI), flag by flag as the Node CLI', { timeout: 90_000 }, () => {
  let run: Running;
  beforeAll(async () => {
    if (problem) throw new Error(problem);
    run = await startNode({ FEED_RATE: '20', FEED_SYMBOLS: '20' });
  });
  afterAll(() => run?.close());

  it('writes NDJSON with rising seq per stream, exits 0 after --count records, and says it is live on stderr', async () => {
    const { out, err, code } = await runPyCli(['AAPL', 'MSFT', '--channels', 'ticker,trades', '--count', '12', '--url', run.url]);
    expect(code, err).toBe(EXIT.done);
    const lines = jsonLines(out);
    expect(lines).toHaveLength(12);
    expect(new Set(lines.map((l) => `${l.symbol}|${l.channel}`))).toEqual(new Set(['AAPL|ticker', 'AAPL|trades', 'MSFT|ticker', 'MSFT|trades']));
    expectRising(lines);
    expect(lines.find((l) => l.channel === 'ticker')!.state).toMatchObject({ last: expect.any(Number), bid: expect.any(Number), ts: expect.any(Number) });
    expect(lines.every((l) => typeof l.t === 'number')).toBe(true);
    expect(err).toContain(`live ws ${run.url}`);
    expect(err).not.toMatch(/protocol v1 client/);
  });

  it('exits 0 on Ctrl-C', async () => {
    const child = spawn(PYTHON, ['-m', 'tickwire', 'AAPL', '--url', run.url], { cwd: PY_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines: Line[] = [];
    for await (const text of createInterface({ input: child.stdout })) {
      lines.push(JSON.parse(text) as Line);
      if (lines.length >= 3) break;
    }
    child.kill('SIGINT');
    expect(await exited).toBe(EXIT.done);
    expectRising(lines);
  });

  it('keeps --throttle per stream, after a --url that is down (the next --url is tried)', async () => {
    const { out, err, code } = await runPyCli(['BTC-USD', '--throttle', '200', '--count', '5', '--transport', 'ws', '--url', 'http://127.0.0.1:9', '--url', run.url]);
    expect(code, err).toBe(EXIT.done);
    const updates = jsonLines(out).filter((l) => l.kind === 'update');
    expect(updates.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < updates.length; i++) expect(updates[i].t - updates[i - 1].t).toBeGreaterThanOrEqual(200);
    expect(err).toMatch(/ECONNREFUSED 127\.0\.0\.1:9/);
    expect(err).toContain(`live ws ${run.url}`);
  });

  it('prints only the new trades in each NDJSON trades line', async () => {
    const { out, err, code } = await runPyCli(['AAPL', '--channels', 'trades', '--count', '12', '--url', run.url]);
    expect(code, err).toBe(EXIT.done);
    const lines = jsonLines(out);
    expect(lines[0].kind).toBe('snapshot');
    const seen = new Set<number>();
    for (const l of lines) {
      expect(l).not.toHaveProperty('state');
      for (const t of l.trades!) {
        expect(seen.has(t.id), `trade ${t.id} printed twice`).toBe(false);
        seen.add(t.id);
      }
    }
    expect(lines.slice(1).every((l) => l.trades!.length >= 1 && l.trades!.length < 20)).toBe(true);
  });

  it('streams the book channel: bids and asks best first, with a checksum, and no mismatch', () => bookLines(runPyCli, run.url));

  it('writes a piped --format table once, at the end, without escape codes', () => pipedTable(runPyCli, run.url));

  it('draws a live table on a terminal that fits its height', async () => {
    const cmd = `stty rows 12 cols 120; cd ${PY_DIR} && ${PYTHON} -m tickwire AAPL MSFT BTC-USD --channels ticker,book --count 40 --url ${run.url}`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm', NO_COLOR: '1' } });
    let screen = '';
    child.stdout.on('data', (d) => (screen += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, screen).toBe(EXIT.done);
    expect(screen).toContain('\x1b[?1049h'); // the alternate screen: the table is the default on a terminal
    const frames = screen.split('\x1b[H').slice(1).map((f) => f.split('\x1b[J')[0]);
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) expect(f.split('\n').filter((l) => l !== '').length, f).toBeLessThanOrEqual(12);
    expect(frames.some((f) => f.includes('more lines: enlarge the terminal'))).toBe(true);
  });

  it('exits 3 when every symbol is refused, 0 when some are served', () => refusedSymbols(runPyCli, run.url));

  it('takes symbols in any case, TICKWIRE_URL, and says which symbol was meant', async () => {
    const [lower, typo] = await Promise.all([
      runPyCli(['aapl', 'btc-usd', '--count', '4'], { TICKWIRE_URL: run.url }),
      runPyCli(['APPL', '--count', '2', '--url', run.url]),
    ]);
    expect(lower.code, lower.err).toBe(EXIT.done);
    expect(new Set(jsonLines(lower.out).map((l) => l.symbol))).toEqual(new Set(['AAPL', 'BTC-USD']));
    expect(typo.code, typo.err).toBe(EXIT.refused);
    expect(typo.err).toContain('APPL: no such symbol; did you mean AAPL?');
  });

  it('exits 4 when the connection fails more often than --retries (default 5), naming the cause', () => failedConnections(runPyCli));

  it('exits 2 on bad usage, with the usage on stderr and nothing on stdout; -h prints it on stdout', async () => {
    const [none, sse, help] = await Promise.all([runPyCli([]), runPyCli(['AAPL', '--transport', 'sse']), runPyCli(['-h'])]);
    for (const { out, err, code } of [none, sse]) {
      expect(code, err).toBe(EXIT.usage);
      expect(out).toBe('');
      expect(err).toContain('usage: tickwire-subscribe SYMBOL...');
    }
    expect(sse.err).toContain('WebSocket only');
    expect(help.code).toBe(EXIT.done);
    for (const flag of ['--channels', '--throttle', '--transport', '--url', '--token', '--count', '--format', '--retries']) expect(help.out).toContain(flag);
  });

  it('parses flags as the Node CLI does: defaults, TICKWIRE_URL, repeated --url, and every bad value refused', () => {
    const got = py(`
import json
from dataclasses import asdict
from tickwire.args import parse_args, UsageError
def p(argv, env={}):
    try:
        return asdict(parse_args(argv, env))
    except UsageError as e:
        return "error: " + str(e)
bad = [["A", "--count", "many"], ["A", "--count", "0"], ["A", "--format", "xml"], ["A", "--nope"], ["A", "--channels", "quotes"],
       ["A", "--throttle", "-1"], ["A", "--transport", "tcp"], ["A", "--retries", "-1"], ["A", "--retries", "2.5"], ["A", "--url", "localhost:8080"], ["A", "--count"]]
print(json.dumps({
    "defaults": p(["AAPL"]),
    "full": p(["AAPL", "MSFT,AAPL", "--channels", "ticker,candles:1m", "--throttle=250", "--transport", "ws", "--url", "http://a:1", "--url", "ws://b:2/ws",
               "--count", "5", "--format", "table", "--retries", "0", "--token", "t"]),
    "env": p(["A"], {"TICKWIRE_URL": "http://feed:9000"}), "flag_wins": p(["A", "--url", "http://x:1"], {"TICKWIRE_URL": "http://feed:9000"}),
    "env_bad": p(["A"], {"TICKWIRE_URL": "feed:9000"}), "bad": [p(b) for b in bad]}))`) as Record<string, unknown>;
    expect(got.defaults).toEqual({ symbols: ['AAPL'], channels: ['ticker'], throttle: 0, transport: 'auto', urls: ['http://localhost:8080'], token: null, count: null, format: null, retries: 5, help: false });
    expect(got.full).toEqual({ symbols: ['AAPL', 'MSFT'], channels: ['ticker', 'candles:1m'], throttle: 250, transport: 'ws', urls: ['http://a:1', 'ws://b:2/ws'], token: 't', count: 5, format: 'table', retries: 0, help: false });
    expect(got.env).toMatchObject({ urls: ['http://feed:9000'] });
    expect(got.flag_wins).toMatchObject({ urls: ['http://x:1'] });
    expect(got.env_bad).toBe('error: not a server URL (from TICKWIRE_URL): feed:9000 (e.g. http://localhost:8080)');
    const bad = got.bad as string[];
    for (const [i, flag] of ['--count', '--count', '--format', '--nope', 'quotes', '--throttle', '--transport', '--retries', '--retries', 'URL', '--count'].entries()) {
      expect(bad[i], flag).toMatch(/^error: /);
      expect(bad[i], flag).toContain(flag);
    }
  });

  it('writes the same NDJSON line as the Node CLI for the same change', () => {
    const changes: StreamChange[] = [
      { symbol: 'AAPL', channel: 'ticker', seq: 3, kind: 'update', state: { last: 232, bid: 231.99, ts: 1796606580213 }, delta: { last: 232 }, t: 1796606580215, receivedAt: 0 },
      { symbol: 'AAPL', channel: 'trades', seq: 4, kind: 'update', state: [{ id: 1 }, { id: 2, price: 232.5 }], delta: [{ id: 2, price: 232.5 }], t: 17.5, receivedAt: 0 },
      { symbol: 'AAPL', channel: 'trades', seq: 2, kind: 'snapshot', state: [{ id: 1 }], delta: [{ id: 1 }], t: 17, receivedAt: 0 },
      { symbol: 'BTC-USD', channel: 'book', seq: 9, kind: 'snapshot', state: { bids: [[100, 1.5]], asks: [[101, 2]], checksum: 7, ts: 5 }, delta: {}, t: 6, receivedAt: 0 },
    ];
    // MessagePack hands Python whole numbers as floats when the server sent float64: 232.0.
    const got = py(`
import json, sys
from tickwire.client import Change
from tickwire.view import change_line
floats = lambda v: float(v) if isinstance(v, int) and not isinstance(v, bool) else {k: floats(x) for k, x in v.items()} if isinstance(v, dict) else [floats(x) for x in v] if isinstance(v, list) else v
print(json.dumps([change_line(Change(c["symbol"], c["channel"], c["seq"], c["kind"], floats(c["state"]), floats(c["delta"]), None, float(c["t"]))) for c in json.load(sys.stdin)]))`, JSON.stringify(changes));
    expect(got).toEqual(changes.map(changeLine));
  });

  it('sends --token to a server that requires one; a wrong one exits 4', () => staticToken(runPyCli));

  it('exits 3 when a JWT covers none of the symbols asked for (forbidden), 0 when it covers some', () => jwtRights(runPyCli));
});
