import { describe, expect, it } from 'vitest';
import type { Channel } from '../../shared/protocol.js';
import { diffSubscriptions, SubscriptionSync, wantedFor } from '../../web/src/lib/subscriptions.js';

describe('wantedFor', () => {
  it('asks ticker for every watched symbol, plus trades and candles for the focused one', () => {
    const w = wantedFor(['A', 'B'], { symbol: 'B', interval: '5m' });
    expect([...w.get('A')!]).toEqual(['ticker']);
    expect([...w.get('B')!].sort()).toEqual(['candles:5m', 'ticker', 'trades']);
  });

  it('adds the focused symbol\'s book only when asked (the server has books)', () => {
    expect([...wantedFor(['A'], { symbol: 'A', interval: '1m', book: true }).get('A')!].sort()).toEqual(['book', 'candles:1m', 'ticker', 'trades']);
    expect(wantedFor(['A'], { symbol: 'A', interval: '1m', book: false }).get('A')!.has('book' as Channel)).toBe(false);
  });

  it('streams a focused symbol that is not in the watchlist', () => {
    expect([...wantedFor([], { symbol: 'C', interval: '1m' }).keys()]).toEqual(['C']);
  });
});

describe('diffSubscriptions', () => {
  it('subscribes what is new and unsubscribes what is gone, channel by channel', () => {
    const have = wantedFor(['A', 'B'], { symbol: 'A', interval: '1m' });
    const want = wantedFor(['B', 'C'], { symbol: 'B', interval: '1m' });
    const ops = diffSubscriptions(have, want);
    expect(ops).toEqual(expect.arrayContaining([
      { op: 'unsubscribe', symbols: ['A'], channels: ['ticker'] },
      { op: 'unsubscribe', symbols: ['A'], channels: ['trades'] },
      { op: 'unsubscribe', symbols: ['A'], channels: ['candles:1m'] },
      { op: 'subscribe', symbols: ['C'], channels: ['ticker'] },
      { op: 'subscribe', symbols: ['B'], channels: ['trades'] },
      { op: 'subscribe', symbols: ['B'], channels: ['candles:1m'] },
    ]));
    expect(ops).toHaveLength(6);
    expect(ops.findIndex((o) => o.op === 'subscribe')).toBeGreaterThan(ops.findLastIndex((o) => o.op === 'unsubscribe'));
  });

  it('switches only the candle channel when the interval changes', () => {
    const ops = diffSubscriptions(wantedFor(['A'], { symbol: 'A', interval: '1m' }), wantedFor(['A'], { symbol: 'A', interval: '1h' }));
    expect(ops).toEqual([
      { op: 'unsubscribe', symbols: ['A'], channels: ['candles:1m'] },
      { op: 'subscribe', symbols: ['A'], channels: ['candles:1h'] },
    ]);
  });

  it('does nothing when nothing changed, and resubscribes everything for a new throttle', () => {
    const w = wantedFor(['A', 'B'], { symbol: 'A', interval: '1m' });
    expect(diffSubscriptions(w, w)).toEqual([]);
    const ops = diffSubscriptions(w, w, true);
    expect(ops.every((o) => o.op === 'subscribe')).toBe(true);
    expect(ops.find((o) => o.channels[0] === 'ticker')!.symbols).toEqual(['A', 'B']);
  });
});

describe('SubscriptionSync', () => {
  it('drives a client with the throttle on every subscribe', () => {
    const calls: unknown[] = [];
    const client = {
      subscribe: (symbols: string[], o?: { channels?: Channel[]; throttle?: number }) => calls.push(['sub', symbols, o]),
      unsubscribe: (symbols: string[], channels?: Channel[]) => calls.push(['unsub', symbols, channels]),
    };
    const sync = new SubscriptionSync(client);
    sync.sync(wantedFor(['A'], undefined), 0);
    sync.sync(wantedFor(['A'], undefined), 0);
    sync.sync(wantedFor(['A', 'B'], undefined), 250);
    sync.sync(wantedFor(['B'], undefined), 250);
    expect(calls).toEqual([
      ['sub', ['A'], { channels: ['ticker'], throttle: 0 }],
      ['sub', ['A', 'B'], { channels: ['ticker'], throttle: 250 }],
      ['unsub', ['A'], ['ticker']],
    ]);
  });
});
