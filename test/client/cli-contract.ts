/**
 * What both command-line subscribers (`npm run subscribe`, test/cli.test.ts, and the Python
 * `python3 -m tickwire`, test/python-client.test.ts) must do alike: exit codes and messages for
 * refused symbols, failed connections and tokens, and the book's lines. Each case takes a runner
 * of one CLI.
 */
import { expect } from 'vitest';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';
import { startNode } from '../helpers/node.js';

export const EXIT = { done: 0, usage: 2, refused: 3, connection: 4 } as const;

export interface Exit {
  out: string;
  err: string;
  code: number | null;
}
/** Runs the CLI with `argv` (and extra environment) to its exit. */
export type CliRunner = (argv: string[], env?: Record<string, string>) => Promise<Exit>;

/** One NDJSON line of either CLI. */
export interface Line {
  symbol: string;
  channel: string;
  seq: number;
  kind: 'snapshot' | 'update';
  t: number;
  state?: unknown;
  trades?: { id: number }[];
}

export const jsonLines = (out: string): Line[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

/** Per stream: a snapshot first, then seqs that only rise. */
export function expectRising(lines: Line[]): void {
  const last = new Map<string, number>();
  for (const l of lines) {
    const key = `${l.symbol}|${l.channel}`;
    if (l.kind === 'update') expect(l.seq, key).toBeGreaterThan(last.get(key)!);
    else expect(l.kind).toBe('snapshot');
    last.set(key, l.seq);
  }
}

const symbolsOf = (out: string) => new Set(out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { symbol: string }).symbol));

/** Exit 3 when every symbol is refused, 0 when some are served (on the node at `url`). */
export async function refusedSymbols(run: CliRunner, url: string): Promise<void> {
  const [none, some] = await Promise.all([run(['NOPE', 'ZZZZ', '--count', '3', '--url', url]), run(['NOPE', 'AAPL', '--count', '3', '--url', url])]);
  expect(none.code, none.err).toBe(EXIT.refused);
  expect(none.out).toBe('');
  expect(none.err).toMatch(/unknown_symbol/);
  expect(none.err).toMatch(/every symbol asked for was refused/);
  expect(some.code, some.err).toBe(EXIT.done);
  expect(symbolsOf(some.out)).toEqual(new Set(['AAPL']));
  expect(some.err).toMatch(/unknown_symbol.*NOPE/);
}

/** Exit 4 after more failed attempts than --retries (default 5), naming the cause. */
export async function failedConnections(run: CliRunner): Promise<void> {
  const [refused, unknown, byDefault] = await Promise.all([
    run(['AAPL', '--transport', 'ws', '--retries', '1', '--url', 'http://127.0.0.1:9']),
    run(['AAPL', '--retries', '0', '--url', 'http://nohost.invalid:8080']),
    run(['AAPL', '--transport', 'ws'], { TICKWIRE_URL: 'http://127.0.0.1:9' }),
  ]);
  expect(refused.code, refused.err).toBe(EXIT.connection);
  expect(refused.out).toBe('');
  expect(refused.err).toMatch(/connection failed after 2 attempts.*ECONNREFUSED 127\.0\.0\.1:9 \(connection refused/);
  expect(unknown.code, unknown.err).toBe(EXIT.connection);
  expect(unknown.err).toMatch(/(ENOTFOUND|EAI_AGAIN) nohost\.invalid/);
  expect(byDefault.code, byDefault.err).toBe(EXIT.connection);
  expect(byDefault.err).toMatch(/connection failed after 6 attempts.*ECONNREFUSED 127\.0\.0\.1:9/);
}

/** --token to a node that requires one: the right one streams, a wrong one exits 4. */
export async function staticToken(run: CliRunner): Promise<void> {
  const guarded = await startNode({ AUTH_TOKENS: 'cli-token', FEED_RATE: '20', FEED_SYMBOLS: '5' });
  try {
    const [ok, refused] = await Promise.all([
      run(['AAPL', '--count', '2', '--retries', '0', '--token', 'cli-token', '--url', guarded.url]),
      run(['AAPL', '--count', '2', '--retries', '0', '--transport', 'ws', '--token', 'wrong', '--url', guarded.url]),
    ]);
    expect(ok.code, ok.err).toBe(EXIT.done);
    expect(ok.out.split('\n').filter(Boolean)).toHaveLength(2);
    expect(refused.code, refused.err).toBe(EXIT.connection);
  } finally {
    await guarded.close();
  }
}

/** A JWT covering none of the symbols asked for: exit 3 (`forbidden`); covering some: 0. */
export async function jwtRights(run: CliRunner): Promise<void> {
  const guarded = await startNode({ AUTH_JWT_SECRET: TEST_JWT_SECRET, FEED_RATE: '20', FEED_SYMBOLS: '48' });
  try {
    const token = await mintToken({ sub: 'cli', symbols: ['BTC-*'] });
    const [none, some] = await Promise.all([
      run(['AAPL', 'MSFT', '--count', '2', '--retries', '0', '--token', token, '--url', guarded.url]),
      run(['AAPL', 'BTC-USD', '--count', '2', '--retries', '0', '--token', token, '--url', guarded.url]),
    ]);
    expect(none.code, none.err).toBe(EXIT.refused);
    expect(none.err).toMatch(/forbidden/);
    expect(some.code, some.err).toBe(EXIT.done);
    expect(symbolsOf(some.out)).toEqual(new Set(['BTC-USD']));
  } finally {
    await guarded.close();
  }
}

/** The book channel in NDJSON: bids and asks best first, with a checksum, none mismatched. */
export async function bookLines(run: CliRunner, url: string): Promise<void> {
  const { out, err, code } = await run(['AAPL', '--channels', 'book', '--count', '8', '--url', url]);
  expect(code, err).toBe(EXIT.done);
  const lines = jsonLines(out);
  expect(lines).toHaveLength(8);
  expectRising(lines);
  for (const l of lines) {
    const b = l.state as { bids: [number, number][]; asks: [number, number][]; checksum: number };
    expect(l.channel).toBe('book');
    expect(b.bids.length).toBeGreaterThan(0);
    expect(b.asks.length).toBeGreaterThan(0);
    expect(b.bids[0][0]).toBeLessThan(b.asks[0][0]);
    for (let i = 1; i < b.bids.length; i++) expect(b.bids[i][0]).toBeLessThan(b.bids[i - 1][0]);
    for (let i = 1; i < b.asks.length; i++) expect(b.asks[i][0]).toBeGreaterThan(b.asks[i - 1][0]);
    expect(Number.isInteger(b.checksum)).toBe(true);
  }
  expect(err).not.toMatch(/checksum mismatch/);
}

/** A piped `--format table`: written once, at the end, without escape codes or the terminal's Ctrl-C hint. */
export async function pipedTable(run: CliRunner, url: string): Promise<void> {
  const { out, err, code } = await run(['AAPL', 'MSFT', '--format', 'table', '--count', '6', '--url', url]);
  expect(code, err).toBe(EXIT.done);
  expect(out).not.toContain('\x1b');
  const rows = out.split('\n');
  expect(rows[0].split(/\s+/).slice(0, 2)).toEqual(['symbol', 'last']);
  expect(rows.filter((r) => r.startsWith('AAPL '))).toHaveLength(1);
  expect(out).toMatch(/live ws .* \| 6 changes/);
  expect(out).not.toContain('Ctrl-C');
}
