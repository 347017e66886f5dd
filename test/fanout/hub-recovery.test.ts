/**
 * Recovery through the hub without sockets: a throttled subscription recovers like any other
 * (the throttle applies from the next item on), and a gateway's history extended backwards
 * from Redis (prepend) answers older positions exactly.
 */
import { describe, expect, it } from 'vitest';
import type { Channel, Trade } from '../../shared/protocol.js';
import { History } from '../../server/history/history.js';
import { StreamHistory } from '../../server/history/stream-history.js';
import type { StreamEvent } from '../../server/market/stream-event.js';
import { testHub } from '../helpers/hub.js';

const trade = (id: number): Trade => ({ id, price: 100 + id, size: 1, side: 'buy', ts: id });

function setup() {
  const start = 1_000_000;
  const history = new History({ ms: 60_000, trades: 100 });
  const state = { ticker: { seq: 0, d: { last: 1, bid: 1, ts: 0 } as Record<string, number> }, trades: { seq: 0, d: [] as Trade[] } };
  const snap = (s: string, ch: Channel) => (s === 'A' && (ch === 'ticker' || ch === 'trades') ? { s, ch, seq: state[ch].seq, epoch: 'e1', d: structuredClone(state[ch].d) } : undefined);
  for (const ch of ['ticker', 'trades'] as const) history.reset(snap('A', ch)!, 'e1', start);
  const { hub, client, advance, now } = testHub(
    {
      source: { isSymbol: (s) => s === 'A', snapshot: snap, recover: (p, t) => history.recover(p, t) },
      limits: { symbols: 10, throttle: { min: 0, max: 60000 }, rate: 1e6, payload: 65536 },
    },
    start,
  );
  const publish = (n: number) => {
    const out: StreamEvent[] = [];
    for (let i = 0; i < n; i++) {
      state.ticker.seq++;
      Object.assign(state.ticker.d, { bid: state.ticker.seq, ts: state.ticker.seq });
      out.push({ s: 'A', ch: 'ticker', seq: state.ticker.seq, d: { bid: state.ticker.seq, ts: state.ticker.seq } });
      state.trades.seq++;
      state.trades.d.push(trade(state.trades.seq));
      out.push({ s: 'A', ch: 'trades', seq: state.trades.seq, d: trade(state.trades.seq) });
    }
    history.record(out, now(), 'e1');
    hub.publish(out);
  };
  const { got, session } = client();
  return { hub, publish, got, session, advance };
}

describe('recovery through the hub', () => {
  it('recovers a throttled subscription at once, then applies the throttle from the next item on', async () => {
    const x = setup();
    // Another session keeps the records alive while the client is away.
    x.publish(5);
    x.advance(100);
    x.publish(5);
    const since = [
      { s: 'A', ch: 'ticker', epoch: 'e1', seq: 5 },
      { s: 'A', ch: 'trades', epoch: 'e1', seq: 5 },
    ];
    await x.hub.receive(x.session, { ok: true, value: { type: 'subscribe', symbols: ['A'], channels: ['ticker', 'trades'], throttle: 500, since } });
    expect(x.got.map((m) => m.type)).toEqual(['subscribed', 'update']);
    expect(x.got[0]).toMatchObject({ throttle: 500, recovered: [{ s: 'A', ch: 'ticker' }, { s: 'A', ch: 'trades' }], unrecovered: [] });
    expect((x.got[1] as { items: unknown[] }).items).toEqual([
      { ch: 'ticker', s: 'A', seq: 10, prev: 5, d: { bid: 10, ts: 10 } },
      { ch: 'trades', s: 'A', seq: 10, prev: 5, d: [6, 7, 8, 9, 10].map(trade) },
    ]);
    x.publish(3);
    x.hub.tick(x.advance(200));
    expect(x.got).toHaveLength(2);
    x.hub.tick(x.advance(400));
    expect(x.got).toHaveLength(3);
    expect((x.got[2] as { items: unknown[] }).items).toEqual([
      { ch: 'ticker', s: 'A', seq: 13, prev: 10, d: { bid: 13, ts: 13 } },
      { ch: 'trades', s: 'A', seq: 13, prev: 10, d: [11, 12, 13].map(trade) },
    ]);
  });
});

describe('a history extended backwards (a gateway reading the feed history)', () => {
  it('answers positions within the run it was given, and none before a break', () => {
    const h = new StreamHistory('A', 'ticker', { ms: 10_000, trades: 100 });
    // Mirrored at seq 20 (time 2000), then events 21..22 from the bus.
    h.reset('e1', 20, { last: 1, bid: 20, ask: 9, ts: 20 }, 2000);
    h.apply(21, { bid: 21, ts: 21 }, 2100);
    h.apply(22, { last: 2, ts: 22 }, 2200);
    expect(h.recover('e1', 15, 2300)).toEqual({ ok: false });
    // Redis held 12, 14..20 (13 is missing: a break), 21 (already held).
    const ev = (seq: number, d: Record<string, number>) => ({ seq, d, at: seq * 100 });
    h.prepend([ev(12, { ask: 1 }), ev(14, { ask: 14 }), ev(15, { bid: 15 }), ev(16, { ask: 9, ts: 16 }), ev(17, { ts: 17 }), ev(18, { ts: 18 }), ev(19, { ts: 19 }), ev(20, { bid: 20, ts: 20 }), ev(21, { bid: 21 })], 2300);
    expect(h.recover('e1', 13, 2300)).toEqual({ ok: false });
    const d = (seq: number) => {
      const r = h.recover('e1', seq, 2300);
      return r.ok ? { ...r.item!, d: { ...(r.item!.d as object) } } : r;
    };
    expect(d(14)).toEqual({ ch: 'ticker', s: 'A', seq: 22, prev: 14, d: { ask: 9, bid: 21, ts: 22, last: 2 } });
    expect(d(16)).toEqual({ ch: 'ticker', s: 'A', seq: 22, prev: 16, d: { bid: 21, ts: 22, last: 2 } });
    expect(d(20)).toEqual({ ch: 'ticker', s: 'A', seq: 22, prev: 20, d: { bid: 21, ts: 22, last: 2 } });
  });

  it('extends trades backwards too', () => {
    const h = new StreamHistory('A', 'trades', { ms: 10_000, trades: 100 });
    h.reset('e1', 5, [], 500);
    h.apply(6, trade(6), 600);
    h.prepend([2, 3, 4, 5].map((i) => ({ seq: i, d: trade(i), at: i * 100 })), 700);
    expect(h.recover('e1', 2, 700)).toEqual({ ok: true, item: { ch: 'trades', s: 'A', seq: 6, prev: 2, d: [3, 4, 5, 6].map(trade) } });
    expect(h.recover('e1', 1, 700)).toEqual({ ok: false });
  });
});
