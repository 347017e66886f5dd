import { describe, expect, it } from 'vitest';
import { BookRules, type SymbolPlan } from '../../server/feed/replay/book-rules.js';
import type { Row } from '../../server/feed/replay/row.js';
import { RowMerge, type RowSource } from '../../server/feed/replay/merge.js';
import type { MarketEvent } from '../../server/feed/tick-source.js';

const plan = (symbol: string, book: SymbolPlan['book']): SymbolPlan => ({ symbol, book, decimals: 1, sizeDecimals: 1 });
const L = (recv: number, snapshot: boolean, side: 'bid' | 'ask', price: number, amount: number, symbol = 'X'): Row => ({ kind: 'l2', symbol, recv, ts: recv - 1, snapshot, side, price, amount });

/** Feeds rows (all from file `file`) and returns the events, the pending one flushed. */
function run(rules: BookRules, rows: Row[], file = 0): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (const r of rows) rules.row(r, file, out);
  rules.flush(out);
  return out;
}

describe('book rules', () => {
  it('skips deltas before the first snapshot, makes one event per (file, symbol, receive time), removes on 0', () => {
    const rules = new BookRules([plan('X', 'l2')]);
    const ev = run(rules, [
      L(1, false, 'bid', 90, 1), // before any snapshot: skipped
      L(2, true, 'bid', 100, 1), L(2, true, 'bid', 99, 2), L(2, true, 'ask', 101, 3),
      L(3, false, 'bid', 100, 0), L(3, false, 'ask', 101.5, 1),
    ]);
    expect(ev).toHaveLength(2);
    expect(ev[0]!.book).toEqual({ bids: [[100, 1], [99, 2]], asks: [[101, 3]] });
    expect(ev[0]!.quote).toEqual({ bid: 100, ask: 101, bidSize: 1, askSize: 3 });
    expect(ev[1]!.quote).toEqual({ bid: 99, ask: 101, bidSize: 2, askSize: 3 });
    expect(rules.book('X')).toMatchObject({ bids: [[99, 2]], asks: [[101, 3], [101.5, 1]] });
  });

  it('clears the book at a snapshot after deltas, or at a new snapshot time', () => {
    const rules = new BookRules([plan('X', 'l2')]);
    run(rules, [L(1, true, 'bid', 100, 1), L(1, true, 'ask', 101, 1), L(2, false, 'bid', 99, 5)]);
    const ev = run(rules, [L(5, true, 'bid', 98, 1), L(5, true, 'ask', 102, 1)]);
    expect(ev).toHaveLength(1);
    // the old levels leave as 0 in the same event
    expect(new Map(ev[0]!.book!.bids)).toEqual(new Map([[100, 0], [99, 0], [98, 1]]));
    expect(rules.book('X')).toMatchObject({ bids: [[98, 1]], asks: [[102, 1]] });
    // snapshot rows of a new time right after snapshot rows: a new book again
    run(rules, [L(6, true, 'bid', 97, 1)]);
    expect(rules.book('X')).toMatchObject({ bids: [[97, 1]], asks: [] });
  });

  it('keeps rows of another file or symbol at the same time in their own events', () => {
    const rules = new BookRules([plan('X', 'l2'), plan('Y', 'l2')]);
    const out: MarketEvent[] = [];
    rules.row(L(1, true, 'bid', 100, 1), 0, out);
    rules.row(L(1, true, 'bid', 50, 1, 'Y'), 0, out);
    rules.row(L(1, true, 'ask', 101, 1), 1, out);
    rules.flush(out);
    expect(out.map((e) => e.symbol)).toEqual(['X', 'Y', 'X']);
  });

  it('replaces the book with book_snapshot rows; gives a quotes-only symbol a one-level book; trades carry xid and an inferred side', () => {
    const rules = new BookRules([plan('S', 'l2'), plan('Q', 'quotes'), plan('T', 'none')]);
    const ev = run(rules, [
      { kind: 'snap', symbol: 'S', recv: 1, ts: 1, bids: [[10, 1], [9, 1]], asks: [[11, 1]] },
      { kind: 'snap', symbol: 'S', recv: 2, ts: 2, bids: [[10, 2]], asks: [[12, 1]] },
      { kind: 'quote', symbol: 'Q', recv: 3, ts: 3, bid: 5, bidSize: 1, ask: 6, askSize: 2 },
      { kind: 'quote', symbol: 'Q', recv: 4, ts: 4, bid: 5.5, bidSize: 1, ask: NaN, askSize: NaN },
      { kind: 'trade', symbol: 'Q', recv: 5, ts: 5, id: 'a1', side: 'unknown', price: 5.5, amount: 1 },
      { kind: 'trade', symbol: 'T', recv: 6, ts: 6, id: 'b2', side: 'sell', price: 7, amount: 1 },
    ]);
    expect(new Map(ev[1]!.book!.bids)).toEqual(new Map([[10, 2], [9, 0]]));
    expect(new Map(ev[1]!.book!.asks)).toEqual(new Map([[11, 0], [12, 1]]));
    expect(rules.book('Q')).toMatchObject({ bids: [[5.5, 1]], asks: [] });
    expect(ev[4]!.trade).toEqual({ price: 5.5, size: 1, side: 'buy', xid: 'a1' });
    expect(ev[5]!.trade).toEqual({ price: 7, size: 1, side: 'sell', xid: 'b2' });
    expect(rules.book('T')).toBeUndefined();
  });
});

class ArraySource implements RowSource {
  #i = 0;
  constructor(readonly rows: Row[]) {}
  head = () => this.rows[this.#i];
  advance = () => void this.#i++;
  get ready() {
    return true;
  }
  get ended() {
    return this.#i >= this.rows.length;
  }
  fill = async () => {};
}

describe('row merge', () => {
  it('orders by receive time across files, ties in file order', () => {
    const t = (symbol: string, recv: number): Row => ({ kind: 'trade', symbol, recv, ts: 0, id: '', side: 'buy', price: 1, amount: 1 });
    const merge = new RowMerge([new ArraySource([t('a', 1), t('a', 3), t('a', 3)]), new ArraySource([t('b', 0), t('b', 3), t('b', 4)])]);
    const got: string[] = [];
    for (let r = merge.take(); r && r !== 'fill'; r = merge.take()) got.push(`${r.symbol}${r.recv}`);
    expect(got).toEqual(['b0', 'a1', 'a3', 'a3', 'b3', 'b4']);
  });
});
