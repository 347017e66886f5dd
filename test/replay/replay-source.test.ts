/**
 * The replay source over files the test writes (plain and gzipped Tardis and Binance files):
 * merge order, ties, a snapshot mid-file, a gap of hours, out-of-order exchange times, a
 * malformed row (reported by file and line, the rest served), REPLAY_FROM as history.
 */
import { describe, expect, it } from 'vitest';
import { ReplaySource } from '../../server/feed/replay/replay-source.js';
import type { MarketEvent } from '../../server/feed/tick-source.js';
import { L2_HEAD, T0_MS, T0_US, TRADES_HEAD, l2, tmpDir, trade, writeCsv } from './fixtures.js';

const HOUR_US = 3_600_000_000;

function writeSet(): { dir: string; bad: string } {
  const dir = tmpDir();
  // Trades (gzipped): out-of-order exchange times under ordered receive times, a gap of 3 hours, a malformed row.
  const bad = writeCsv(dir, 'a_trades.csv.gz', [
    TRADES_HEAD,
    trade('BTC-PERPETUAL', T0_US + 2000, T0_US + 3000, 't1', 'buy', '100.5', '0.25'),
    trade('BTC-PERPETUAL', T0_US + 1000, T0_US + 4000, 't2', 'sell', '100.0', '0.5'), // exchange time earlier than t1's
    'deribit,BTC-PERPETUAL,oops,1,t3,buy,1,1', // line 4
    trade('BTC-PERPETUAL', T0_US + 3 * HOUR_US, T0_US + 3 * HOUR_US + 10, 't4', 'buy', '101', '1'),
  ]);
  // L2 (plain): deltas before the snapshot, a snapshot, deltas, a snapshot mid-file.
  writeCsv(dir, 'b_book.csv', [
    L2_HEAD,
    l2('BTC-PERPETUAL', T0_US - 10, T0_US, false, 'bid', '99', '1'),
    l2('BTC-PERPETUAL', T0_US + 1, T0_US + 1000, true, 'bid', '100', '2'),
    l2('BTC-PERPETUAL', T0_US + 1, T0_US + 1000, true, 'ask', '101', '3'),
    l2('BTC-PERPETUAL', T0_US + 2, T0_US + 3000, false, 'ask', '100.75', '1'), // ties with t1 (file order: trades first)
    l2('BTC-PERPETUAL', T0_US + 5000, T0_US + 5000, true, 'bid', '99.5', '4'),
    l2('BTC-PERPETUAL', T0_US + 5000, T0_US + 5000, true, 'ask', '102', '1.125'),
  ]);
  // Binance trades, headerless, 13-digit ms and 16-digit µs times.
  writeCsv(dir, 'ETHUSDT-trades-2025-01-01.csv', [`5,3300.10,0.0100,33.001,${T0_MS + 2},true`, `6,3300.20,0.0200,66.004,${(T0_MS + 6) * 1000},false`]);
  return { dir, bad };
}

/** Plays the whole recording at max and collects every event. */
async function playAll(src: ReplaySource): Promise<MarketEvent[]> {
  const events: MarketEvent[] = [];
  await new Promise<void>((resolve) => {
    src.hooks = { ...src.hooks, restart() {}, history() {}, live() {}, clock: (c) => c.ended && resolve() };
    src.start((batch) => events.push(...batch));
  });
  src.stop();
  return events;
}

describe('replay source over recorded files', () => {
  it('merges by receive time with ties in file order, applies the book rules, reports the malformed row and serves the rest', async () => {
    const { dir, bad } = writeSet();
    const bads: string[] = [];
    const src = await ReplaySource.create({ files: [dir], speed: 'max', loop: false, onBad: (f, line, msg) => bads.push(`${f}:${line}: ${msg}`) });
    expect(bads).toEqual([`${bad}:4: timestamp is not a time`]);
    expect(src.scan.plans).toEqual([
      { symbol: 'BTC-PERPETUAL', book: 'l2', decimals: 2, sizeDecimals: 3 },
      { symbol: 'ETHUSDT', book: 'none', decimals: 2, sizeDecimals: 4 },
    ]);
    expect(src.clock()).toMatchObject({ from: T0_MS, to: T0_MS + 3 * 3_600_000 + 0.01, speed: 'max', paused: false, ended: false });

    const events = await playAll(src);
    const seen = events.map((e) => `${e.symbol}:${e.trade ? `trade ${e.trade.xid}` : 'book'}`);
    expect(seen).toEqual([
      'BTC-PERPETUAL:book', // the snapshot (the delta before it skipped)
      'ETHUSDT:trade 5',
      'BTC-PERPETUAL:trade t1', // ties with the ask delta at the same receive time: trades file first
      'BTC-PERPETUAL:book',
      'BTC-PERPETUAL:trade t2',
      'BTC-PERPETUAL:book', // the snapshot mid-file
      'ETHUSDT:trade 6',
      'BTC-PERPETUAL:trade t4', // three hours later, at once at max
    ]);
    // market time is the exchange's, out of order under ordered receive times
    const t1 = events[2]!, t2 = events[4]!;
    expect(t1.ts).toBe(T0_MS + 2);
    expect(t2.ts).toBe(T0_MS + 1);
    expect(t1.quote).toEqual({ bid: 100, ask: 101, bidSize: 2, askSize: 3 });
    expect(t2.quote).toEqual({ bid: 100, ask: 100.75, bidSize: 2, askSize: 1 });
    expect(new Map(events[5]!.book!.bids)).toEqual(new Map([[100, 0], [99.5, 4]]));
    expect(events[1]!.trade).toEqual({ price: 3300.1, size: 0.01, side: 'sell', xid: '5' });
    expect(events[6]!.ts).toBe(T0_MS + 6);
    expect(src.clock()).toMatchObject({ ended: true, at: src.clock().to });
  });

  it('applies what precedes REPLAY_FROM as history, and ends at REPLAY_TO', async () => {
    const { dir } = writeSet();
    const src = await ReplaySource.create({ files: [dir], speed: 'max', loop: false, from: T0_MS + 3.5, to: T0_MS + 5.5 });
    const history: MarketEvent[] = [];
    const live: MarketEvent[] = [];
    await new Promise<void>((resolve) => {
      src.hooks = { restart() {}, history: (e) => history.push(...e), live() {}, clock: (c) => c.ended && resolve() };
      src.start((batch) => live.push(...batch));
    });
    src.stop();
    expect(history.map((e) => e.trade?.xid ?? 'book')).toEqual(['book', '5', 't1', 'book']);
    expect(live.map((e) => e.trade?.xid ?? 'book')).toEqual(['t2', 'book']);
  });

  it('refuses a file of unknown format, naming it', async () => {
    const dir = tmpDir();
    const path = writeCsv(dir, 'notes.csv', ['hello,world']);
    await expect(ReplaySource.create({ files: [path], speed: 1, loop: false })).rejects.toThrow(`${path}: unknown format`);
    await expect(ReplaySource.create({ files: [`${dir}/missing.csv`], speed: 1, loop: false })).rejects.toThrow('missing.csv: no such file or folder');
  });
});
