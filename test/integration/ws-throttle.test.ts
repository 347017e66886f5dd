import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpdateMsg } from '../../shared/protocol.js';
import { ChainChecker } from '../helpers/chain.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

let srv: Running;
beforeAll(async () => {
  srv = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '20' });
});
afterAll(() => srv.close());

const symbols = ['AAPL', 'MSFT', 'BTC-USD', 'EURUSD'];

describe('throttle, unsubscribe, ping', () => {
  it('throttle 500 gives at most one item per stream per 500 ms, conflated, with the chain intact', async () => {
    const c = await RawClient.open(srv.wsUrl);
    const chain = new ChainChecker();
    c.ws.on('message', () => chain.apply(c.messages.at(-1)!));
    // A throttle between served steps is rounded up to the next one (throttle-steps.ts).
    c.send({ type: 'subscribe', symbols, channels: ['ticker', 'trades'], throttle: 180 });
    expect((await c.next('subscribed')).throttle).toBe(200);
    c.send({ type: 'subscribe', symbols, channels: ['ticker', 'trades'], throttle: 500 });
    expect((await c.next('subscribed', (m) => m.throttle === 500)).throttle).toBe(500);
    const start = c.messages.length;
    const updates = () => c.messages.slice(start).filter((m): m is UpdateMsg => m.type === 'update');
    // Stream -> the server times (t) of the frames that carried an item of it.
    const flushTimes = () => {
      const times = new Map<string, number[]>();
      for (const u of updates()) for (const it of u.items) times.set(`${it.s}|${it.ch}`, [...(times.get(`${it.s}|${it.ch}`) ?? []), u.t]);
      return times;
    };
    // Waits for the flushes themselves, not for a time window: five per stream.
    const times = await until('five flushes of every stream', () => {
      const t = flushTimes();
      return t.size === symbols.length * 2 && [...t.values()].every((ts) => ts.length >= 5) ? t : undefined;
    }, 15_000);
    const conflated = updates().flatMap((u) => u.items).filter((it) => it.seq - it.prev > 1).length;
    expect(times.size).toBe(symbols.length * 2);
    for (const [k, ts] of times) {
      // The cadence on the server's clock: a class never flushes twice within its throttle; the
      // slack is the time between the flush and its timestamp, which a loaded machine stretches.
      for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1], k).toBeGreaterThanOrEqual(500 - 50);
    }
    // at 50 events/s per symbol, a 500 ms item stands for many events
    expect(conflated).toBeGreaterThan(symbols.length * 3);
    expect(chain.breaks).toEqual([]);
    // every stream of the same throttle flushes together: one frame carries them all
    expect(Math.max(...updates().map((u) => u.items.length))).toBe(symbols.length * 2);
    c.close();
  });

  it('unsubscribe stops the flow for those streams only', async () => {
    const c = await RawClient.open(srv.wsUrl);
    c.send({ type: 'subscribe', symbols: ['AAPL', 'MSFT'], channels: ['ticker', 'trades'] });
    await c.next('snapshot');
    c.send({ type: 'unsubscribe', id: 3, symbols: ['AAPL'] });
    const un = await c.next('unsubscribed');
    expect(un).toMatchObject({ id: 3, symbols: ['AAPL'] });
    expect([...un.channels].sort()).toEqual(['ticker', 'trades']);
    // What arrives after an `unsubscribed` reply, once `n` update frames have come.
    const itemsAfter = async (n: number) => {
      const from = c.messages.length;
      const frames = await until(`${n} update frames`, () => {
        const u = c.messages.slice(from).filter((m): m is UpdateMsg => m.type === 'update');
        return u.length >= n ? u : undefined;
      });
      return frames.flatMap((m) => m.items);
    };
    const items = await itemsAfter(5);
    expect(items.some((i) => i.s === 'MSFT')).toBe(true);
    expect(items.filter((i) => i.s === 'AAPL')).toEqual([]);
    c.send({ type: 'unsubscribe', symbols: ['MSFT'], channels: ['trades'] });
    await c.next('unsubscribed', (m) => m.symbols[0] === 'MSFT');
    const items2 = await itemsAfter(5);
    expect(items2.length).toBeGreaterThan(0);
    expect(items2.every((i) => i.s === 'MSFT' && i.ch === 'ticker')).toBe(true);
    expect(srv.node.hub.sessions.size).toBeGreaterThan(0);
    c.close();
  });

  it('answers ping with pong carrying id and echo', async () => {
    const c = await RawClient.open(srv.wsUrl);
    c.send({ type: 'ping', id: 42, t: 12345.5 });
    const pong = await c.next('pong');
    expect(pong).toMatchObject({ type: 'pong', id: 42, echo: 12345.5 });
    expect(Math.abs(pong.t - Date.now())).toBeLessThan(5000);
    c.send({ type: 'ping' });
    expect(await c.next('pong', (m) => m.id === undefined)).not.toHaveProperty('echo');
    c.close();
  });

  it('sends heartbeats when nothing else is sent', async () => {
    const quiet = await startNode({ HEARTBEAT_MS: '200', FEED_SYMBOLS: '5' });
    const c = await RawClient.open(quiet.wsUrl);
    expect(c.of('hello')[0].heartbeat).toBe(200);
    const hb = await c.next('heartbeat', () => true, 2000);
    expect(hb.t).toBeGreaterThan(0);
    c.close();
    await quiet.close();
  });
});
