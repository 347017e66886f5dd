/** The client's pure v1.1 parts: epochs and books in the store, `since` on resubscribe, what `subscribed` says, refused streams. */
import { describe, expect, it } from 'vitest';
import type { BookState } from '../../shared/book.js';
import type { Channel, ErrorMsg, SubscribedMsg } from '../../shared/protocol.js';
import { recoveryReport, resubscribeMessages, sentPositions, STREAMS_PER_SUBSCRIBE } from '../../shared/client/recovery.js';
import { dropRefused } from '../../shared/client/refusals.js';
import { StreamStore } from '../../shared/client/stream-store.js';

const trade = (id: number) => ({ id, price: 100, size: 1, side: 'buy', ts: id });

describe('StreamStore with epochs', () => {
  it('keeps the epoch of the last snapshot through chained updates, and reports positions', () => {
    const st = new StreamStore();
    st.applySnapshot({ ch: 'trades', s: 'A', seq: 10, epoch: 'e1', d: [trade(10)] });
    st.applyUpdate({ ch: 'trades', s: 'A', seq: 12, prev: 10, d: [trade(11), trade(12)] });
    st.applySnapshot({ ch: 'ticker', s: 'A', seq: 3, d: { last: 1 } }); // a v1.0 snapshot: no epoch, no position
    expect(st.get('A', 'trades')).toMatchObject({ seq: 12, epoch: 'e1' });
    const want = [{ s: 'A', ch: 'trades', epoch: 'e1', seq: 12 }];
    expect(st.positions([{ symbol: 'A', channel: 'trades' }, { symbol: 'A', channel: 'ticker' }, { symbol: 'B', channel: 'ticker' }])).toEqual(want);
  });

  it('replaces the state on a snapshot of a new epoch even when its seq is lower, and chains from it', () => {
    const st = new StreamStore();
    st.applySnapshot({ ch: 'trades', s: 'A', seq: 90_000, epoch: 'old', d: [trade(90_000)] });
    st.applySnapshot({ ch: 'trades', s: 'A', seq: 12, epoch: 'new', d: [trade(12)] });
    expect(st.applyUpdate({ ch: 'trades', s: 'A', seq: 13, prev: 12, d: [trade(13)] })).toMatchObject({ ok: true, seq: 13 });
    expect(st.get('A', 'trades')).toMatchObject({ seq: 13, epoch: 'new', state: [trade(12), trade(13)] });
  });

  it('keeps books sorted and bounded to the depth, applying level pairs', () => {
    const st = new StreamStore();
    st.bookDepth = 2;
    st.applySnapshot({ ch: 'book', s: 'A', seq: 1, epoch: 'e', d: { bids: [[9, 1], [10, 1], [8, 1]], asks: [[11, 1]], checksum: 5, ts: 1 } });
    expect((st.get('A', 'book')!.state as BookState).bids).toEqual([[10, 1], [9, 1]]);
    const r = st.applyUpdate({ ch: 'book', s: 'A', seq: 2, prev: 1, d: { bids: [[10, 0], [8, 2]], asks: [[10.5, 3]], checksum: 6, ts: 2 } });
    expect(r).toEqual({ ok: true, seq: 2, state: { bids: [[9, 1], [8, 2]], asks: [[10.5, 3], [11, 1]], checksum: 6, ts: 2 } });
  });

  it('refuses updates on a broken stream until a snapshot, and gives it no position', () => {
    const st = new StreamStore();
    st.applySnapshot({ ch: 'book', s: 'A', seq: 1, epoch: 'e', d: { bids: [], asks: [], checksum: 0, ts: 0 } });
    st.markBroken('A', 'book');
    expect(st.applyUpdate({ ch: 'book', s: 'A', seq: 2, prev: 1, d: { checksum: 0, ts: 1 } })).toEqual({ ok: false, have: 1 });
    expect(st.positions([{ symbol: 'A', channel: 'book' }])).toEqual([]);
    st.applySnapshot({ ch: 'book', s: 'A', seq: 5, epoch: 'e', d: { bids: [], asks: [], checksum: 0, ts: 0 } });
    expect(st.applyUpdate({ ch: 'book', s: 'A', seq: 6, prev: 5, d: { checksum: 0, ts: 1 } })).toMatchObject({ ok: true });
  });
});

