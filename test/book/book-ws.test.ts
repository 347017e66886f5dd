import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookData, Ticker } from '../../shared/protocol.js';
import { BookKeeper, bookFormats, type BookFormats } from '../helpers/book-keeper.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

let srv: Running;
let formats: BookFormats;
beforeAll(async () => {
  srv = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '20' });
  formats = await bookFormats(srv.url);
});
afterAll(() => srv?.close());

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'SPY', 'BTC-USD', 'EURUSD', 'ETH-USD', 'AMZN', 'USDJPY', 'SOL-USD'];

const rest = async (channels: string) =>
  ((await (await fetch(`${srv.url}/api/snapshot?symbols=${SYMBOLS.join(',')}&channels=${channels}`)).json()) as {
    items: { s: string; ch: string; seq: number; d: unknown }[];
  }).items;

describe('book over WebSocket', { timeout: 60_000 }, () => {
  it('lists sizeDecimals for every symbol: 0 for shares and FX, 4-8 for coins', () => {
    expect(formats.get('AAPL')!.sizeDecimals).toBe(0);
    expect(formats.get('EURUSD')!.sizeDecimals).toBe(0);
    expect(formats.get('BTC-USD')!.sizeDecimals).toBe(8);
    for (const [, f] of formats) expect(Number.isInteger(f.sizeDecimals)).toBe(true);
  });

  it('keeps 10 books at throttle 0 and 250 through thousands of items: every checksum matches, the chain holds, the end equals REST', async () => {
    const started = Date.now();
    const clients = [0, 250].map(async (throttle) => {
      const c = await RawClient.open(srv.wsUrl);
      const keeper = new BookKeeper(formats, 20);
      c.ws.on('message', () => keeper.apply(c.messages.at(-1)!));
      c.send({ type: 'subscribe', symbols: SYMBOLS, channels: ['book', 'ticker'], throttle });
      await c.next('subscribed');
      return { c, keeper, throttle };
    });
    const all = await Promise.all(clients);
    const [live, throttled] = all.map((x) => x.keeper);
    // Waits for the traffic asserted below, not for a fixed time.
    await until('thousands of book items, a hundred conflated', () => live!.items > 2000 && throttled!.conflated > 100, 30_000);
    srv.node.feed.stop(); // the market stands still: REST and the clients can meet at one seq
    const ran = Date.now() - started;
    const snap = await rest('book,ticker');
    const seqOf = new Map(snap.filter((i) => i.ch === 'book').map((i) => [i.s, i.seq]));
    for (const { c, keeper, throttle } of all) {
      // The last (throttled) flush brings every book to the market's seq.
      await until(`every book at the market's seq, throttle ${throttle}`, () => SYMBOLS.every((s) => keeper.books.get(s)?.seq === seqOf.get(s)), 5000).catch(() => {});
      expect(keeper.failures, `throttle ${throttle}`).toEqual([]);
      expect(keeper.books.size).toBe(SYMBOLS.length);
      for (const s of SYMBOLS) {
        const mine = keeper.books.get(s)!;
        const truth = snap.find((i) => i.ch === 'book' && i.s === s)!;
        expect(mine.seq, `${s} throttle ${throttle}`).toBe(truth.seq);
        const d = truth.d as BookData;
        expect({ bids: mine.bids, asks: mine.asks, checksum: mine.checksum }).toEqual({ bids: d.bids, asks: d.asks, checksum: d.checksum });
        // The ticker agrees with the book's touch.
        const t = snap.find((i) => i.ch === 'ticker' && i.s === s)!.d as Ticker;
        expect([t.bid, t.bidSize, t.ask, t.askSize]).toEqual([d.bids[0]![0], d.bids[0]![1], d.asks[0]![0], d.asks[0]![1]]);
      }
      // 10 symbols x 50 events/s: thousands of items; throttled ones conflate, at most one a book per 250 ms.
      if (throttle === 0) expect(keeper.items).toBeGreaterThan(2000);
      else {
        expect(keeper.items).toBeLessThan(SYMBOLS.length * (ran / 250 + 5));
        expect(keeper.conflated).toBeGreaterThan(100);
      }
      c.close();
    }
  });
});
