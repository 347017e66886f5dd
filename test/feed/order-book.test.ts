import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../server/feed/order-book.js';
import { Rng } from '../../server/feed/rng.js';

const params = { levels: 8, spacing: 1, touchSize: 100, lot: 100 };
function book(seed = 'ob'): { b: OrderBook; rng: Rng } {
  const rng = new Rng(seed);
  const b = new OrderBook(params);
  b.init(10_000.5, 1, rng); // bid 10000, ask 10001
  return { b, rng };
}

describe('OrderBook', () => {
  it('starts with both sides full, best first, and no pending changes', () => {
    const { b } = book();
    expect(b.best('bid')![0]).toBe(10_000);
    expect(b.best('ask')![0]).toBe(10_001);
    const bids = b.levelsOf('bid');
    expect(bids).toHaveLength(8);
    for (let i = 1; i < bids.length; i++) expect(bids[i]![0]).toBeLessThan(bids[i - 1]![0]);
    expect(b.takeChanges()).toEqual({ bids: [], asks: [] });
  });

  it('fills a market order at the touch, walking the next levels when it is larger', () => {
    const { b } = book();
    const asks = b.levelsOf('ask');
    const units = asks[0]![1] + asks[1]![1] + 1;
    const n = b.trade('buy', units);
    const prints = Array.from({ length: n }, (_, i) => [b.printT[i], b.printQ[i]]);
    expect(prints).toEqual([asks[0], asks[1], [asks[2]![0], 1]]);
    expect(b.best('ask')).toEqual([asks[2]![0], asks[2]![1] - 1]);
    const ch = b.takeChanges();
    expect(ch.asks).toEqual([[asks[0]![0], 0], [asks[1]![0], 0], [asks[2]![0], asks[2]![1] - 1]]);
    expect(ch.bids).toEqual([]);
  });

  it('never walks more than 3 levels nor empties a side', () => {
    const { b } = book();
    expect(b.trade('sell', 1e12)).toBe(3);
    for (let k = 0; k < 10; k++) b.trade('sell', 1e12);
    expect(b.levelsOf('bid').length).toBeGreaterThanOrEqual(1);
  });

  it('follows the mid: levels it went through are gone, the touch is rebuilt near it, uncrossed', () => {
    const { b, rng } = book();
    b.takeChanges();
    b.follow(10_010.5, 1, rng); // the market rose by 10 ticks
    const bid = b.best('bid')![0];
    const ask = b.best('ask')![0];
    expect(ask).toBeGreaterThanOrEqual(10_011);
    expect(bid).toBeLessThanOrEqual(10_010);
    expect(bid).toBeGreaterThanOrEqual(10_008); // new liquidity near the new mid, not left at 10000
    const gone = b.takeChanges().asks.filter(([, q]) => q === 0).map(([t]) => t);
    expect(gone).toContain(10_001);
  });

  it('does not reopen, in the same event, a level a trade took', () => {
    const { b, rng } = book('again');
    const [t] = b.best('ask')!;
    b.trade('buy', b.best('ask')![1]); // takes the whole best ask
    b.follow(10_000.5, 1, rng); // the target ask is that very price
    for (let k = 0; k < 50; k++) b.flow(rng);
    expect(b.levelsOf('ask').some(([p]) => p === t)).toBe(false);
    b.takeChanges(); // the next event may
  });
});