describe('resubscribeMessages', () => {
  const subs = new Map<string, Map<Channel, number>>([
    ['A', new Map<Channel, number>([['ticker', 0], ['trades', 0], ['book', 100]])],
    ['B', new Map<Channel, number>([['ticker', 0], ['trades', 0]])],
  ]);

  it('groups streams by throttle and channels, with each message carrying the positions of its own streams', () => {
    const st = new StreamStore();
    st.applySnapshot({ ch: 'trades', s: 'A', seq: 7, epoch: 'e', d: [] });
    st.applySnapshot({ ch: 'book', s: 'A', seq: 3, epoch: 'e', d: {} });
    st.applySnapshot({ ch: 'ticker', s: 'B', seq: 4, epoch: 'f', d: {} });
    const msgs = resubscribeMessages(subs, (streams) => st.positions(streams));
    expect(msgs).toEqual([
      { type: 'subscribe', symbols: ['A', 'B'], channels: ['ticker', 'trades'], throttle: 0, since: [{ s: 'A', ch: 'trades', epoch: 'e', seq: 7 }, { s: 'B', ch: 'ticker', epoch: 'f', seq: 4 }] },
      { type: 'subscribe', symbols: ['A'], channels: ['book'], throttle: 100, since: [{ s: 'A', ch: 'book', epoch: 'e', seq: 3 }] },
    ]);
    expect([...sentPositions(msgs)]).toEqual([['A|trades', 7], ['B|ticker', 4], ['A|book', 3]]);
  });

  it('sends no since to a server without recovery, and chunks many streams', () => {
    expect(resubscribeMessages(subs).every((m) => m.since === undefined)).toBe(true);
    const many = new Map(Array.from({ length: 1000 }, (_, i) => [`S${i}`, new Map<Channel, number>([['ticker', 0], ['trades', 0]])]));
    const msgs = resubscribeMessages(many, (streams) => streams.map(({ symbol, channel }) => ({ s: symbol, ch: channel, epoch: 'e', seq: 1 })));
    expect(msgs.flatMap((m) => m.symbols)).toHaveLength(1000);
    for (const m of msgs) {
      expect(m.symbols.length * m.channels.length).toBeLessThanOrEqual(STREAMS_PER_SUBSCRIBE);
      expect(m.since).toHaveLength(m.symbols.length * 2);
    }
  });
});

describe('recoveryReport', () => {
  it('lists recovered streams and turns unrecovered ones into gaps carrying the seq sent', () => {
    const m: SubscribedMsg = {
      type: 'subscribed', symbols: ['A'], channels: ['ticker', 'trades'], throttle: 0, t: 1,
      recovered: [{ s: 'A', ch: 'trades' }], unrecovered: [{ s: 'A', ch: 'ticker' }, { s: 'A', ch: 'book' }],
    };
    expect(recoveryReport(m, new Map([['A|ticker', 40]]))).toEqual({
      recovered: [{ symbol: 'A', channel: 'trades' }],
      unrecovered: [
        { symbol: 'A', channel: 'ticker', have: 40, prev: -1, reason: 'unrecovered' },
        { symbol: 'A', channel: 'book', have: -1, prev: -1, reason: 'unrecovered' },
      ],
    });
    expect(recoveryReport({ ...m, recovered: 'x' as never, unrecovered: [null, { s: 1 }] as never }, new Map())).toEqual({ recovered: [], unrecovered: [] });
  });
});

describe('dropRefused', () => {
  const fresh = () => new Map<string, Map<Channel, number>>([
    ['AAPL', new Map<Channel, number>([['ticker', 0], ['book', 0]])],
    ['BTC-USD', new Map<Channel, number>([['ticker', 0], ['book', 0]])],
  ]);
  const err = (code: ErrorMsg['code'], symbols?: string[], channels?: string[]): ErrorMsg => ({ type: 'error', code, message: '', t: 0, ...(symbols ? { symbols } : {}), ...(channels ? { channels } : {}) });

  it('drops what forbidden names: symbols, channels, or those channels of those symbols', () => {
    let subs = fresh();
    expect(dropRefused(subs, err('forbidden', ['AAPL']))).toEqual([{ symbol: 'AAPL', channel: 'ticker' }, { symbol: 'AAPL', channel: 'book' }]);
    expect([...subs.keys()]).toEqual(['BTC-USD']);
    subs = fresh();
    dropRefused(subs, err('forbidden', undefined, ['book']));
    expect([...subs].map(([s, chs]) => `${s}:${[...chs.keys()]}`)).toEqual(['AAPL:ticker', 'BTC-USD:ticker']);
    subs = fresh();
    dropRefused(subs, err('forbidden', ['AAPL'], ['book']));
    expect([...subs].map(([s, chs]) => `${s}:${[...chs.keys()]}`)).toEqual(['AAPL:ticker', 'BTC-USD:ticker,book']);
  });

  it('drops unknown symbols and channels, and nothing for other errors', () => {
    const subs = fresh();
    expect(dropRefused(subs, err('rate_limited', ['AAPL']))).toEqual([]);
    expect(dropRefused(subs, err('forbidden'))).toEqual([]);
    dropRefused(subs, err('unknown_symbol', ['AAPL']));
    dropRefused(subs, err('unknown_channel', undefined, ['book']));
    expect([...subs].map(([s, chs]) => `${s}:${[...chs.keys()]}`)).toEqual(['BTC-USD:ticker']);
  });
});
