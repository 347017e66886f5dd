/**
 * `npm run subscribe -- AAPL MSFT [--channels ticker,trades,book] [--throttle 250]
 * [--transport ws|sse|auto] [--url http://host:port]... [--count N] [--format ndjson|table]
 * [--retries N] [--token T]`: a command-line subscriber built on MarketClient, usable in scripts.
 * Symbols in any case are matched against the server's list; the server's URL defaults to
 * $TICKWIRE_URL. NDJSON (the default when piped): one line per applied change on stdout (for
 * trades, only the new ones); status, gaps, book checksum mismatches and server errors on
 * stderr. Table (the default on a terminal): a live view fitted to the terminal's height and
 * redrawn at most 10 times a second; piped, it is written once at the end. It rides out a
 * server restart; after --retries failed attempts in a row it names the cause and exits 4.
 * Exit codes are in subscribe/outcome.ts; Ctrl-C (or SIGTERM) exits 0.
 */
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { MarketClient } from '../shared/client/index.js';
import type { ClientStatus } from '../shared/client/types.js';
import type { BookData, Ticker, Trade } from '../shared/protocol.js';
import { parseSubscribeArgs, USAGE, type SubscribeArgs } from './subscribe/args.js';
import { connectionCause } from './subscribe/diagnose.js';
import { ladderLines } from './subscribe/ladder.js';
import { resolveSymbols, suggestion } from './subscribe/names.js';
import { EXIT, RunOutcome, type Ending } from './subscribe/outcome.js';
import { clockText } from './subscribe/clock-line.js';
import {
  bookSummary, changeLine, colorWanted, errorLine, fitLines, gapLine, levelsToFit, palette, redraw, statusText, tableLines, type BookLines, type Footer, type Row,
} from './subscribe/view.js';

/** Shortest time between two redraws of the table, ms. */
const REDRAW_MS = 100;

let args: SubscribeArgs;
try {
  args = parseSubscribeArgs(process.argv.slice(2), process.env);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
  process.exit(EXIT.usage);
}
if (args.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}

const tty = process.stdout.isTTY === true;
const format = args.format ?? (tty ? 'table' : 'ndjson');
/** The live, redrawn table: only on a terminal. */
const live = format === 'table' && tty;
const errPaint = palette(colorWanted(process.stderr.isTTY === true, process.env));
// The server's list: awaited before subscribing only when a symbol is not written as symbols are
// (upper case), to match it; otherwise it arrives beside the stream (suggestions, decimals).
const servedP = servedSymbols();
if (args.symbols.some((s) => s !== s.toUpperCase())) args.symbols = resolveSymbols(args.symbols, (await servedP).map((s) => s.symbol));
const outcome = new RunOutcome(args.symbols, args.channels, { count: args.count, retries: args.retries });
const client = new MarketClient({ urls: args.urls, transport: args.transport, token: args.token, WebSocket, EventSource });
const footer: Footer = { status: client.status, gaps: 0, changes: 0, quitHint: live };
let ended = false;

/** Writes to stderr, unless the live table owns the screen (it shows the status itself). */
const note = (line: string, color = (s: string) => s) => live || process.stderr.write(color(line) + '\n');

client.on('rtt', (ms) => (footer.rttMs = ms));
// A replay's clock: in the status line, and one line on stderr whenever it changes (pause, seek, speed...).
client.on('clock', (c) => {
  footer.clock = clockText(c, client.marketNow());
  if (footer.clock) note(footer.clock, errPaint.yellow);
});
client.on('latency', (l) => (footer.transportMs = l.transportMs));
client.on('gap', (g) => {
  footer.gaps++;
  note(gapLine(g), g.reason === 'checksum' ? errPaint.red : errPaint.yellow);
});
/** "Did you mean" lines still being worked out; the run ends after they are written. */
let suggesting: Promise<void> = Promise.resolve();
client.on('error', (e) => {
  footer.error = errorLine(e);
  note(footer.error, errPaint.red);
  if (e.code === 'unknown_symbol') {
    const symbols = e.symbols ?? [];
    suggesting = Promise.all([suggesting, servedP]).then(([, list]) => {
      if (list.length) note(symbols.map((s) => suggestion(s, list.map((x) => x.symbol))).join('\n'), errPaint.red);
    });
  }
  void end(outcome.error(e));
});
client.on('status', (s) => {
  footer.status = s;
  void end(outcome.status(s));
});

const show = format === 'table' ? runTable() : runNdjson();
client.subscribe(args.symbols, { channels: args.channels, throttle: args.throttle });

function runNdjson(): () => void {
  let last: ClientStatus['state'] | undefined;
  client.on('status', (s) => {
    if (!ended && (s.state !== last || s.state === 'reconnecting')) note(statusText(footer), s.state === 'live' ? errPaint.green : errPaint.yellow);
    last = s.state;
  });
  client.on('change', (c) => {
    if (!outcome.wanted) return;
    footer.changes++;
    process.stdout.write(changeLine(c) + '\n');
    void end(outcome.record());
  });
  return () => {};
}

