import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { sleep } from '../helpers/wait.js';

let srv: Running;
const HIGH_WATER = 256 * 1024;
beforeAll(async () => {
  srv = await startNode({ FEED_RATE: '200', FEED_SYMBOLS: '80', SLOW_CONSUMER_BYTES: String(HIGH_WATER), SLOW_CONSUMER_GRACE_MS: '1000' });
});
afterAll(() => srv.close());

describe('slow consumers', () => {
  it('skips a client that stops reading, keeps its memory bounded, then cuts it off with slow_consumer and 1013', async () => {
    const healthy = await RawClient.open(srv.wsUrl);
    healthy.send({ type: 'subscribe', symbols: ['AAPL'], throttle: 100 });
    await healthy.next('snapshot');

    const slow = await RawClient.open(srv.wsUrl);
    const symbols = (await (await fetch(`${srv.url}/api/symbols`)).json()).map((s: { symbol: string }) => s.symbol);
    slow.send({ type: 'subscribe', symbols, channels: ['ticker', 'trades', 'candles:1s', 'candles:1m', 'candles:5m', 'candles:1h'] });
    await slow.snapshotItems(symbols.length * 6);
    const session = [...srv.node.hub.sessions].find((s) => s.subs.size === symbols.length * 6)!;
    expect(session).toBeDefined();
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    let maxBuffered = 0;
    const deadline = Date.now() + 20_000;
    while (srv.node.hub.sessions.has(session) && Date.now() < deadline) {
      maxBuffered = Math.max(maxBuffered, session.transport.bufferedAmount());
      await sleep(20);
    }
    expect(srv.node.hub.sessions.has(session)).toBe(false);
    expect(srv.node.hub.stats.slowConsumers).toBe(1);
    // pending bytes stop growing at the high-water mark (plus at most one frame)
    expect(maxBuffered).toBeGreaterThan(HIGH_WATER);
    expect(maxBuffered).toBeLessThan(HIGH_WATER + 512 * 1024);

    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slow.closed()).toBe(1013);
    expect(slow.of('error').at(-1)).toMatchObject({ code: 'slow_consumer' });

    // the well-behaved client never noticed
    const n = healthy.of('update').length;
    await healthy.next('update', () => healthy.of('update').length > n + 3);
    expect(healthy.closeCode).toBeUndefined();
    healthy.close();
  });
});
