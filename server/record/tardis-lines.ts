/**
 * What the recorder writes (RECORD_DIR), as Tardis CSV lines: trades, quotes and
 * incremental_book_L2. Pure. Times are µs; prices and sizes are written with the symbol's
 * decimals, trailing zeros kept, so a replay infers the exact decimals back (formats.ts).
 */
import type { BookLevels, Quote, TradePrint } from '../feed/tick-source.js';

export type RecordType = 'trades' | 'quotes' | 'incremental_book_L2';
export const RECORD_TYPES: readonly RecordType[] = ['trades', 'quotes', 'incremental_book_L2'];

export const HEADERS: Record<RecordType, string> = {
  trades: 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount',
  quotes: 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount',
  incremental_book_L2: 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount',
};

export interface NumberFormats {
  decimals: number;
  sizeDecimals: number;
}

const us = (ms: number): number => Math.round(ms * 1000);

/** The UTC date of a time, YYYY-MM-DD: files roll when it changes. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `{exchange}_{type}_{YYYY-MM-DD}_{symbol}.csv.gz`, the symbol made safe for a file name. */
export const fileName = (exchange: string, type: RecordType, day: string, symbol: string): string => `${exchange}_${type}_${day}_${symbol.replace(/[^A-Za-z0-9._-]/g, '_')}.csv.gz`;

/** One line per print; ids are the `trades` stream's, the last one `lastId`. */
export function tradeLines(exchange: string, symbol: string, ts: number, prints: readonly TradePrint[], lastId: number, f: NumberFormats): string {
  const t = us(ts);
  let out = '';
  for (let i = 0; i < prints.length; i++) {
    const p = prints[i]!;
    out += `${exchange},${symbol},${t},${t},${lastId - prints.length + 1 + i},${p.side},${p.price.toFixed(f.decimals)},${p.size.toFixed(f.sizeDecimals)}\n`;
  }
  return out;
}

export function quoteLine(exchange: string, symbol: string, ts: number, q: Quote, f: NumberFormats): string {
  const t = us(ts);
  const side = (p: number, s: number) => (p > 0 && s > 0 ? [p.toFixed(f.decimals), s.toFixed(f.sizeDecimals)] : ['', '']);
  const [ask, askSize] = side(q.ask, q.askSize);
  const [bid, bidSize] = side(q.bid, q.bidSize);
  return `${exchange},${symbol},${t},${t},${askSize},${ask},${bid},${bidSize}\n`;
}

/** Level rows of one book event (a snapshot: the whole book, sizes > 0). */
export function bookLines(exchange: string, symbol: string, ts: number, snapshot: boolean, levels: BookLevels, f: NumberFormats): string {
  const t = us(ts);
  let out = '';
  for (const [side, list] of [['bid', levels.bids], ['ask', levels.asks]] as const) {
    for (const [p, q] of list) out += `${exchange},${symbol},${t},${t},${snapshot},${side},${p.toFixed(f.decimals)},${q.toFixed(f.sizeDecimals)}\n`;
  }
  return out;
}
