/** What `npm run subscribe` prints (pure): NDJSON lines, and the terminal table. */
import type { ClientStatus, StreamChange } from '../../shared/client/types.js';
import type { Ticker, Trade } from '../../shared/protocol.js';

/** One NDJSON line (without the newline) for an applied change. */
export function changeLine(c: StreamChange): string {
  return JSON.stringify({ symbol: c.symbol, channel: c.channel, seq: c.seq, kind: c.kind, t: c.t, state: c.state });
}

export interface Row {
  symbol: string;
  /** Price decimals, from /api/symbols when it answered. */
  decimals?: number;
  ticker?: { seq: number; state: Partial<Ticker> };
  lastTrade?: Trade;
}

export interface Footer {
  status: ClientStatus;
  rttMs?: number;
  transportMs?: number;
  gaps: number;
  changes: number;
}

const COLUMNS = ['symbol', 'last', 'bid', 'ask', 'chg %', 'volume', 'seq', 'age', 'last trade'];
const WIDTHS = [10, 12, 12, 12, 8, 14, 9, 8, 22];

// Without known decimals, toPrecision(10) hides float noise (7127.109810000001).
const num = (v: number | undefined, digits?: number) =>
  v === undefined || !Number.isFinite(v) ? '-' : digits === undefined ? String(+v.toPrecision(10)) : v.toFixed(digits);
const pad = (s: string, w: number, left = false) => (s.length >= w ? s.slice(0, w) : left ? s.padEnd(w) : s.padStart(w));

/** The table's lines: a header, one row per symbol (in the order given), and a status line. */
export function tableLines(rows: Row[], footer: Footer, now: number): string[] {
  const head = COLUMNS.map((c, i) => pad(c, WIDTHS[i], i === 0 || i === COLUMNS.length - 1)).join(' ');
  const lines = [head, '-'.repeat(head.length)];
  for (const r of rows) {
    const t = r.ticker?.state ?? {};
    const chg = t.last !== undefined && t.open ? ((t.last - t.open) / t.open) * 100 : undefined;
    const age = t.ts !== undefined ? `${Math.max(0, Math.round(now - t.ts))}ms` : '-';
    const trade = r.lastTrade ? `${r.lastTrade.side === 'buy' ? 'B' : 'S'} ${r.lastTrade.size}@${r.lastTrade.price}` : '';
    const d = r.decimals;
    const cells = [r.symbol, num(t.last, d), num(t.bid, d), num(t.ask, d), num(chg, 2), num(t.volume), num(r.ticker?.seq), age, trade];
    lines.push(cells.map((c, i) => pad(c, WIDTHS[i], i === 0 || i === cells.length - 1)).join(' '));
  }
  lines.push('', statusText(footer) + ' | Ctrl-C to quit');
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
  return [state, ...figures.filter(Boolean)].join(' | ');
}

/** ANSI: cursor home, the lines each cleared to their end, then the rest of the screen cleared. */
export function redraw(lines: string[]): string {
  return '\x1b[H' + lines.map((l) => l + '\x1b[K').join('\n') + '\n\x1b[J';
}
