/**
 * A book's record forgets removed levels once every subscriber has been told: without it, every
 * price level a symbol ever had stays in the record, and snapshots and deltas cost ever more.
 */
import { describe, expect, it } from 'vitest';
import type { BookLevel } from '../../shared/protocol.js';
import { StreamRecord } from '../../server/fanout/stream-record.js';

/** Event i adds a bid at 1000 + i and removes the one 20 below it: the book walks up. */
function walk(rec: StreamRecord, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const bids: BookLevel[] = [[1000 + i, 1]];
    if (i >= 20) bids.push([1000 + i - 20, 0]);
    rec.apply({ s: 'X', ch: 'book', seq: i + 1, d: { bids, checksum: i, ts: i } as unknown as Record<string, number> });
  }
}

/** A client's book: apply pairs (0 removes). */
function applyTo(book: Map<number, number>, d: { bids?: BookLevel[] }): void {
  for (const [p, q] of d.bids ?? []) if (q === 0) book.delete(p);
  else book.set(p, q);
}

describe('StreamRecord tombstones', () => {
  it('stay bounded when pruned up to what every subscriber has, and deltas after that stay exact', () => {
    const rec = new StreamRecord('X', 'book');
    rec.reset({ s: 'X', ch: 'book', seq: 0, epoch: 'e', d: { bids: [], asks: [], checksum: 0, ts: 0 } as unknown as Record<string, number> });
    const client = new Map<number, number>();
    let sent = 0;
    for (let step = 0; step < 100; step++) {
      walk(rec, step * 100, step * 100 + 100);
      applyTo(client, rec.changedSince(sent) as { bids?: BookLevel[] });
      sent = rec.seq;
      rec.pruneTombstones(sent);
      expect(rec.fieldCount).toBeLessThan(40);
    }
    expect(rec.tombstones).toBe(0);
    const snap = rec.snapshot(0).d as unknown as { bids: BookLevel[] };
    expect([...client].sort((a, b) => b[0] - a[0])).toEqual(snap.bids);
    expect(snap.bids).toHaveLength(20);
  });

  it('keeps what a subscriber behind still needs, and a client behind the pruned point gets no delta', () => {
    const rec = new StreamRecord('X', 'book');
    rec.reset({ s: 'X', ch: 'book', seq: 0, epoch: 'e', d: { bids: [], asks: [], checksum: 0, ts: 0 } as unknown as Record<string, number> });
    walk(rec, 0, 200);
    expect(rec.tombstones).toBe(180);
    rec.pruneTombstones(150);
    expect(rec.tombstones).toBe(50); // removals at seqs 151..200 are still owed to the slow one
    expect(rec.baseSeq).toBe(150);
    const d = rec.changedSince(150) as { bids: BookLevel[] };
    expect(d.bids.filter(([, q]) => q === 0)).toHaveLength(50);
  });
});
