/** The recovery window of one stream (pure): epochs, time and count bounds, the items built. */
import { describe, expect, it } from 'vitest';
import type { Trade } from '../../shared/protocol.js';
import { newEpoch, isEpoch } from '../../server/history/epoch.js';
import { History } from '../../server/history/history.js';
import { StreamHistory } from '../../server/history/stream-history.js';

const trade = (id: number): Trade => ({ id, price: 100 + id, size: 1, side: id % 2 ? 'buy' : 'sell', ts: id });

describe('epochs', () => {
  it('are short strings of time and randomness, different across starts', () => {
    let r = 0.1;
    const a = newEpoch(1_700_000_000_000, () => r);
    r = 0.9;
    const b = newEpoch(1_700_000_000_000, () => r);
    expect(a).not.toBe(b);
    expect(newEpoch(1_700_000_000_001, () => 0.1)).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(16);
    expect(isEpoch(a)).toBe(true);
    expect(isEpoch('')).toBe(false);
  });
});

describe('a state stream', () => {
  const limits = { ms: 1000, trades: 10 };
  function ticker(): StreamHistory {
    const h = new StreamHistory('X', 'ticker', limits);
    h.reset('e1', 10, { last: 1, bid: 0.9, ask: 1.1, ts: 0 }, 0);
    return h;
  }

  it('recovers one conflated item: the latest value of every field changed after the position', () => {
    const h = ticker();
    h.apply(11, { bid: 0.95, ts: 100 }, 100);
    h.apply(12, { last: 1.05, ts: 200 }, 200);
    h.apply(13, { bid: 0.97, ts: 300 }, 300);
    expect(h.recover('e1', 11, 300)).toEqual({ ok: true, item: { ch: 'ticker', s: 'X', seq: 13, prev: 11, d: { last: 1.05, bid: 0.97, ts: 300 } } });
    expect(h.recover('e1', 10, 300)).toEqual({ ok: true, item: { ch: 'ticker', s: 'X', seq: 13, prev: 10, d: { bid: 0.97, last: 1.05, ts: 300 } } });
    expect(h.recover('e1', 13, 300)).toEqual({ ok: true });
  });

  it('never recovers another epoch, a position ahead, or anything once history is off', () => {
    const h = ticker();
    h.apply(11, { bid: 1, ts: 1 }, 1);
    expect(h.recover('e0', 10, 1)).toEqual({ ok: false });
    expect(h.recover('e1', 12, 1)).toEqual({ ok: false });
    const off = new StreamHistory('X', 'ticker', { ms: 0, trades: 10 });
    off.reset('e1', 10, { last: 1 }, 0);
    expect(off.recover('e1', 10, 0)).toEqual({ ok: false });
  });

  it('holds exactly the positions whose event is no older than ms; the current seq always', () => {
    const h = ticker();
    for (let i = 1; i <= 30; i++) h.apply(10 + i, { bid: i }, i * 100);
    const now = 3000;
    // seq 10+k happened at k*100: positions at t >= 2000 (k >= 20) are recovered, older ones not.
    expect(h.recover('e1', 30, now).ok).toBe(true);
    expect(h.recover('e1', 29, now).ok).toBe(false);
    expect(h.recover('e1', 40, 10_000_000)).toEqual({ ok: true });
    expect(h.held).toBeLessThanOrEqual(12);
    expect(h.firstSeq).toBeGreaterThanOrEqual(29);
  });

  it('refuses an out-of-order event (the caller resets)', () => {
    const h = ticker();
    expect(h.apply(12, { bid: 1 }, 1)).toBe(false);
    expect(h.seq).toBe(10);
  });
});

describe('the trades stream', () => {
  it('recovers every trade after the position, oldest first, within HISTORY_TRADES', () => {
    const h = new StreamHistory('X', 'trades', { ms: 60_000, trades: 5 });
    h.reset('e1', 0, [], 0);
    for (let i = 1; i <= 12; i++) h.apply(i, trade(i), i);
    expect(h.recover('e1', 9, 20)).toEqual({ ok: true, item: { ch: 'trades', s: 'X', seq: 12, prev: 9, d: [trade(10), trade(11), trade(12)] } });
    expect(h.recover('e1', 7, 20)).toMatchObject({ ok: true, item: { d: [trade(8), trade(9), trade(10), trade(11), trade(12)] } });
    // Further back than the last 5 trades: not recovered (never a partial answer).
    expect(h.recover('e1', 6, 20)).toEqual({ ok: false });
  });
});

describe('History over many streams', () => {
  it('reports streams whose events do not chain (gap, other epoch) for a reset, and ignores stale ones', () => {
    const hist = new History({ ms: 1000, trades: 10 });
    hist.reset({ s: 'A', ch: 'ticker', seq: 5, d: { last: 1 } }, 'e1', 0);
    hist.reset({ s: 'B', ch: 'ticker', seq: 5, d: { last: 1 } }, 'e1', 0);
    const broken = hist.record(
      [
        { s: 'A', ch: 'ticker', seq: 6, d: { last: 2 } },
        { s: 'B', ch: 'ticker', seq: 8, d: { last: 2 } },
        { s: 'A', ch: 'ticker', seq: 6, d: { last: 3 } },
        { s: 'C', ch: 'ticker', seq: 1, d: { last: 3 } },
      ],
      10,
      'e1',
    );
    expect(broken).toEqual(['B|ticker']);
    expect(hist.record([{ s: 'A', ch: 'ticker', seq: 1, d: { last: 9 }, epoch: 'e2' }], 11)).toEqual(['A|ticker']);
    expect(hist.recover({ s: 'A', ch: 'ticker', epoch: 'e1', seq: 5 }, 12)).toEqual({ ok: true, item: { ch: 'ticker', s: 'A', seq: 6, prev: 5, d: { last: 2 } } });
    expect(hist.recover({ s: 'Z', ch: 'ticker', epoch: 'e1', seq: 5 }, 12)).toEqual({ ok: false });
  });
});
