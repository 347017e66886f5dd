/** What `npm run subscribe` prints (pure): NDJSON lines, and the terminal table. */
import type { ClientStatus, GapInfo, StreamChange } from '../../shared/client/types.js';
import type { BookData, ErrorMsg, Ticker, Trade } from '../../shared/protocol.js';

/** ANSI colours, or none: `palette(false)` returns every string unchanged. */
export interface Paint {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}

const sgr = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
export function palette(on: boolean): Paint {
  const id = (s: string) => s;
  return on ? { green: sgr(32), red: sgr(31), yellow: sgr(33), dim: sgr(2) } : { green: id, red: id, yellow: id, dim: id };
}

/** Colours on a terminal unless NO_COLOR is set to anything but the empty string (no-color.org). */
export function colorWanted(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  return isTTY && !env.NO_COLOR;
}

/** One stderr line for a broken-off stream: a book checksum mismatch, a lost `prev` chain, or what a reconnect could not recover. */
export function gapLine(g: GapInfo): string {
  const what = g.reason === 'checksum' ? 'checksum mismatch' : g.reason === 'unrecovered' ? 'not recovered after reconnect' : `gap (have seq ${g.have}, update on ${g.prev})`;
  return `${g.symbol} ${g.channel}: ${what}; a snapshot was asked for`;
}

/** One stderr line for a server `error`. */
export function errorLine(e: ErrorMsg): string {
  const listed = [...(e.symbols ?? []), ...(e.channels ?? [])].filter((x) => !e.message.includes(x));
  return `server error ${e.code}: ${e.message}${listed.length ? ` (${listed.join(', ')})` : ''}`;
}

/**
 * One NDJSON line (without the newline) for an applied change: the stream's state, except for
 * `trades`, whose line carries only the trades it brings (`trades`: the snapshot's list, then
 * each update's new trades), not the whole kept list again.
 */
export function changeLine(c: StreamChange): string {
  const head = { symbol: c.symbol, channel: c.channel, seq: c.seq, kind: c.kind, t: c.t };
  if (c.channel === 'trades') return JSON.stringify({ ...head, trades: c.kind === 'snapshot' ? c.state : c.delta });
  return JSON.stringify({ ...head, state: c.state });
}

export interface Row {
  symbol: string;
  /** Price decimals, from /api/symbols when it answered. */
  decimals?: number;
  ticker?: { seq: number; state: Partial<Ticker> };
  lastTrade?: Trade;
  book?: { seq: number; state: BookData; checksumOk?: boolean };
  sizeDecimals?: number;
}

export interface Footer {
  status: ClientStatus;
  rttMs?: number;
  transportMs?: number;
  gaps: number;
  changes: number;
  /** The last server error, shown in the table's status line. */
  error?: string;
  /** The live table's "Ctrl-C to quit". */
  quitHint?: boolean;
  /** A replay's clock (clock-line.ts); absent when live. */
  clock?: string;
}

const COLUMNS = ['symbol', 'last', 'bid', 'ask', 'chg %', 'volume', 'seq', 'age', 'last trade'];
const WIDTHS = [10, 12, 12, 12, 8, 14, 9, 8, 22];

// Without known decimals, toPrecision(10) hides float noise (7127.109810000001).
const num = (v: number | undefined, digits?: number) =>
  v === undefined || !Number.isFinite(v) ? '-' : digits === undefined ? String(+v.toPrecision(10)) : v.toFixed(digits);
const pad = (s: string, w: number, left = false) => (s.length >= w ? s.slice(0, w) : left ? s.padEnd(w) : s.padStart(w));

/** A book's lines under the table, for each row holding one (subscribe.ts draws ladder.ts's ladder). */
export type BookLines = (row: Row & { book: NonNullable<Row['book']> }) => string[];

