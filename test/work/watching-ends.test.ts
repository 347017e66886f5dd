/**
 * Watching ends on a real server: a REST read leaves its symbols quiet when it answers; a symbol
 * nobody holds goes quiet once its records are pruned and its last snapshot is old (the sweep's
 * rule, driven here with a moved clock), and a later subscribe to it chains as a first one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_AFTER_MS } from '../../server/node/all.js';
import { ChainChecker } from '../helpers/chain.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';

let srv: Running;
beforeAll(async () => {
  srv = await startNode({ FEED_SYMBOLS: '60', FEED_RATE: '40' });
});
afterAll(() => srv?.close());

describe('watching ends', () => {
  it('a REST read does not leave its symbols loud', async () => {
    const [a, b] = srv.node.feed.instruments.slice(40, 42).map((i) => i.symbol) as [string, string];
    const r = await fetch(`${srv.url}/api/snapshot?symbols=${a},${b}&channels=ticker,book,candles:1m`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { items: unknown[] }).items.length).toBe(6);
    expect(srv.node.market.watched(a)).toBe(false);
    expect(srv.node.market.watched(b)).toBe(false);
    const c = await fetch(`${srv.url}/api/candles?symbol=${a}&interval=1h&limit=720`);
    expect(c.status).toBe(200);
    expect(srv.node.market.watched(a)).toBe(false);
  });

  it('a symbol nobody holds goes quiet; subscribing again starts it afresh with an intact chain', async () => {
    const { hub, source, market } = srv.node;
    const s = srv.node.feed.instruments[45]!.symbol;
    const c = await RawClient.open(srv.wsUrl);
    c.send({ type: 'subscribe', id: 1, symbols: [s], channels: ['ticker', 'book'] });
    await c.next('snapshot');
    expect(market.watched(s)).toBe(true);
    const inUse = (x: string) => hub.streams.inUse(x);
    // Held: the sweep leaves it loud whatever the time.
    expect(source.quietIdle(Date.now() + 10 * QUIET_AFTER_MS, QUIET_AFTER_MS, inUse)).toBe(0);
    c.send({ type: 'unsubscribe', id: 2, symbols: [s] });
    await c.next('unsubscribed');
    // Its records linger, then go; its last snapshot must be old enough too.
    expect(source.quietIdle(Date.now() + 2 * QUIET_AFTER_MS, QUIET_AFTER_MS, inUse)).toBe(0);
    hub.streams.prune(Date.now() + 60_000);
    expect(source.quietIdle(Date.now(), QUIET_AFTER_MS, inUse)).toBe(0);
    expect(source.quietIdle(Date.now() + QUIET_AFTER_MS, QUIET_AFTER_MS, inUse)).toBe(1);
    expect(market.watched(s)).toBe(false);
    expect(source.history.get(s, 'ticker')).toBeUndefined();

    const chain = new ChainChecker();
    const from = c.messages.length;
    c.send({ type: 'subscribe', id: 3, symbols: [s], channels: ['ticker', 'book'] });
    await c.next('subscribed', (m) => m.id === 3);
    await new Promise<void>((resolve) => {
      const check = () => {
        for (const m of c.messages.splice(from)) chain.apply(m);
        if (chain.updates >= 5) (c.ws.off('message', check), resolve());
      };
      c.ws.on('message', check);
    });
    expect(chain.breaks).toEqual([]);
    expect(market.watched(s)).toBe(true);
    c.close();
  }, 30_000);
});
