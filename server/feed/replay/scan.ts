/**
 * The scan before serving: one streaming pass over every file that finds the symbols, where
 * each one's book comes from, the decimals of its prices and sizes (the most digits any row
 * shows), its first trade, the exchange, and the recording's first and last receive times.
 * `ScanStats` is the pure part; `scanFiles` feeds it.
 */
import type { Instrument } from '../tick-source.js';
import type { SymbolPlan } from './book-rules.js';
import { FileCursor, type BadLine } from './cursor.js';
import { decimalsOf, type Format } from './formats.js';
import type { Row } from './row.js';

interface SymbolStats {
  exchange: string;
  l2: boolean;
  quotes: boolean;
  decimals: number;
  sizeDecimals: number;
  /** Price of the first trade (NaN: none yet): where the session opens. */
  first: number;
  /** Some price seen, for symbols without trades. */
  anyPrice: number;
}

export interface ScanResult {
  plans: SymbolPlan[];
  instruments: Instrument[];
  /** Exchange of each symbol. */
  exchanges: Map<string, string>;
  /** First and last receive times, ms (NaN when no row). */
  from: number;
  to: number;
  rows: number;
}

/** Most decimals inferred (finer than any exchange quotes). */
const MAX_DECIMALS = 12;

/** Known quote currencies, longest first, for a symbol's `currency`. */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USD', 'EUR', 'BTC', 'ETH', 'BNB', 'JPY', 'GBP', 'TRY', 'BRL'];

export class ScanStats {
  readonly #symbols = new Map<string, SymbolStats>();
  from = NaN;
  to = NaN;
  rows = 0;

  /** One row with its raw columns, from a file of `format`. */
  add(row: Row, cols: readonly string[], format: Format): void {
    this.rows++;
    if (!(row.recv >= this.from)) this.from = Number.isNaN(this.from) ? row.recv : Math.min(this.from, row.recv);
    if (!(row.recv <= this.to)) this.to = Number.isNaN(this.to) ? row.recv : Math.max(this.to, row.recv);
    let st = this.#symbols.get(row.symbol);
    if (!st) {
      const exchange = format.exchange ?? (format.symbolCol >= 0 ? cols[0]! : 'unknown');
      this.#symbols.set(row.symbol, (st = { exchange, l2: false, quotes: false, decimals: 0, sizeDecimals: 0, first: NaN, anyPrice: NaN }));
    }
    if (row.kind === 'l2' || row.kind === 'snap') st.l2 = true;
    else if (row.kind === 'quote') st.quotes = true;
    else if (Number.isNaN(st.first)) st.first = row.price;
    for (const c of format.priceCols) {
      const raw = cols[c];
      if (raw) {
        st.decimals = Math.max(st.decimals, Math.min(MAX_DECIMALS, decimalsOf(raw)));
        if (Number.isNaN(st.anyPrice)) st.anyPrice = Number(raw);
      }
    }
    for (const c of format.sizeCols) {
      const raw = cols[c];
      if (raw) st.sizeDecimals = Math.max(st.sizeDecimals, Math.min(MAX_DECIMALS, decimalsOf(raw)));
    }
  }

  result(): ScanResult {
    const plans: SymbolPlan[] = [];
    const instruments: Instrument[] = [];
    const exchanges = new Map<string, string>();
    for (const [symbol, st] of [...this.#symbols].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const book = st.l2 ? 'l2' : st.quotes ? 'quotes' : 'none';
      plans.push({ symbol, book, decimals: st.decimals, sizeDecimals: st.sizeDecimals });
      exchanges.set(symbol, st.exchange);
      const price = Number.isNaN(st.first) ? (Number.isNaN(st.anyPrice) ? 0 : st.anyPrice) : st.first;
      const plain = symbol.toUpperCase().replace(/[^A-Z]/g, '');
      const currency = QUOTES.find((q) => plain.endsWith(q) && plain.length > q.length) ?? 'USD';
      instruments.push({
        symbol, name: `${symbol} (${st.exchange})`, kind: 'crypto', decimals: st.decimals, tickSize: 1 / 10 ** st.decimals, currency,
        price, vol: 0, sizeDecimals: st.sizeDecimals,
      });
    }
    return { plans, instruments, exchanges, from: this.from, to: this.to, rows: this.rows };
  }
}

/** Scans the files (given in order); bad lines go to `onBad`. Throws on a file it cannot read. */
export async function scanFiles(paths: readonly string[], onBad: BadLine): Promise<ScanResult> {
  const stats = new ScanStats();
  for (const path of paths) {
    const cur = await FileCursor.open(path, onBad, true);
    for (;;) {
      await cur.fill();
      const row = cur.head();
      if (!row) break;
      stats.add(row, cur.headCols()!, cur.format);
      cur.advance();
    }
    await cur.close();
  }
  return stats.result();
}