/** Returns the final draw (for a piped table, written once at the end). */
function runTable(): () => void {
  const paint = palette(live && colorWanted(true, process.env));
  const rows = new Map<string, Row>(args.symbols.map((symbol) => [symbol, { symbol }]));
  // Price decimals for display; the table works without them.
  void servedP.then((list) => list.forEach((s) => rows.has(s.symbol) && Object.assign(rows.get(s.symbol)!, { decimals: s.decimals, sizeDecimals: s.sizeDecimals })));
  // On a terminal the books get the levels that fit its height (resizes included).
  const height = () => (live ? process.stdout.rows || 24 : Infinity);
  const levels = () => {
    const n = [...rows.values()].filter((r) => r.book).length;
    return live ? levelsToFit(height(), rows.size, n) : 10;
  };
  // The ladder needs the symbol's decimals (and room); otherwise one summary line.
  const books: BookLines = (r) => {
    const n = levels();
    return r.decimals === undefined || n === 0
      ? bookSummary(r)
      : ladderLines(r.symbol, r.book.state, { decimals: r.decimals, sizeDecimals: r.sizeDecimals ?? 0, seq: r.book.seq, checksumOk: r.book.checksumOk, paint, levels: n });
  };
  // Ages in market time: on a replay, market now minus ts.
  const lines = () => ((footer.clock = clockText(client.clock, client.marketNow())), fitLines(tableLines([...rows.values()], footer, client.marketNow(), paint, books), height()));
  // The client checks each book state before emitting it: what its counts did since the last book change says how that one fared.
  let checks = { ...client.bookChecks };
  const checked = (): boolean | undefined => {
    const now = client.bookChecks;
    const ok = now.mismatched > checks.mismatched ? false : now.verified > checks.verified ? true : undefined;
    checks = { ...now };
    return ok;
  };
  client.on('change', (c) => {
    if (!outcome.wanted) return;
    footer.changes++;
    const row = rows.get(c.symbol);
    if (row && c.channel === 'ticker') row.ticker = { seq: c.seq, state: c.state as Partial<Ticker> };
    if (row && c.channel === 'trades') row.lastTrade = (c.state as Trade[]).at(-1);
    if (row && c.channel === 'book') row.book = { seq: c.seq, state: c.state as BookData, checksumOk: checked() };
    schedule();
    void end(outcome.record());
  });
  if (!live) return () => process.stdout.write(lines().join('\n') + '\n');

  let timer: ReturnType<typeof setTimeout> | undefined;
  let drawnAt = 0;
  const draw = () => {
    timer = undefined;
    drawnAt = Date.now();
    process.stdout.write(redraw(lines()));
  };
  function schedule(): void {
    if (live && !timer) timer = setTimeout(draw, Math.max(0, drawnAt + REDRAW_MS - Date.now()));
  }
  client.on('status', schedule);
  process.stdout.on('resize', schedule);
  // Ages keep growing while nothing changes: refresh once a second anyway.
  setInterval(schedule, 1000);
  process.stdout.write('\x1b[?1049h\x1b[?25l'); // alternate screen, cursor hidden
  draw();
  return () => {
    process.stdout.write('\x1b[?25h\x1b[?1049l'); // cursor back, normal screen
    footer.quitHint = false;
    process.stdout.write(lines().join('\n') + '\n'); // the last view stays on the normal screen
  };
}

/**
 * The server's symbols (with decimals) from /api/symbols, for matching what was typed and for
 * the table's decimals; empty when the server does not answer (the stream reports why).
 */
async function servedSymbols(): Promise<{ symbol: string; decimals: number; sizeDecimals?: number }[]> {
  try {
    const res = await fetch(new URL('/api/symbols', args.urls[0].replace(/^ws/, 'http')), {
      headers: args.token ? { authorization: `Bearer ${args.token}` } : {},
      signal: AbortSignal.timeout(3000),
    });
    return res.ok ? ((await res.json()) as { symbol: string; decimals: number; sizeDecimals?: number }[]) : [];
  } catch {
    return [];
  }
}

/** Ends the run with the ending's code (nothing when there is no ending yet). */
async function end(e: Ending | undefined): Promise<void> {
  if (!e || ended) return;
  ended = true;
  show(); // before close(): the last view shows the connection as it was
  client.close();
  await suggesting;
  // The client knows only that its attempts failed; ask the network why.
  const cause = e.code === EXIT.connection ? await connectionCause(args.urls.at(-1)!) : undefined;
  if (e.message) process.stderr.write(errPaint.red(e.message + (cause ? `; ${cause}` : '')) + '\n');
  // Exit once stdout has taken everything written (a pipe may still hold some).
  process.stdout.write('', () => process.exit(e.code));
}

// A reader that went away (`| head`) is a normal end.
process.stdout.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? process.exit(EXIT.done) : process.exit(EXIT.connection)));
process.on('SIGINT', () => void end({ code: EXIT.done }));
process.on('SIGTERM', () => void end({ code: EXIT.done }));
