/**
 * Recorded market-data formats (docs/replay.md): which one a file is, from its first line and
 * name, and how one of its lines becomes a Row. Pure: strings in, rows or error messages out.
 * Tardis times are microseconds; Binance's milliseconds (13 digits) or microseconds (16).
 * Every time in a Row is ms since the epoch, fractional below the ms.
 */
import { fastTardis } from './fast-lines.js';
import type { Row } from './row.js';

export type FormatName = 'trades' | 'quotes' | 'incremental_book_L2' | 'book_snapshot' | 'binance_trades' | 'binance_aggTrades';

export interface Format {
  name: FormatName;
  /** Whether the first line was a header (consumed, not a row). */
  header: boolean;
  /** The exchange (Tardis: per row, read from the first data row by the scan; Binance: `binance`). */
  exchange?: string;
  /** Columns holding prices and sizes: where decimals are inferred from. */
  priceCols: number[];
  sizeCols: number[];
  /** Index of the symbol column, or -1 when the symbol comes from the file name. */
  symbolCol: number;
  /** Turns the columns of a data line into a Row, or a message saying what is wrong. */
  parse(cols: string[]): Row | string;
  /** The same from the whole line, faster (fast-lines.ts), where there is one: a new reader per file. */
  lineParser?: () => (line: string) => Row | string;
}

const TARDIS_HEAD = 'exchange,symbol,timestamp,local_timestamp';
const HEADERS: Record<string, FormatName> = {
  [`${TARDIS_HEAD},id,side,price,amount`]: 'trades',
  [`${TARDIS_HEAD},ask_amount,ask_price,bid_price,bid_amount`]: 'quotes',
  [`${TARDIS_HEAD},is_snapshot,side,price,amount`]: 'incremental_book_L2',
};
const BINANCE_TRADES = 'id,price,qty,quote_qty,time,is_buyer_maker';
const BINANCE_AGG = 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker';

/** A decimal number (no exponent needed, but one is accepted) or NaN. Empty is NaN. */
const num = (s: string | undefined): number => (s === undefined || s === '' ? NaN : Number(s));

/** Tardis microseconds to ms. */
const micros = (s: string): number => {
  const v = num(s);
  return Number.isSafeInteger(v) && v >= 0 ? v / 1000 : NaN;
};

/** Binance time: 13 digits ms, 16 digits µs (spot files since 2025). */
const binanceTime = (s: string): number => {
  const v = num(s);
  if (!Number.isSafeInteger(v) || v < 0) return NaN;
  return v >= 1e14 ? v / 1000 : v;
};

/** The symbol of a Binance file name: `BTCUSDT-trades-2025-01-02.csv(.gz)`. */
export function binanceSymbol(fileName: string): string | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  return /^([A-Z0-9]+)-(?:trades|aggTrades)-\d{4}-\d{2}(?:-\d{2})?\.csv(?:\.gz)?$/.exec(base)?.[1];
}

const BAD_TIME = 'timestamp is not a time';
const BAD_NUM = (what: string) => `${what} is not a number`;

/**
 * The format of a file whose first line is `first`, or an error message. Headerless Binance
 * files are told apart by the file name (`-trades-` / `-aggTrades-`), else by column count
 * (6: trades; 8: aggTrades; 7 is either, so the name must say).
 */
export function detectFormat(first: string, fileName: string): Format | string {
  const line = first.replace(/^\uFEFF/, '').trim();
  const name = HEADERS[line];
  if (name === 'trades') return tardisTrades();
  if (name === 'quotes') return tardisQuotes();
  if (name === 'incremental_book_L2') return tardisL2();
  if (line.startsWith(`${TARDIS_HEAD},asks[0].price`)) return tardisSnapshot(line.split(','));
  if (line.startsWith(BINANCE_TRADES)) return binance('binance_trades', true, fileName);
  if (line.startsWith(BINANCE_AGG)) return binance('binance_aggTrades', true, fileName);
  if (/^\d/.test(line)) {
    const n = line.split(',').length;
    const base = fileName.split(/[\\/]/).pop() ?? '';
    const named = base.includes('-aggTrades-') ? 'binance_aggTrades' : base.includes('-trades-') ? 'binance_trades' : undefined;
    const byCount = n === 6 ? 'binance_trades' : n === 8 ? 'binance_aggTrades' : undefined;
    const kind = named ?? byCount;
    if (kind) return binance(kind, false, fileName);
    return `a headerless file of ${n} columns: name it SYMBOL-trades-YYYY-MM-DD.csv or SYMBOL-aggTrades-YYYY-MM-DD.csv`;
  }
  return `unknown format (first line ${JSON.stringify(line.slice(0, 80))}): expected a Tardis or Binance CSV header`;
}

function tardisTrades(): Format {
  return {
    name: 'trades', header: true, priceCols: [6], sizeCols: [7], symbolCol: 1,
    lineParser: () => fastTardis('trades'),
    parse(c) {
      if (c.length !== 8) return `expected 8 columns, got ${c.length}`;
      const ts = micros(c[2]!), recv = micros(c[3]!), price = num(c[6]), amount = num(c[7]);
      if (Number.isNaN(ts) || Number.isNaN(recv)) return BAD_TIME;
      if (!(price > 0)) return BAD_NUM('price');
      if (!(amount >= 0)) return BAD_NUM('amount');
      const side = c[5] === 'buy' || c[5] === 'sell' ? c[5] : 'unknown';
      return { kind: 'trade', symbol: c[1]!, recv, ts, id: c[4]!, side, price, amount };
    },
  };
}

