/** The recorder's files: names, a roll at UTC midnight, a snapshot first in every L2 file, and what a crash leaves readable. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineBatches } from '../../server/feed/replay/lines.js';
import { Recorder } from '../../server/record/recorder.js';
import { tmpDir } from './fixtures.js';

async function lines(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const b of lineBatches(path)) out.push(...b);
  return out;
}

const MIDNIGHT = Date.parse('2025-01-02T00:00:00Z');

describe('recorder', () => {
  it('writes Tardis files per type, day and symbol, rolls at UTC midnight, starts each L2 file with a snapshot', async () => {
    const dir = tmpDir();
    const r = new Recorder({ dir, exchange: 'tickwire', formats: new Map([['BTC-USD', { decimals: 2, sizeDecimals: 4 }]]) });
    r.books(() => ({ bids: [[100, 1]], asks: [[101, 2]], decimals: 2, sizeDecimals: 4 }));
    const q = { bid: 100, ask: 101, bidSize: 1, askSize: 2 };
    r.add({ symbol: 'BTC-USD', ts: MIDNIGHT - 0.5, quote: q, trade: { price: 100.5, size: 0.25, side: 'buy' }, book: { bids: [[100, 0.5]], asks: [] } }, 1);
    r.add({ symbol: 'BTC-USD', ts: MIDNIGHT + 1, quote: q, book: { bids: [], asks: [[101, 0]] } }, 1);
    await r.close();
    expect(readdirSync(dir).sort()).toEqual([
      'tickwire_incremental_book_L2_2025-01-01_BTC-USD.csv.gz',
      'tickwire_incremental_book_L2_2025-01-02_BTC-USD.csv.gz',
      'tickwire_quotes_2025-01-01_BTC-USD.csv.gz',
      'tickwire_trades_2025-01-01_BTC-USD.csv.gz',
    ]);
    const us = (MIDNIGHT - 0.5) * 1000;
    expect(await lines(join(dir, 'tickwire_incremental_book_L2_2025-01-01_BTC-USD.csv.gz'))).toEqual([
      'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount',
      `tickwire,BTC-USD,${us},${us},true,bid,100.00,1.0000`,
      `tickwire,BTC-USD,${us},${us},true,ask,101.00,2.0000`,
      `tickwire,BTC-USD,${us},${us},false,bid,100.00,0.5000`,
    ]);
    // the next day's file starts again with the whole book as it stood
    const next = await lines(join(dir, 'tickwire_incremental_book_L2_2025-01-02_BTC-USD.csv.gz'));
    expect(next.slice(1).map((l) => l.split(',').slice(4).join(','))).toEqual(['true,bid,100.00,0.5000', 'true,ask,101.00,2.0000', 'false,ask,101.00,0.0000']);
    expect(await lines(join(dir, 'tickwire_trades_2025-01-01_BTC-USD.csv.gz'))).toEqual([
      'exchange,symbol,timestamp,local_timestamp,id,side,price,amount',
      `tickwire,BTC-USD,${us},${us},1,buy,100.50,0.2500`,
    ]);
  });

  it('leaves everything up to the last flush readable when the process dies without closing', async () => {
    const dir = tmpDir();
    const r = new Recorder({ dir, exchange: 'x', formats: new Map([['AAPL', { decimals: 2, sizeDecimals: 0 }]]), flushMs: 60_000 });
    const q = { bid: 1, ask: 2, bidSize: 1, askSize: 1 };
    for (let i = 1; i <= 100; i++) r.add({ symbol: 'AAPL', ts: MIDNIGHT + i, quote: q, trade: { price: 1.5, size: 100, side: 'sell' } }, i);
    r.flush(); // what the once-a-second timer does
    await new Promise((res) => setTimeout(res, 100));
    // no close(): the file has no gzip trailer, as after a crash
    const got = await lines(join(dir, 'x_trades_2025-01-02_AAPL.csv.gz'));
    expect(got).toHaveLength(101);
    expect(got.at(-1)).toMatch(/,100,sell,1.50,100$/);
    await r.close();
  });
});
