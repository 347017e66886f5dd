/** `npm run subscribe`: the real script against a real server, and its pure parts. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSubscribeArgs } from '../scripts/subscribe/args.js';
import { EXIT, RunOutcome } from '../scripts/subscribe/outcome.js';
import { bookSummary, changeLine, colorWanted, errorLine, fitLines, gapLine, levelsToFit, palette, redraw, tableLines } from '../scripts/subscribe/view.js';
import { resolveSymbols, suggestion } from '../scripts/subscribe/names.js';
import type { ErrorMsg } from '../shared/protocol.js';
import { bookLines, pipedTable, expectRising, jsonLines, type Line, failedConnections, jwtRights, refusedSymbols, staticToken } from './client/cli-contract.js';
import { startNode, type Running } from './helpers/node.js';


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

/** Runs the script to its own exit (killed after 60 s); stdout and stderr as text. */
async function runToExit(argv: string[], env: Record<string, string> = {}): Promise<{ out: string; err: string; code: number | null }> {
  const child = spawn('node_modules/.bin/tsx', ['scripts/subscribe.ts', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  return { out, err, code };
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
    expect(Array.isArray((lines.findLast((l) => l.channel === 'trades') as unknown as { trades: unknown }).trades)).toBe(true);
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
      retries: 5,
      help: false,
    });
    expect(parseSubscribeArgs(['A', '--count', '5', '--format', 'table', '--retries', '0', '--token', 't'])).toMatchObject({ count: 5, format: 'table', retries: 0, token: 't' });
    expect(parseSubscribeArgs(['A', '--channels', 'book'])).toMatchObject({ channels: ['book'] });
    for (const bad of [['--count', '0'], ['--count', '2.5'], ['--count', 'x'], ['--retries', '-1'], ['--format', 'csv']]) expect(() => parseSubscribeArgs(['A', ...bad]), bad.join(' ')).toThrow(bad[0]);
    expect(parseSubscribeArgs(['AAPL'])).toMatchObject({ channels: ['ticker'], throttle: 0, transport: 'auto', urls: ['http://localhost:8080'] });
    expect(() => parseSubscribeArgs([])).toThrow(/symbol/);
    expect(() => parseSubscribeArgs(['A', '--channels', 'quotes'])).toThrow(/quotes/);
    expect(() => parseSubscribeArgs(['A', '--throttle', '-1'])).toThrow(/throttle/);
    expect(() => parseSubscribeArgs(['A', '--transport', 'tcp'])).toThrow(/transport/);
    expect(() => parseSubscribeArgs(['A', '--url', 'localhost:8080'])).toThrow(/URL/);
    expect(() => parseSubscribeArgs(['A', '--bogus'])).toThrow();
  });

  it('takes the server URL from TICKWIRE_URL unless --url is given', () => {
    expect(parseSubscribeArgs(['A'], { TICKWIRE_URL: 'http://feed:9000' }).urls).toEqual(['http://feed:9000']);
    expect(parseSubscribeArgs(['A', '--url', 'http://x:1'], { TICKWIRE_URL: 'http://feed:9000' }).urls).toEqual(['http://x:1']);
    expect(() => parseSubscribeArgs(['A'], { TICKWIRE_URL: 'feed:9000' })).toThrow(/TICKWIRE_URL/);
  });

  it('matches symbols in any case when the match is unique, and suggests the closest', () => {
    const served = ['AAPL', 'AMD', 'AMZN', 'BTC-USD', 'MSFT'];
    expect(resolveSymbols(['aapl', 'btc-usd', 'Msft', 'AAPL'], served)).toEqual(['AAPL', 'BTC-USD', 'MSFT']);
    expect(resolveSymbols(['APPL'], served)).toEqual(['APPL']);
    expect(suggestion('APPL', served)).toBe('APPL: no such symbol; did you mean AAPL?');
    expect(suggestion('AMX', served)).toBe('AMX: no such symbol; did you mean AMD or AMZN?');
    expect(suggestion('QQQQQQQ', served)).toBe('QQQQQQQ: no such symbol');
  });

  it('gives the books the levels that fit the height, and cuts what still does not fit', () => {
    // 30 lines, two symbols, two books: 30 - 4 - 2 - 8 = 16 lines, 4 levels a side each.
    expect(levelsToFit(30, 2, 2)).toBe(4);
    expect(levelsToFit(200, 2, 2)).toBe(10);
    expect(levelsToFit(12, 2, 2)).toBe(0);
    expect(levelsToFit(10, 2, 0)).toBe(10);
    const cut = fitLines(['h', '-', ...Array.from({ length: 20 }, (_, i) => `r${i}`), '', 'status'], 10);
    expect(cut).toHaveLength(10);
    expect(cut.at(-1)).toBe('status');
    expect(cut.at(-2)).toMatch(/more lines/);
  });

  it('renders an NDJSON line and a table row with change %, age and the last trade', () => {
    const line = changeLine({ symbol: 'A', channel: 'ticker', seq: 3, kind: 'update', state: { last: 1 }, delta: { last: 1 }, t: 5, receivedAt: 6 });
    expect(JSON.parse(line)).toEqual({ symbol: 'A', channel: 'ticker', seq: 3, kind: 'update', t: 5, state: { last: 1 } });
    const trade = { id: 9, price: 1, size: 2, side: 'buy', ts: 3 };
    const trades = changeLine({ symbol: 'A', channel: 'trades', seq: 4, kind: 'update', state: [{ ...trade, id: 8 }, trade], delta: [trade], t: 5, receivedAt: 6 });
    expect(JSON.parse(trades)).toEqual({ symbol: 'A', channel: 'trades', seq: 4, kind: 'update', t: 5, trades: [trade] });
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

// Each case starts the script (tsx) once or twice: slow on a busy 2-core machine.
describe('npm run subscribe in scripts', { timeout: 90_000 }, () => {
  it('exits 0 by itself after --count records, exactly that many', async () => {
    const { out, err, code } = await runToExit(['AAPL', 'MSFT', '--channels', 'ticker,trades', '--count', '7', '--url', run.url]);
    expect(code, err).toBe(EXIT.done);
    const lines = jsonLines(out);
    expect(lines).toHaveLength(7);
    expectRising(lines);
  });

  it('writes a piped --format table once, at the end, without escape codes', () => pipedTable(runToExit, run.url));

  it('streams the book channel: bids and asks best first, with a checksum, and no mismatch', () => bookLines(runToExit, run.url));

  it('shows the book as a ladder in the table, its checksum verified', async () => {
    const { out, err, code } = await runToExit(['AAPL', '--channels', 'ticker,book', '--format', 'table', '--count', '30', '--url', run.url]);
    expect(code, err).toBe(EXIT.done);
    expect(out).toMatch(/^AAPL book {2}seq \d+ {2}checksum \d+ ok$/m);
    expect(out).toMatch(/spread [\d.]+ \([\d.]+ bps\)/);
    expect(out).not.toMatch(/MISMATCH/);
  });

  it('exits 3 when every symbol is refused, 0 when some are served', () => refusedSymbols(runToExit, run.url));

  it('exits 4 when the connection fails more often than --retries (default 5), naming the cause', () => failedConnections(runToExit));

  it('takes symbols in any case, TICKWIRE_URL, and says which symbol was meant', async () => {
    const [lower, typo] = await Promise.all([
      runToExit(['aapl', '--count', '2'], { TICKWIRE_URL: run.url }),
      runToExit(['APPL', '--count', '2', '--url', run.url]),
    ]);
    expect(lower.code, lower.err).toBe(EXIT.done);
    expect(jsonLines(lower.out).map((l) => l.symbol)).toEqual(['AAPL', 'AAPL']);
    expect(typo.code, typo.err).toBe(EXIT.refused);
    expect(typo.err).toContain('APPL: no such symbol; did you mean AAPL?');
  });

  it('prints only the new trades in each NDJSON trades line', async () => {
    const { out, err, code } = await runToExit(['AAPL', '--channels', 'trades', '--count', '12', '--url', run.url]);
    expect(code, err).toBe(EXIT.done);
    const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line & { trades: { id: number }[] });
    expect(lines[0].kind).toBe('snapshot');
    const seen = new Set<number>();
    for (const l of lines) {
      expect(l).not.toHaveProperty('state');
      for (const t of l.trades) {
        expect(seen.has(t.id), `trade ${t.id} printed twice`).toBe(false);
        seen.add(t.id);
      }
    }
    expect(lines.slice(1).every((l) => l.trades.length >= 1 && l.trades.length < 20)).toBe(true);
  });

  it('exits 2 on bad usage, with the usage on stderr and nothing on stdout', async () => {
    const cases = [[], ['AAPL', '--count', 'many'], ['AAPL', '--format', 'xml'], ['AAPL', '--nope']];
    const runs = await Promise.all(cases.map((argv) => runToExit(argv)));
    runs.forEach(({ out, err, code }, i) => {
      expect(code, cases[i].join(' ')).toBe(EXIT.usage);
      expect(out).toBe('');
      expect(err).toContain('usage: npm run subscribe');
    });
  });

  it('sends --token to a server that requires one', () => staticToken(runToExit));

  it('exits 3 when a JWT covers none of the symbols asked for (forbidden), 0 when it covers some', () => jwtRights(runToExit));

  it('draws a live table on a terminal, in colour unless NO_COLOR is set', async () => {
    // `script` gives the child a pseudo-terminal; -e passes its exit code on.
    const onTty = (env: Record<string, string>) => {
      const cmd = `node_modules/.bin/tsx scripts/subscribe.ts AAPL MSFT --count 40 --url ${run.url}`;
      return runScript(['-qec', cmd, '/dev/null'], env);
    };
    const [coloured, plain] = await Promise.all([onTty({}), onTty({ NO_COLOR: '1' })]);
    expect(coloured.code, coloured.out).toBe(EXIT.done);
    expect(coloured.out).toContain('\x1b[?1049h'); // the alternate screen: the table is the default on a terminal
    expect(coloured.out).toMatch(/\x1b\[3[12]m/);
    expect(plain.code, plain.out).toBe(EXIT.done);
    expect(plain.out).toContain('\x1b[?1049h');
    expect(plain.out).not.toMatch(/\x1b\[3\dm/);
  });

  it('fits the live table with two books into a 30-line terminal', async () => {
    const cmd = `stty rows 30 cols 120; node_modules/.bin/tsx scripts/subscribe.ts AAPL MSFT --channels ticker,trades,book --count 80 --url ${run.url}`;
    const { out, code } = await runScript(['-qec', cmd, '/dev/null'], { NO_COLOR: '1' });
    expect(code, out).toBe(EXIT.done);
    const frames = out.split('\x1b[H').slice(1).map((f) => f.split('\x1b[J')[0]);
    const withBooks = frames.filter((f) => (f.match(/ book {2}seq/g) ?? []).length === 2);
    expect(withBooks.length).toBeGreaterThan(0);
    for (const f of frames) expect(f.split('\n').filter((l) => l !== '').length, f).toBeLessThanOrEqual(30);
  });
});

/** Runs util-linux `script` to its exit; its output is what the terminal showed. */
async function runScript(args: string[], env: Record<string, string>): Promise<{ out: string; code: number | null }> {
  const base = { ...process.env };
  delete base.NO_COLOR;
  const child = spawn('script', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, TERM: 'xterm', ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  return { out, code };
}

describe('subscribe outcome (exit codes)', () => {
  const err = (code: ErrorMsg['code'], more: Partial<ErrorMsg> = {}): ErrorMsg => ({ type: 'error', code, message: 'x', t: 0, ...more });

  it('ends with 0 at the count, not before', () => {
    const o = new RunOutcome(['A'], ['ticker'], { count: 3, retries: Infinity });
    expect(o.record()).toBeUndefined();
    expect(o.record()).toBeUndefined();
    expect(o.wanted).toBe(true);
    expect(o.record()).toEqual({ code: EXIT.done });
    expect(o.wanted).toBe(false);
    const endless = new RunOutcome(['A'], ['ticker'], { retries: Infinity });
    for (let i = 0; i < 1000; i++) expect(endless.record()).toBeUndefined();
  });

  it('ends with 4 once the failed attempts in a row pass --retries', () => {
    const o = new RunOutcome(['A'], ['ticker'], { retries: 2 });
    const rec = (attempt: number) => o.status({ state: 'reconnecting', attempt, delayMs: 1, reason: 'refused' });
    expect(rec(1)).toBeUndefined(); // a live connection dropped: nothing failed yet
    expect(rec(2)).toBeUndefined();
    expect(rec(3)).toBeUndefined();
    expect(rec(4)).toEqual({ code: EXIT.connection, message: 'connection failed after 3 attempts: refused' });
    expect(new RunOutcome(['A'], ['ticker'], { retries: Infinity }).status({ state: 'reconnecting', attempt: 1e6, delayMs: 1, reason: 'x' })).toBeUndefined();
    expect(o.status({ state: 'live', url: 'u', transport: 'ws', fallback: false })).toBeUndefined();
  });

  it('ends with 3 only when every stream asked for is refused', () => {
    const o = new RunOutcome(['A', 'B'], ['ticker', 'book'], { retries: Infinity });
    expect(o.error(err('unknown_symbol', { symbols: ['A'] }))).toBeUndefined();
    expect(o.error(err('rate_limited'))).toBeUndefined();
    expect(o.error(err('forbidden', { symbols: ['B'], channels: ['book'] }))).toBeUndefined(); // B ticker still open
    expect(o.error(err('forbidden', { channels: ['ticker'] }))?.code).toBe(EXIT.refused);

    const ch = new RunOutcome(['A'], ['ticker', 'trades'], { retries: Infinity });
    expect(ch.error(err('unknown_channel', { channels: ['trades'] }))).toBeUndefined();
    expect(ch.error(err('forbidden', { symbols: ['A'] }))?.code).toBe(EXIT.refused);
    expect(new RunOutcome(['A'], ['ticker'], { retries: 0 }).error(err('limit_exceeded', { symbols: ['A'] }))?.code).toBe(EXIT.refused);
  });
});

describe('subscribe stderr lines and colours', () => {
  it('names a checksum mismatch, an unrecovered stream and a broken chain', () => {
    expect(gapLine({ symbol: 'AAPL', channel: 'book', have: 5, prev: -1, reason: 'checksum' })).toBe('AAPL book: checksum mismatch; a snapshot was asked for');
    expect(gapLine({ symbol: 'A', channel: 'ticker', have: 5, prev: -1, reason: 'unrecovered' })).toMatch(/not recovered/);
    expect(gapLine({ symbol: 'A', channel: 'ticker', have: 5, prev: 7, reason: 'prev' })).toMatch(/have seq 5, update on 7/);
    expect(errorLine({ type: 'error', code: 'forbidden', message: 'not allowed', symbols: ['X'], t: 0 })).toBe('server error forbidden: not allowed (X)');
  });

  it('colours only a terminal without NO_COLOR, and the table change % by sign', () => {
    expect(colorWanted(true, {})).toBe(true);
    expect(colorWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted(true, { NO_COLOR: '' })).toBe(true); // no-color.org: set and not empty
    expect(colorWanted(false, {})).toBe(false);
    const rows = [
      { symbol: 'UP', ticker: { seq: 1, state: { last: 110, open: 100 } } },
      { symbol: 'DOWN', ticker: { seq: 1, state: { last: 90, open: 100 } } },
    ];
    const footer = { status: { state: 'live', url: 'u', transport: 'ws', fallback: false } as const, gaps: 0, changes: 0 };
    const lit = tableLines(rows, footer, 0, palette(true));
    expect(lit[2]).toContain('\x1b[32m');
    expect(lit[3]).toContain('\x1b[31m');
    expect(tableLines(rows, footer, 0, palette(false)).join('\n')).not.toContain('\x1b');
  });

  it('shows a book under the table', () => {
    expect(bookSummary({ symbol: 'AAPL', decimals: 2, book: { seq: 1, state: { bids: [[99.5, 3], [99, 1]], asks: [[100, 2]], checksum: 1, ts: 0 } } })).toEqual(['AAPL book: bid 99.50 x 3 (2 levels) | ask 100.00 x 2 (1 levels)']);
    const lines = tableLines([{ symbol: 'AAPL', book: { seq: 1, state: { bids: [[1, 1]], asks: [[2, 1]], checksum: 0, ts: 0 } } }], { status: { state: 'closed' }, gaps: 0, changes: 0 }, 0);
    expect(lines.some((l) => l.startsWith('AAPL book: bid 1 x 1'))).toBe(true);
  });
});