function tardisQuotes(): Format {
  return {
    name: 'quotes', header: true, priceCols: [5, 6], sizeCols: [4, 7], symbolCol: 1,
    parse(c) {
      if (c.length !== 8) return `expected 8 columns, got ${c.length}`;
      const ts = micros(c[2]!), recv = micros(c[3]!);
      if (Number.isNaN(ts) || Number.isNaN(recv)) return BAD_TIME;
      // An empty side is no quote on that side (NaN, as the book rules take it).
      const askSize = num(c[4]), ask = num(c[5]), bid = num(c[6]), bidSize = num(c[7]);
      for (const [v, raw] of [[askSize, c[4]], [ask, c[5]], [bid, c[6]], [bidSize, c[7]]] as const) if (Number.isNaN(v) && raw !== '') return BAD_NUM(`"${raw}"`);
      return { kind: 'quote', symbol: c[1]!, recv, ts, bid, bidSize, ask, askSize };
    },
  };
}

function tardisL2(): Format {
  return {
    name: 'incremental_book_L2', header: true, priceCols: [6], sizeCols: [7], symbolCol: 1,
    lineParser: () => fastTardis('incremental_book_L2'),
    parse(c) {
      if (c.length !== 8) return `expected 8 columns, got ${c.length}`;
      const ts = micros(c[2]!), recv = micros(c[3]!), price = num(c[6]), amount = num(c[7]);
      if (Number.isNaN(ts) || Number.isNaN(recv)) return BAD_TIME;
      if (c[4] !== 'true' && c[4] !== 'false') return 'is_snapshot must be true or false';
      if (c[5] !== 'bid' && c[5] !== 'ask') return 'side must be bid or ask';
      if (!(price > 0)) return BAD_NUM('price');
      if (!(amount >= 0)) return BAD_NUM('amount');
      return { kind: 'l2', symbol: c[1]!, recv, ts, snapshot: c[4] === 'true', side: c[5], price, amount };
    },
  };
}

/** `book_snapshot_N`: levels as `asks[i].price,asks[i].amount,bids[i].price,bids[i].amount` columns, in any order. */
function tardisSnapshot(header: string[]): Format | string {
  const levels: { side: 'asks' | 'bids'; level: number; field: 'price' | 'amount'; col: number }[] = [];
  for (let col = 4; col < header.length; col++) {
    const m = /^(asks|bids)\[(\d+)\]\.(price|amount)$/.exec(header[col]!);
    if (!m) return `unknown column ${JSON.stringify(header[col]!.slice(0, 40))} in a book_snapshot header`;
    levels.push({ side: m[1] as 'asks' | 'bids', level: Number(m[2]), field: m[3] as 'price' | 'amount', col });
  }
  const width = header.length;
  return {
    name: 'book_snapshot', header: true, symbolCol: 1,
    priceCols: levels.filter((l) => l.field === 'price').map((l) => l.col),
    sizeCols: levels.filter((l) => l.field === 'amount').map((l) => l.col),
    parse(c) {
      if (c.length !== width) return `expected ${width} columns, got ${c.length}`;
      const ts = micros(c[2]!), recv = micros(c[3]!);
      if (Number.isNaN(ts) || Number.isNaN(recv)) return BAD_TIME;
      const sides = { bids: new Map<number, [number, number]>(), asks: new Map<number, [number, number]>() };
      for (const l of levels) {
        const raw = c[l.col]!;
        if (raw === '') continue; // fewer levels than N
        const v = num(raw);
        if (!(v >= 0)) return BAD_NUM(`"${raw}"`);
        const lv = sides[l.side].get(l.level) ?? [NaN, NaN];
        lv[l.field === 'price' ? 0 : 1] = v;
        sides[l.side].set(l.level, lv);
      }
      const list = (m: Map<number, [number, number]>) => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, lv]) => lv).filter(([p, q]) => p > 0 && q > 0);
      return { kind: 'snap', symbol: c[1]!, recv, ts, bids: list(sides.bids), asks: list(sides.asks) };
    },
  };
}

function binance(name: 'binance_trades' | 'binance_aggTrades', header: boolean, fileName: string): Format | string {
  const symbol = binanceSymbol(fileName);
  if (!symbol) return `a Binance file must be named SYMBOL-${name === 'binance_trades' ? 'trades' : 'aggTrades'}-YYYY-MM-DD.csv(.gz) (the symbol comes from the name)`;
  const agg = name === 'binance_aggTrades';
  const timeCol = agg ? 5 : 4, makerCol = agg ? 6 : 5;
  const min = agg ? 7 : 6;
  return {
    name, header, exchange: 'binance', priceCols: [1], sizeCols: [2], symbolCol: -1,
    parse(c) {
      if (c.length !== min && c.length !== min + 1) return `expected ${min} or ${min + 1} columns, got ${c.length}`;
      const t = binanceTime(c[timeCol]!), price = num(c[1]), amount = num(c[2]);
      if (Number.isNaN(t)) return BAD_TIME;
      if (!(price > 0)) return BAD_NUM('price');
      if (!(amount >= 0)) return BAD_NUM('quantity');
      const maker = c[makerCol]!.toLowerCase();
      if (maker !== 'true' && maker !== 'false') return 'is_buyer_maker must be true or false';
      // The buyer was the maker: the taker sold.
      return { kind: 'trade', symbol, recv: t, ts: t, id: c[0]!, side: maker === 'true' ? 'sell' : 'buy', price, amount };
    },
  };
}

/**
 * Digits after the point of a decimal string, trailing zeros included ("104523.10" -> 2: a
 * recording written with fixed decimals, as RECORD_DIR writes, tells them exactly; "1e-5" -> 5);
 * 0 for integers.
 */
export function decimalsOf(s: string): number {
  const e = s.search(/[eE]/);
  if (e >= 0) return Math.max(0, decimalsOf(s.slice(0, e)) - Number(s.slice(e + 1)));
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}
