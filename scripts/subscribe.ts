/**
 * `npm run subscribe -- AAPL MSFT [--channels ticker,trades] [--throttle 250]
 * [--transport ws|sse|auto] [--url http://host:port]...`: a command-line subscriber built on
 * MarketClient. On a terminal it shows a live table (redrawn at most 10 times a second);
 * otherwise it writes NDJSON, one line per applied change, and status lines on stderr. It
 * keeps going across server restarts; Ctrl-C (or SIGTERM) exits 0.
 */
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { MarketClient } from '../shared/client/index.js';
import type { ClientStatus } from '../shared/client/types.js';
import type { Ticker, Trade } from '../shared/protocol.js';
import { parseSubscribeArgs, USAGE, type SubscribeArgs } from './subscribe/args.js';
import { changeLine, redraw, statusText, tableLines, type Footer, type Row } from './subscribe/view.js';

/** Shortest time between two redraws of the table, ms. */
const REDRAW_MS = 100;

let args: SubscribeArgs;
try {
  args = parseSubscribeArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}

const client = new MarketClient({ urls: args.urls, transport: args.transport, token: args.token, WebSocket, EventSource });
const footer: Footer = { status: client.status, gaps: 0, changes: 0 };
const tty = process.stdout.isTTY === true;

client.on('rtt', (ms) => (footer.rttMs = ms));
client.on('latency', (l) => (footer.transportMs = l.transportMs));
client.on('gap', () => footer.gaps++);
client.on('error', (e) => process.stderr.write(`server error ${e.code}: ${e.message}\n`));

if (tty) runTable();
else runNdjson();
client.subscribe(args.symbols, { channels: args.channels, throttle: args.throttle });

function runNdjson(): void {
  let last: ClientStatus['state'] | undefined;
  client.on('status', (s) => {
    footer.status = s;
    if (s.state !== last || s.state === 'reconnecting') process.stderr.write(statusText(footer) + '\n');
    last = s.state;
  });
  client.on('change', (c) => {
    footer.changes++;
    process.stdout.write(changeLine(c) + '\n');
  });
  // A reader that went away (`| head`) is a normal end.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? quit(0) : quit(1)));
}

function runTable(): void {
  const rows = new Map<string, Row>(args.symbols.map((symbol) => [symbol, { symbol }]));
  // Price decimals for display; the table works without them.
  fetch(new URL('/api/symbols', args.urls[0].replace(/^ws/, 'http')), { headers: args.token ? { authorization: `Bearer ${args.token}` } : {} })
    .then((res) => (res.ok ? (res.json() as Promise<{ symbol: string; decimals: number }[]>) : []))
    .then((list) => list.forEach((s) => rows.has(s.symbol) && (rows.get(s.symbol)!.decimals = s.decimals)))
    .catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  let drawnAt = 0;
  const draw = () => {
    timer = undefined;
    drawnAt = Date.now();
    process.stdout.write(redraw(tableLines([...rows.values()], footer, Date.now())));
  };
  const schedule = () => {
    if (!timer) timer = setTimeout(draw, Math.max(0, drawnAt + REDRAW_MS - Date.now()));
  };
  client.on('status', (s) => {
    footer.status = s;
    schedule();
  });
  client.on('change', (c) => {
    footer.changes++;
    const row = rows.get(c.symbol);
    if (!row) return;
    if (c.channel === 'ticker') row.ticker = { seq: c.seq, state: c.state as Partial<Ticker> };
    if (c.channel === 'trades') row.lastTrade = (c.state as Trade[]).at(-1);
    schedule();
  });
  // Ages keep growing while nothing changes: refresh once a second anyway.
  setInterval(schedule, 1000);
  process.stdout.write('\x1b[?1049h\x1b[?25l'); // alternate screen, cursor hidden
  draw();
}

function quit(code: number): void {
  client.close();
  if (tty) process.stdout.write('\x1b[?25h\x1b[?1049l'); // cursor back, normal screen
  process.exit(code);
}

process.on('SIGINT', () => quit(0));
process.on('SIGTERM', () => quit(0));
