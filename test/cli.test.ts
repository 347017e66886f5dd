/** `npm run subscribe`: the real script against a real server, and its pure parts. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSubscribeArgs } from '../scripts/subscribe/args.js';
import { changeLine, redraw, tableLines } from '../scripts/subscribe/view.js';
import { startNode, type Running } from './helpers/node.js';

interface Line {
  symbol: string;
  channel: string;
  seq: number;
  kind: 'snapshot' | 'update';
  t: number;
  state: unknown;
}

let run: Running;
beforeAll(async () => {
  run = await startNode({ FEED_RATE: '20', FEED_SYMBOLS: '20' });
});
afterAll(() => run.close());

/** Runs the script with piped stdout until `enough(lines)`; then sends SIGINT and waits for the exit code. */
async function subscribe(argv: string[], enough: (lines: Line[]) => boolean): Promise<{ lines: Line[]; code: number | null; stderr: string }> {
  const child = spawn('node_modules/.bin/tsx', ['scripts/subscribe.ts', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines: Line[] = [];
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  for await (const text of createInterface({ input: child.stdout })) {
    lines.push(JSON.parse(text) as Line); // every line must be valid JSON
    if (enough(lines)) break;
  }
  child.kill('SIGINT');
  const code = await exited;
  clearTimeout(killer);
  return { lines, code, stderr };
}

/** Per stream: a snapshot first, then seqs that only rise. */
function expectRising(lines: Line[]): void {
  const last = new Map<string, number>();
  for (const l of lines) {
    const key = `${l.symbol}|${l.channel}`;
    if (l.kind === 'update') expect(l.seq, key).toBeGreaterThan(last.get(key)!);
    else expect(l.kind).toBe('snapshot');
    last.set(key, l.seq);
  }
}

describe('npm run subscribe (piped)', () => {
  it('writes NDJSON lines with rising seq per stream, and exits 0 on Ctrl-C', async () => {
    const updates = (ls: Line[], s: string) => ls.filter((l) => l.symbol === s && l.kind === 'update').length;
    const { lines, code, stderr } = await subscribe(['AAPL', 'MSFT', '--channels', 'ticker,trades', '--url', run.url], (ls) => updates(ls, 'AAPL') >= 5 && updates(ls, 'MSFT') >= 5);
    expect(code, stderr).toBe(0);
    expect(new Set(lines.map((l) => `${l.symbol}|${l.channel}`))).toEqual(new Set(['AAPL|ticker', 'AAPL|trades', 'MSFT|ticker', 'MSFT|trades']));
    expectRising(lines);
    const ticker = lines.findLast((l) => l.channel === 'ticker')!;
    expect(ticker.state).toMatchObject({ last: expect.any(Number), bid: expect.any(Number), ask: expect.any(Number), ts: expect.any(Number) });
    expect(Array.isArray(lines.findLast((l) => l.channel === 'trades')!.state)).toBe(true);
    expect(stderr).toContain(`live ws ${run.url}`);
  });

  it('works over SSE with a throttle, after a server URL that is down', async () => {
    const { lines, code, stderr } = await subscribe(
      ['BTC-USD', '--transport', 'sse', '--throttle', '200', '--url', 'http://127.0.0.1:9', '--url', run.url],
      (ls) => ls.filter((l) => l.kind === 'update').length >= 3,
    );
    expect(code, stderr).toBe(0);
    expectRising(lines);
    const updates = lines.filter((l) => l.kind === 'update');
    for (let i = 1; i < updates.length; i++) expect(updates[i].t - updates[i - 1].t).toBeGreaterThanOrEqual(200);
    expect(stderr).toContain(`live sse ${run.url}`);
  });
});

describe('subscribe arguments and views', () => {
  it('parses symbols, channels, throttle, transport and several URLs', () => {
    expect(parseSubscribeArgs(['AAPL', 'MSFT,AAPL', '--channels', 'ticker,candles:1m', '--throttle', '250', '--transport', 'sse', '--url', 'http://a:1', '--url', 'http://b:2'])).toEqual({
      symbols: ['AAPL', 'MSFT'],
      channels: ['ticker', 'candles:1m'],
      throttle: 250,
      transport: 'sse',
      urls: ['http://a:1', 'http://b:2'],
      help: false,
    });
    expect(parseSubscribeArgs(['AAPL'])).toMatchObject({ channels: ['ticker'], throttle: 0, transport: 'auto', urls: ['http://localhost:8080'] });
    expect(() => parseSubscribeArgs([])).toThrow(/symbol/);
    expect(() => parseSubscribeArgs(['A', '--channels', 'quotes'])).toThrow(/quotes/);
    expect(() => parseSubscribeArgs(['A', '--throttle', '-1'])).toThrow(/throttle/);
    expect(() => parseSubscribeArgs(['A', '--transport', 'tcp'])).toThrow(/transport/);
    expect(() => parseSubscribeArgs(['A', '--url', 'localhost:8080'])).toThrow(/URL/);
    expect(() => parseSubscribeArgs(['A', '--bogus'])).toThrow();
  });

  it('renders an NDJSON line and a table row with change %, age and the last trade', () => {
    const line = changeLine({ symbol: 'A', channel: 'ticker', seq: 3, kind: 'update', state: { last: 1 }, delta: { last: 1 }, t: 5, receivedAt: 6 });
    expect(JSON.parse(line)).toEqual({ symbol: 'A', channel: 'ticker', seq: 3, kind: 'update', t: 5, state: { last: 1 } });
    const lines = tableLines(
      [{ symbol: 'AAPL', decimals: 2, ticker: { seq: 42, state: { last: 110, bid: 109.99, ask: 110.01, open: 100, volume: 1234, ts: 900 } }, lastTrade: { id: 1, price: 110, size: 5, side: 'sell', ts: 1 } }, { symbol: 'MSFT' }],
      { status: { state: 'live', url: 'http://x', transport: 'sse', fallback: true }, rttMs: 3.2, gaps: 0, changes: 7 },
      1000,
    );
    expect(lines[2].split(/\s+/).filter(Boolean)).toEqual(['AAPL', '110.00', '109.99', '110.01', '10.00', '1234', '42', '100ms', 'S', '5@110']);
    expect(lines[3].trim().split(/\s+/)).toEqual(['MSFT', '-', '-', '-', '-', '-', '-', '-']);
    expect(lines.at(-1)).toContain('live sse (fallback) http://x | rtt 3 ms | 7 changes');
    expect(redraw(['a', 'b'])).toBe('\x1b[Ha\x1b[K\nb\x1b[K\n\x1b[J');
  });
});
