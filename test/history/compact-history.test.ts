/**
 * The compact StreamHistory (typed time ring, per-channel field stores, implicit trade seqs)
 * answers every position exactly as the previous one (reference-stream-history.ts) did, over
 * random event streams with resets, prepends, count and time bounds. Pure; seeded.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Channel, Trade } from '../../shared/protocol.js';
import { Rng } from '../../server/feed/rng.js';
import { StreamHistory } from '../../server/history/stream-history.js';
import { TimeRing } from '../../server/history/time-ring.js';
import { StreamHistory as Reference } from './reference-stream-history.js';

type D = Record<string, unknown> | Trade;

/** A random event's d for the channel (book: levels on a small price grid, sizes 0 sometimes). */
function eventD(ch: Channel, seq: number, rng: Rng, now: number): D {
  if (ch === 'trades') return { id: seq, price: 100 + rng.int(50) / 100, size: 1 + rng.int(9), side: rng.next() < 0.5 ? 'buy' : 'sell', ts: now };
  if (ch === 'book') {
    const side = () => Array.from({ length: rng.int(4) }, () => [100 + rng.int(30) / 100, rng.next() < 0.3 ? 0 : 1 + rng.int(500)] as [number, number]);
    const d: Record<string, unknown> = { checksum: rng.int(2 ** 31), ts: now };
    const bids = side();
    const asks = side();
    if (bids.length) d.bids = bids;
    if (asks.length) d.asks = asks;
    return d;
  }
  const keys = ch === 'ticker' ? ['last', 'bid', 'ask', 'bidSize', 'askSize', 'high', 'low', 'volume'] : ['open', 'high', 'low', 'close', 'volume'];
  const d: Record<string, unknown> = { ts: now };
  for (const k of keys) if (rng.next() < 0.35) d[k] = rng.int(1000) / 10;
  return d;
}

function snapshotD(ch: Channel, rng: Rng, now: number): Record<string, unknown> | Trade[] {
  if (ch === 'trades') return [];
  if (ch === 'book') return { bids: [[99.9, 5], [99.8, 7]], asks: [[100.1, 3]], checksum: rng.int(1000), ts: now };
  return ch === 'ticker' ? { last: 1, bid: 0.9, ask: 1.1, bidSize: 3, askSize: 4, high: 2, low: 0.5, volume: 10, ts: now } : { time: 0, open: 1, high: 1, low: 1, close: 1, volume: 0 };
}

function run(ch: Channel, seed: string): number {
  const rng = new Rng(seed);
  const limits = { ms: 500 + rng.int(3000), trades: rng.int(3) === 0 ? 0 : 5 + rng.int(60) };
  const a = new StreamHistory('X', ch, limits);
  const b = new Reference('X', ch, limits);
  let now = 1_764_000_000_000 + rng.int(1000);
  let epoch = 'e0';
  let seq = rng.int(100);
  const snap = snapshotD(ch, rng, now);
  a.reset(epoch, seq, snap, now);
  b.reset(epoch, seq, snap, now);
  const pending: { seq: number; d: unknown; at: number }[] = [];
  let compared = 0;
  for (let step = 0; step < 1500; step++) {
    now += rng.int(40);
    const u = rng.next();
    if (u < 0.005) {
      // A new epoch from a whole state (a restart's reset).
      epoch = `e${step}`;
      seq = rng.int(50);
      const d = snapshotD(ch, rng, now);
      a.reset(epoch, seq, d, now);
      b.reset(epoch, seq, d, now);
      pending.length = 0;
    } else if (u < 0.01 && pending.length > 3) {
      // A gateway's prepend: the events before a reset at the newest position.
      a.reset(epoch, seq, snapshotD(ch, new Rng(`${seed}/${step}`), now), now);
      b.reset(epoch, seq, snapshotD(ch, new Rng(`${seed}/${step}`), now), now);
      const cut = rng.int(pending.length);
      const evs = pending.slice(cut);
      a.prepend(evs, now);
      b.prepend(evs, now);
    } else {
      const next = u < 0.02 ? seq + 2 : seq + 1; // now and then a gap (refused by both)
      const d = eventD(ch, next, rng, now);
      const ok = a.apply(next, d, now);
      expect(ok).toBe(b.apply(next, d, now));
      if (ok) (seq = next), pending.push({ seq: next, d, at: now });
      if (pending.length > 400) pending.splice(0, 200);
    }
    if (rng.next() < 0.1) a.prune(now), b.prune(now);
    // Each check calls expect only when it is about to fail: the same assertions, minus the
    // matcher's cost on the ~10^6 that pass (most of this file's time otherwise).
    if (a.held !== b.held) expect(a.held, `held at ${step}`).toBe(b.held);
    if (a.firstSeq !== b.firstSeq) expect(a.firstSeq).toBe(b.firstSeq);
    if (step % 7 === 0) {
      const at = now + rng.int(limits.ms);
      for (let p = a.firstSeq - 2; p <= seq + 1; p++) {
        for (const ep of [epoch, 'other']) {
          const x = a.recover(ep, p, at);
          const y = b.recover(ep, p, at);
          if (x.ok !== y.ok) expect(x.ok, `${ch} ${ep} ${p} at step ${step}`).toBe(y.ok);
          if (x.ok && y.ok) {
            const [xi, yi] = [x.item && { ...x.item, d: x.item.d }, y.item && { ...y.item, d: y.item.d }];
            if (!isDeepStrictEqual(xi, yi)) expect(xi, `${ch} ${p} at step ${step}`).toEqual(yi);
            compared++;
          }
        }
      }
    }
  }
  return compared;
}

