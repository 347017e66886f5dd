/** The client's pure parts: stream state rules, backoff, URL derivation. */
import { describe, expect, it } from 'vitest';
import { backoffDelay, nextAttempt } from '../../shared/client/backoff.js';
import { controlEndpoint, sseEndpoint, wsEndpoint } from '../../shared/client/endpoints.js';
import { StreamStore } from '../../shared/client/stream-store.js';

const trade = (id: number) => ({ id, price: 100 + id, size: 1, side: 'buy', ts: 1000 + id });

describe('StreamStore', () => {
  it('replaces a state stream on snapshot and merges chained updates', () => {
    const st = new StreamStore();
    st.applySnapshot({ ch: 'ticker', s: 'A', seq: 5, d: { last: 1, bid: 0.9, ask: 1.1, ts: 10 } });
    const r = st.applyUpdate({ ch: 'ticker', s: 'A', seq: 7, prev: 5, d: { last: 2, ts: 12 } });
    expect(r).toEqual({ ok: true, seq: 7, state: { last: 2, bid: 0.9, ask: 1.1, ts: 12 } });
    expect(st.get('A', 'ticker')).toEqual({ seq: 7, state: { last: 2, bid: 0.9, ask: 1.1, ts: 12 } });
    st.applySnapshot({ ch: 'ticker', s: 'A', seq: 3, d: { last: 9 } });
    expect(st.get('A', 'ticker')).toEqual({ seq: 3, state: { last: 9 } });
  });

  it('ignores an update whose prev is not the seq held, and reports what it holds', () => {
    const st = new StreamStore();
    expect(st.applyUpdate({ ch: 'ticker', s: 'A', seq: 2, prev: 1, d: { last: 1 } })).toEqual({ ok: false, have: undefined });
    st.applySnapshot({ ch: 'ticker', s: 'A', seq: 5, d: { last: 1 } });
    expect(st.applyUpdate({ ch: 'ticker', s: 'A', seq: 8, prev: 6, d: { last: 2 } })).toEqual({ ok: false, have: 5 });
    expect(st.applyUpdate({ ch: 'ticker', s: 'A', seq: 5, prev: 4, d: { last: 3 } })).toEqual({ ok: false, have: 5 });
    expect(st.get('A', 'ticker')).toEqual({ seq: 5, state: { last: 1 } });
  });

  it('never mutates a state it handed out', () => {
    const st = new StreamStore();
    const first = st.applySnapshot({ ch: 'ticker', s: 'A', seq: 1, d: { last: 1 } }).state;
    st.applyUpdate({ ch: 'ticker', s: 'A', seq: 2, prev: 1, d: { last: 2 } });
    expect(first).toEqual({ last: 1 });
    expect(st.get('A', 'ticker')!.state).not.toBe(first);
  });

  it('appends trades in order and keeps the newest N', () => {
    const st = new StreamStore(3);
    st.applySnapshot({ ch: 'trades', s: 'A', seq: 2, d: [trade(1), trade(2)] });
    st.applyUpdate({ ch: 'trades', s: 'A', seq: 4, prev: 2, d: [trade(3), trade(4)] });
    expect(st.get('A', 'trades')).toEqual({ seq: 4, state: [trade(2), trade(3), trade(4)] });
    st.applySnapshot({ ch: 'trades', s: 'A', seq: 9, d: [5, 6, 7, 8, 9].map(trade) });
    expect((st.get('A', 'trades')!.state as { id: number }[]).map((t) => t.id)).toEqual([7, 8, 9]);
  });

  it('keeps streams apart by symbol and channel, and forgets deleted ones', () => {
    const st = new StreamStore();
    st.applySnapshot({ ch: 'ticker', s: 'A', seq: 1, d: { last: 1 } });
    st.applySnapshot({ ch: 'candles:1m', s: 'A', seq: 4, d: { time: 60, open: 1, high: 1, low: 1, close: 1, volume: 0 } });
    st.applySnapshot({ ch: 'ticker', s: 'B', seq: 9, d: { last: 2 } });
    expect(st.applyUpdate({ ch: 'candles:1m', s: 'A', seq: 5, prev: 4, d: { close: 2, high: 2 } })).toMatchObject({ ok: true, seq: 5 });
    expect(st.get('A', 'ticker')!.seq).toBe(1);
    expect(st.get('B', 'ticker')!.seq).toBe(9);
    st.delete('A', 'ticker');
    expect(st.get('A', 'ticker')).toBeUndefined();
    expect(st.size).toBe(2);
  });
});

describe('backoff', () => {
  it('draws from [0, min(max, base * 2^attempt)) with full jitter', () => {
    expect(backoffDelay(0, 100, 5000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 100, 5000, () => 0.5)).toBe(2500);
    expect(backoffDelay(500, 100, 5000, () => 0.5)).toBe(2500);
    expect(backoffDelay(4, 100, 5000, () => 0)).toBe(0);
  });

  it('moves to the next URL at once and backs off only after a whole round failed', () => {
    const b = (a: number) => 1000 * (a + 1);
    expect(nextAttempt(0, 3, b)).toEqual({ advance: false, delayMs: 1000 });
    expect(nextAttempt(1, 3, b)).toEqual({ advance: true, delayMs: 0 });
    expect(nextAttempt(2, 3, b)).toEqual({ advance: true, delayMs: 0 });
    expect(nextAttempt(3, 3, b)).toEqual({ advance: true, delayMs: 2000 });
    expect(nextAttempt(6, 3, b)).toEqual({ advance: true, delayMs: 3000 });
    expect(nextAttempt(2, 1, b)).toEqual({ advance: true, delayMs: 3000 });
  });
});

describe('endpoints', () => {
  it('derives /ws and /sse from a base URL, keeping a path prefix and the token', () => {
    expect(wsEndpoint('http://h:8080')).toBe('ws://h:8080/ws');
    expect(wsEndpoint('https://h/market/', 'k')).toBe('wss://h/market/ws?token=k');
    expect(wsEndpoint('ws://h:1/ws')).toBe('ws://h:1/ws');
    expect(sseEndpoint('http://h:8080', 't', { symbols: 'A,B' })).toBe('http://h:8080/sse?symbols=A%2CB&token=t');
    expect(sseEndpoint('wss://h/sse')).toBe('https://h/sse');
    expect(controlEndpoint('http://h:8080/sse?x=1', '/sse/abc', 'k')).toBe('http://h:8080/sse/abc?token=k');
  });
});
