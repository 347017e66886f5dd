import { describe, expect, it } from 'vitest';
import { bookChecksum } from '../../shared/book-checksum.js';
import type { BookData, BookDelta, BookLevel, Ticker } from '../../shared/protocol.js';
import { Simulator } from '../../server/feed/simulator.js';
import { Rng } from '../../server/feed/rng.js';
import { buildUniverse } from '../../server/feed/universe.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent } from '../../server/market/stream-event.js';
import { StreamRecord } from '../../server/fanout/stream-record.js';

const START = Date.UTC(2027, 5, 1, 9, 30, 0, 250);
const universe = buildUniverse(48);
const SYMBOLS = ['AAPL', 'BTC-USD', 'EURUSD', 'DOGE-USD', 'ETH-USD', 'USDJPY'];
const info = new Map(universe.map((i) => [i.symbol, i]));

/** A client's book: apply every pair, drop zeros, sort best first (the protocol's rule). */
function applyDelta(book: BookData, d: BookDelta): BookData {
  const side = (cur: BookLevel[], pairs: BookLevel[] | undefined, desc: boolean): BookLevel[] => {
    if (!pairs) return cur;
    const m = new Map(cur);
    for (const [p, q] of pairs) m.set(p, q);
    return [...m].filter(([, q]) => q > 0).sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
  };
  return { bids: side(book.bids, d.bids, true), asks: side(book.asks, d.asks, false), checksum: d.checksum, ts: d.ts };
}

const sortedBestFirst = (pairs: BookLevel[], desc: boolean) => pairs.every((l, i) => i === 0 || (desc ? l[0] < pairs[i - 1]![0] : l[0] > pairs[i - 1]![0]));

describe('book stream from the market state', { timeout: 120_000 }, () => {
  for (const depth of [10, 20]) {
    it(`keeps client books exact at every event and from any prev (depth ${depth})`, () => {
      const sim = new Simulator(universe, new Rng(`market-${depth}`), START, { bookDepth: depth });
      const market = new MarketState({ bookDepth: depth });
      const recs = new Map<string, StreamRecord>();
      const clients = new Map<string, BookData>();
      const states = new Map<string, Map<number, BookData>>(); // by seq, the last few hundred
      for (const s of SYMBOLS) {
        market.addSymbol(s, sim.history(s));
        const snap = market.snapshot(s, 'book')!;
        const rec = new StreamRecord(s, 'book');
        rec.reset({ ...snap, epoch: 'e' });
        recs.set(s, rec);
        clients.set(s, snap.d as unknown as BookData);
        states.set(s, new Map([[snap.seq, snap.d as unknown as BookData]]));
      }
      const pick = new Rng('pick');
      const bad: string[] = [];
      const check = (ok: boolean, why: string) => ok || bad.length >= 5 || bad.push(why);
      let bookEvents = 0;
      let conflations = 0;
      const out: StreamEvent[] = [];
      for (let k = 1; k <= 10_000; k++) {
        const s = SYMBOLS[pick.int(SYMBOLS.length)]!;
        const inst = info.get(s)!;
        const before = clients.get(s)!;
        out.length = 0;
        const e = sim.next(s, START + k * 50, pick.exp() * 300);
        market.apply(e, out);
        if (e.trade) check(e.trade.price === (e.trade.side === 'buy' ? before.asks[0]![0] : before.bids[0]![0]), `${s} trade off the touch`);
        for (const ev of out) {
          if (ev.ch !== 'book') continue;
          bookEvents++;
          const d = ev.d as unknown as BookDelta;
          check(!!(d.bids || d.asks), `${s} empty delta`);
          check(sortedBestFirst(d.bids ?? [], true) && sortedBestFirst(d.asks ?? [], false), `${s} delta not best first`);
          const rec = recs.get(s)!;
          check(rec.apply(ev) === 'ok', `${s} record refused ${ev.seq}`);
          const client = applyDelta(clients.get(s)!, d);
          clients.set(s, client);
          const truth = market.snapshot(s, 'book')!;
          check(truth.seq === ev.seq, `${s} seq`);
          check(JSON.stringify(client) === JSON.stringify(truth.d), `${s} client book differs at ${ev.seq}`);
          check(bookChecksum(client, inst.decimals, inst.sizeDecimals) === d.checksum, `${s} checksum at ${ev.seq}`);
          check(client.bids.length <= depth && client.asks.length <= depth, `${s} window larger than depth`);
          if (k % 50 === 0) check(JSON.stringify(rec.snapshot(50).d) === JSON.stringify(truth.d), `${s} record snapshot differs`);
          const hist = states.get(s)!;
          hist.set(ev.seq, client);
          hist.delete(ev.seq - 400);
          // Conflation from a random earlier seq: one delta brings that book to the current one.
          if (k % 13 === 0) {
            const prev = ev.seq - 1 - pick.int(Math.min(hist.size - 1, 399));
            const from = hist.get(prev);
            if (from) {
              conflations++;
              const c = applyDelta(from, rec.changedSince(prev) as unknown as BookDelta);
              check(JSON.stringify(c) === JSON.stringify(client), `${s} conflated from ${prev} to ${ev.seq} differs`);
            }
          }
        }
        // The ticker is the touch at every event.
        const t = market.snapshot(s, 'ticker')!.d as unknown as Ticker;
        const b = clients.get(s)!;
        check(t.bid === b.bids[0]![0] && t.bidSize === b.bids[0]![1] && t.ask === b.asks[0]![0] && t.askSize === b.asks[0]![1], `${s} ticker is not the touch`);
      }
      expect(bad).toEqual([]);
      expect(bookEvents).toBeGreaterThan(7_500);
      expect(conflations).toBeGreaterThan(500);
    });
  }
});