/** One line: best bid and ask with sizes, and how many levels each side holds. */
export const bookSummary: BookLines = ({ symbol, book: { state: b }, decimals: d }) => {
  const side = (l: [number, number] | undefined) => (l ? `${num(l[0], d)} x ${num(l[1])}` : '-');
  return [`${symbol} book: bid ${side(b.bids[0])} (${b.bids.length} levels) | ask ${side(b.asks[0])} (${b.asks.length} levels)`];
};

/**
 * Book levels per side that let the table fit `height` lines: header (2), one line per symbol,
 * status (2), and per book a blank line, a heading, column names, the spread line and two lines
 * per level. At most 10; 0 when not even one level fits (the books then take one line each).
 */
export function levelsToFit(height: number, symbols: number, books: number): number {
  if (!books) return 10;
  const room = height - 4 - symbols - books * 4;
  return Math.max(0, Math.min(10, Math.floor(room / (2 * books))));
}

/** The table's lines: a header, one row per symbol (in the order given), books if any, and a status line. */
export function tableLines(rows: Row[], footer: Footer, now: number, paint: Paint = palette(false), books: BookLines = bookSummary): string[] {
  const head = COLUMNS.map((c, i) => pad(c, WIDTHS[i], i === 0 || i === COLUMNS.length - 1)).join(' ');
  const lines = [head, '-'.repeat(head.length)];
  for (const r of rows) {
    const t = r.ticker?.state ?? {};
    const chg = t.last !== undefined && t.open ? ((t.last - t.open) / t.open) * 100 : undefined;
    const age = t.ts !== undefined ? `${Math.max(0, Math.round(now - t.ts))}ms` : '-';
    const trade = r.lastTrade ? `${r.lastTrade.side === 'buy' ? 'B' : 'S'} ${r.lastTrade.size}@${r.lastTrade.price}` : '';
    const d = r.decimals;
    const cells = [r.symbol, num(t.last, d), num(t.bid, d), num(t.ask, d), num(chg, 2), num(t.volume), num(r.ticker?.seq), age, trade];
    const padded = cells.map((c, i) => pad(c, WIDTHS[i], i === 0 || i === cells.length - 1));
    if (chg !== undefined) padded[4] = chg > 0 ? paint.green(padded[4]) : chg < 0 ? paint.red(padded[4]) : padded[4];
    lines.push(padded.join(' '));
  }
  for (const r of rows) if (r.book) lines.push('', ...books(r as Row & { book: NonNullable<Row['book']> }));
  const state = footer.status.state;
  const color = state === 'live' ? paint.green : state === 'closed' ? paint.red : paint.yellow;
  lines.push('', color(statusText(footer)) + (footer.quitHint ? paint.dim(' | Ctrl-C to quit') : ''));
  return lines;
}

export function statusText(f: Footer): string {
  const s = f.status;
  const state =
    s.state === 'live'
      ? `live ${s.transport}${s.fallback ? ' (fallback)' : ''} ${s.url}`
      : s.state === 'connecting'
        ? `connecting ${s.transport} ${s.url}`
        : s.state === 'reconnecting'
          ? `reconnecting in ${s.delayMs} ms (attempt ${s.attempt}: ${s.reason})`
          : 'closed';
  const figures = [f.rttMs !== undefined && `rtt ${Math.round(f.rttMs)} ms`, f.transportMs !== undefined && `latency ${Math.round(f.transportMs)} ms`, `${f.changes} changes`, f.gaps && `${f.gaps} gaps`];
  return [state, f.clock, ...figures.filter(Boolean), f.error].filter(Boolean).join(' | ');
}

/** ANSI: cursor home, the lines each cleared to their end, then the rest of the screen cleared. */
export function redraw(lines: string[]): string {
  return '\x1b[H' + lines.map((l) => l + '\x1b[K').join('\n') + '\n\x1b[J';
}

/** `lines` cut to `height`: the status line (the last) stays, a note says how many were left out. */
export function fitLines(lines: string[], height: number): string[] {
  if (lines.length <= height || height < 3) return lines;
  const keep = height - 2;
  return [...lines.slice(0, keep), `… ${lines.length - keep - 1} more lines: enlarge the terminal`, lines.at(-1)!];
}
