import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, type Ticker } from '../../shared/protocol.js';
import { ChainChecker } from '../helpers/chain.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

let srv: Running;
beforeAll(async () => {
  srv = await startNode({ FEED_RATE: '20', FEED_SYMBOLS: '60' });
});
afterAll(() => srv.close());

describe('WebSocket streaming', () => {
  it('answers hello, then subscribed and snapshots, then chained updates; applying them reproduces the server state', async () => {
    const a = await RawClient.open(srv.wsUrl);
    const b = await RawClient.open(srv.wsUrl);
    const hello = a.of('hello')[0];
    expect(hello).toMatchObject({ v: 1, minor: 2, history: { ms: 120000, trades: 1000 }, heartbeat: expect.any(Number), limits: { symbols: expect.any(Number), rate: expect.any(Number), payload: expect.any(Number) } });
    expect(hello.channels).toEqual([...CHANNELS]);
    expect(hello.channels.slice(0, 6)).toEqual(['ticker', 'trades', 'candles:1s', 'candles:1m', 'candles:5m', 'candles:1h']);
    const symbols = (await (await fetch(`${srv.url}/api/symbols`)).json()).map((s: { symbol: string }) => s.symbol).slice(0, 40);
    const channels = ['ticker', 'trades', 'candles:1s', 'candles:1m'];
    const sub = { type: 'subscribe', id: 7, symbols, channels, throttle: 0 };
    const ca = new ChainChecker();
    const cb = new ChainChecker();
    a.ws.on('message', () => ca.apply(a.messages.at(-1)!));
    b.ws.on('message', () => cb.apply(b.messages.at(-1)!));
    a.send(sub);
    b.send(sub);
    const subscribed = await a.next('subscribed');
    expect(subscribed).toMatchObject({ id: 7, symbols, channels, throttle: 0 });
    const streams = symbols.length * channels.length;
    expect(await a.snapshotItems(streams)).toHaveLength(streams);
    expect(a.messages.indexOf(subscribed)).toBeLessThan(a.messages.indexOf(a.of('snapshot')[0]));
    await b.snapshotItems(streams);
    await until('20 updates a symbol on both clients', () => Math.min(ca.updates, cb.updates) > symbols.length * 20, 20_000);
    srv.node.feed.stop();
    // The final state: both clients have it once their seqs reach the server's (REST, so that no
    // snapshot message lands in the checkers before their built state is compared).
    const q = `symbols=${symbols.join(',')}&channels=${channels.join(',')}`;
    const final = (await (await fetch(`${srv.url}/api/snapshot?${q}`)).json()) as { items: { s: string; ch: string; seq: number }[] };
    expect(final.items.length).toBe(symbols.length * channels.length);
    const caughtUp = (cc: ChainChecker) => final.items.every((it) => cc.state.get(`${it.s}|${it.ch}`)?.seq === it.seq);
    await until('both clients at the final seqs', () => caughtUp(ca) && caughtUp(cb));
    const built = structuredClone(ca.state);
    expect(ca.breaks).toEqual([]);
    expect(cb.breaks).toEqual([]);
    expect(ca.updates).toBeGreaterThan(symbols.length * 20);
    // every stream moved, and both clients agree on seq and values
    for (const [key, st] of ca.state) {
      expect(cb.state.get(key), key).toEqual(st);
    }
    // a fresh snapshot from the server equals what the updates built
    const from = a.messages.length;
    a.send({ type: 'snapshot', id: 8, symbols, channels });
    for (const it of await a.snapshotItems(streams, from)) {
      const mine = built.get(`${it.s}|${it.ch}`)!;
      expect(mine.seq, `${it.s}|${it.ch}`).toBe(it.seq);
      if (it.ch === 'trades') expect((mine.d as unknown[]).slice(-10)).toEqual((it.d as unknown[]).slice(-10));
      else expect(mine.d, `${it.s}|${it.ch}`).toEqual(it.d);
    }
    const t = ca.state.get(`${symbols[0]}|ticker`)!.d as Ticker;
    expect(t.bid).toBeLessThan(t.ask);
    a.close();
    b.close();
  });
});
