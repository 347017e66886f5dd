import { describe, expect, it } from 'vitest';
import { decode } from '../../shared/codec.js';
import type { Trade } from '../../shared/protocol.js';
import { appendItems, TRADES_PER_ITEM } from '../../server/fanout/items.js';
import { EVENT_RING, StreamRecord } from '../../server/fanout/stream-record.js';
import { jsonWire, msgpackWire, type Encoded } from '../../server/fanout/wire.js';

const items = (rec: StreamRecord, prev: number, every: boolean) => {
  const out: Encoded[] = [];
  const ok = appendItems(rec, prev, every, msgpackWire, out);
  return { ok, items: out.map((b) => (decode(b as Uint8Array) as { value: Record<string, unknown> }).value), raw: out };
};

/** A ticker record at seq 10 that keeps its events (as once an unthrottled subscriber attached). */
function ticker(keep = true): StreamRecord {
  const rec = new StreamRecord('X', 'ticker');
  rec.reset({ s: 'X', ch: 'ticker', seq: 10, d: { last: 1, bid: 0.9, ask: 1.1, volume: 5, ts: 0 } });
  if (keep) rec.keepEvents();
  return rec;
}

describe('conflation and deltas', () => {
  it('conflates: the latest value of each field changed since prev wins, prev chains', () => {
    const rec = ticker();
    rec.apply({ s: 'X', ch: 'ticker', seq: 11, d: { bid: 0.95, ts: 1 } });
    rec.apply({ s: 'X', ch: 'ticker', seq: 12, d: { last: 1.05, volume: 6, ts: 2 } });
    rec.apply({ s: 'X', ch: 'ticker', seq: 13, d: { bid: 0.97, ts: 3 } });
    expect(items(rec, 10, false).items).toEqual([{ ch: 'ticker', s: 'X', seq: 13, prev: 10, d: { bid: 0.97, ts: 3, last: 1.05, volume: 6 } }]);
    expect(items(rec, 12, false).items).toEqual([{ ch: 'ticker', s: 'X', seq: 13, prev: 12, d: { bid: 0.97, ts: 3 } }]);
  });

  it('gives unthrottled clients every event as its own chained item', () => {
    const rec = ticker();
    for (let i = 11; i <= 14; i++) rec.apply({ s: 'X', ch: 'ticker', seq: i, d: { bid: i, ts: i } });
    const { items: got } = items(rec, 11, true);
    expect(got.map((i) => [i.prev, i.seq, (i.d as { bid: number }).bid])).toEqual([
      [11, 12, 12],
      [12, 13, 13],
      [13, 14, 14],
    ]);
  });

  it('falls back to one conflated item when the events are no longer held', () => {
    const rec = ticker();
    const last = 10 + EVENT_RING + 2; // even
    for (let i = 11; i <= last; i++) rec.apply({ s: 'X', ch: 'ticker', seq: i, d: i % 2 ? { bid: i, ts: i } : { ask: i, ts: i } });
    expect(items(rec, 10, true).items).toEqual([{ ch: 'ticker', s: 'X', seq: last, prev: 10, d: { bid: last - 1, ask: last, ts: last } }]);
    expect(items(rec, last - EVENT_RING, true).items.length).toBe(EVENT_RING);
  });

  it('keeps no events until an unthrottled subscriber wants them, then every event from there', () => {
    const rec = ticker(false);
    for (let i = 11; i <= 13; i++) rec.apply({ s: 'X', ch: 'ticker', seq: i, d: { bid: i, ts: i } });
    expect(rec.ring).toEqual([]);
    // The first unthrottled read gets one conflated item and turns the ring on.
    expect(items(rec, 11, true).items).toEqual([{ ch: 'ticker', s: 'X', seq: 13, prev: 11, d: { bid: 13, ts: 13 } }]);
    for (let i = 14; i <= 15; i++) rec.apply({ s: 'X', ch: 'ticker', seq: i, d: { bid: i, ts: i } });
    expect(items(rec, 13, true).items.map((i) => [i.prev, i.seq])).toEqual([[13, 14], [14, 15]]);
  });

  it('encodes an item once and shares the bytes between clients at the same prev', () => {
    const rec = ticker();
    rec.subs.add({}).add({}); // two subscribers: the bytes are worth keeping for the other
    rec.apply({ s: 'X', ch: 'ticker', seq: 11, d: { bid: 0.95, ts: 1 } });
    const a = items(rec, 10, false).raw[0];
    const b = items(rec, 10, false).raw[0];
    expect(a).toBe(b);
    const j1: Encoded[] = [];
    appendItems(rec, 10, false, jsonWire, j1);
    expect(JSON.parse(j1[0] as string)).toEqual({ ch: 'ticker', s: 'X', seq: 11, prev: 10, d: { bid: 0.95, ts: 1 } });
    rec.apply({ s: 'X', ch: 'ticker', seq: 12, d: { bid: 0.96, ts: 2 } });
    expect(items(rec, 10, false).raw[0]).not.toBe(a);
  });

  it("keeps no bytes for a stream's only subscriber (they would outlive the flush)", () => {
    const rec = ticker();
    rec.subs.add({});
    rec.apply({ s: 'X', ch: 'ticker', seq: 11, d: { bid: 0.95, ts: 1 } });
    expect(items(rec, 10, false).items).toEqual([{ ch: 'ticker', s: 'X', seq: 11, prev: 10, d: { bid: 0.95, ts: 1 } }]);
    expect(rec.cache.size).toBe(0);
  });

  it('accumulates trades oldest first, caps them and counts the dropped', () => {
    const rec = new StreamRecord('X', 'trades');
    rec.reset({ s: 'X', ch: 'trades', seq: 0, d: [] });
    const trade = (id: number): Trade => ({ id, price: 1, size: 1, side: 'buy', ts: id });
    for (let i = 1; i <= 5; i++) rec.apply({ s: 'X', ch: 'trades', seq: i, d: trade(i) });
    expect(items(rec, 2, false).items).toEqual([{ ch: 'trades', s: 'X', seq: 5, prev: 2, d: [trade(3), trade(4), trade(5)] }]);
    for (let i = 6; i <= 400; i++) rec.apply({ s: 'X', ch: 'trades', seq: i, d: trade(i) });
    const [it0] = items(rec, 0, false).items;
    expect((it0.d as Trade[]).length).toBe(TRADES_PER_ITEM);
    expect((it0.d as Trade[])[0].id).toBe(400 - TRADES_PER_ITEM + 1);
    expect(it0.dropped).toBe(400 - TRADES_PER_ITEM);
    expect(it0.prev).toBe(0);
    expect(it0.seq).toBe(400);
  });

  it('applies no event after a gap: only a whole state (reset) brings the record on', () => {
    const rec = ticker();
    expect(rec.apply({ s: 'X', ch: 'ticker', seq: 11, d: { bid: 1 } })).toBe('ok');
    expect(rec.apply({ s: 'X', ch: 'ticker', seq: 11, d: { bid: 2 } })).toBe('stale');
    expect(rec.apply({ s: 'X', ch: 'ticker', seq: 15, d: { bid: 3 } })).toBe('gap');
    expect(rec.seq).toBe(11);
    expect((rec.snapshot(0).d as Record<string, number>).bid).toBe(1);
    rec.reset({ s: 'X', ch: 'ticker', seq: 15, epoch: 'e1', d: { last: 2, bid: 3, ask: 4, volume: 6, ts: 9 } });
    expect(items(rec, 11, false).ok).toBe(false);
    expect(items(rec, 15, false).items).toEqual([]);
    rec.apply({ s: 'X', ch: 'ticker', seq: 16, d: { ask: 2 } });
    expect(items(rec, 15, true).items).toEqual([{ ch: 'ticker', s: 'X', seq: 16, prev: 15, d: { ask: 2 } }]);
    expect(rec.snapshot(50)).toEqual({ s: 'X', ch: 'ticker', seq: 16, epoch: 'e1', d: { last: 2, bid: 3, ask: 2, volume: 6, ts: 9 } });
  });
});