describe('the compact stream history', { timeout: 60_000 }, () => {
  for (const ch of ['ticker', 'candles:1m', 'book', 'trades'] as const) {
    it(`answers every position as the reference does: ${ch}`, () => {
      let compared = 0;
      for (let k = 0; k < 4; k++) compared += run(ch, `${ch}/${k}`);
      expect(compared).toBeGreaterThan(2000);
    });
  }
});

describe('book tombstones at the window edge', () => {
  it("stay while a held position needs them, across the sweeps (each event removes the previous event's level)", () => {
    const limits = { ms: 1000, trades: 10 };
    const a = new StreamHistory('X', 'book', limits);
    const b = new Reference('X', 'book', limits);
    a.reset('e', 0, { bids: [], asks: [], checksum: 0, ts: 0 }, 0);
    b.reset('e', 0, { bids: [], asks: [], checksum: 0, ts: 0 }, 0);
    const price = (k: number) => 100 + k / 100;
    for (let seq = 1; seq <= 1200; seq++) {
      const d = { bids: [[price(seq), 5], ...(seq > 1 ? [[price(seq - 1), 0]] : [])], checksum: seq, ts: seq * 10 };
      a.apply(seq, d, seq * 10);
      b.apply(seq, d, seq * 10);
      for (const p of [a.firstSeq, a.firstSeq + 1]) {
        const x = a.recover('e', p, seq * 10);
        expect(x.ok).toBe(true);
        expect(x.ok && x.item?.d, `${p} at ${seq}`).toEqual((b.recover('e', p, seq * 10) as { item?: { d: unknown } }).item?.d);
      }
    }
    expect(a.firstSeq).toBeGreaterThan(1000);
  });
});

describe('TimeRing', () => {
  it('keeps times exactly through growth, shrinking, wrap-around and a switch to doubles', () => {
    const r = new TimeRing();
    const want: number[] = [];
    const rng = new Rng('ring');
    let t = 1_764_000_000_000;
    for (let i = 0; i < 5000; i++) {
      if (rng.next() < 0.55) {
        t += rng.int(100);
        const v = i === 4000 ? t + 0.25 : t; // one fractional time: the ring switches to doubles
        r.push(v);
        want.push(v);
      } else if (want.length) {
        const n = 1 + rng.int(Math.min(3, want.length));
        r.shift(n);
        want.splice(0, n);
      }
      expect(r.length).toBe(want.length);
      if (i % 97 === 0) expect(Array.from({ length: r.length }, (_, k) => r.at(k))).toEqual(want);
    }
    r.unshift([1, 2.5]);
    expect([r.at(0), r.at(1), r.at(2)]).toEqual([1, 2.5, want[0]]);
  });
});
