/** Synthetic recordings written by the tests: Tardis and Binance CSV, plain or gzipped. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const tmpDir = (): string => mkdtempSync(join(tmpdir(), 'tw-replay-'));

/** Writes `lines` (a header first, when any) to dir/name; gzipped when the name ends in .gz. */
export function writeCsv(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  const text = lines.join('\n') + '\n';
  writeFileSync(path, name.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}

export const TRADES_HEAD = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
export const L2_HEAD = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
export const QUOTES_HEAD = 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount';
export const SNAP5_HEAD = 'exchange,symbol,timestamp,local_timestamp,' + [0, 1, 2, 3, 4].map((i) => `asks[${i}].price,asks[${i}].amount,bids[${i}].price,bids[${i}].amount`).join(',');

/** 2025-01-01T00:00:00Z in µs. */
export const T0_US = 1_735_689_600_000_000;
export const T0_MS = T0_US / 1000;

/** A Tardis trades row. */
export const trade = (sym: string, tsUs: number, recvUs: number, id: string | number, side: string, price: string, amount: string) =>
  `deribit,${sym},${tsUs},${recvUs},${id},${side},${price},${amount}`;
/** A Tardis incremental_book_L2 row. */
export const l2 = (sym: string, tsUs: number, recvUs: number, snap: boolean, side: 'bid' | 'ask', price: string, amount: string) =>
  `deribit,${sym},${tsUs},${recvUs},${snap},${side},${price},${amount}`;
