/**
 * A running server flooded with thousands of random frames from several connections, while a
 * well-behaved client checks its `prev` chain: no gap, and the server stays healthy.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/codec.js';
import type { ServerMessage } from '../../shared/protocol.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

/** Deterministic garbage: raw bytes, arbitrary MessagePack values, near-valid messages. */
function garbage(n: number, seed: number): Uint8Array[] {
  const anyValue = fc.anything({ maxDepth: 3, withMap: true, withBigInt: true }).map((v) => {
    try {
      return encode(v);
    } catch {
      return Uint8Array.of(0xc1);
    }
  });
  const nearValid = fc
    .record({
      type: fc.constantFrom('subscribe', 'unsubscribe', 'snapshot', 'ping', 'subscribe ', 'PING'),
      symbols: fc.oneof(fc.array(fc.string({ maxLength: 40 }), { maxLength: 50 }), fc.integer()),
      channels: fc.oneof(fc.array(fc.constantFrom('ticker', 'trades', 'candles:7m', ''), { maxLength: 3 }), fc.constant({})),
      throttle: fc.oneof(fc.double(), fc.constant(-1)),
    })
    .map((m) => encode(m));
  return fc.sample(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 200 }), anyValue, nearValid), { numRuns: n, seed });
}

/** Checks every update against the seq the client holds for its stream; returns items checked. */
function chainedItems(messages: ServerMessage[]): number {
  const held = new Map<string, number>();
  let checked = 0;
  for (const m of messages) {
    if (m.type === 'snapshot') for (const it of m.items) held.set(`${it.s}|${it.ch}`, it.seq);
    if (m.type !== 'update') continue;
    for (const it of m.items) {
      expect(held.get(`${it.s}|${it.ch}`), `gap in ${it.s}|${it.ch}`).toBe(it.prev);
      held.set(`${it.s}|${it.ch}`, it.seq);
      checked++;
    }
  }
  return checked;
}

const SUBSCRIBE = { type: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT', 'BTC-USD'], channels: ['ticker', 'trades', 'candles:1s'] };

describe('a flood at the default rate limit', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '12', FEED_RATE: '40', LIMIT_PAYLOAD: '4096', LIMIT_NEW_CONNECTIONS: '0' })));
  afterAll(() => n.close());

  it('closes the flooders (1008, 1009, 1003) while a good client loses nothing', async () => {
    const good = await RawClient.open(n.wsUrl);
    good.send(SUBSCRIBE);
    await good.next('subscribed');

    const flooders = await Promise.all(Array.from({ length: 6 }, () => RawClient.open(n.wsUrl)));
    flooders.forEach((c, i) => {
      for (const frame of garbage(1500, i)) if (c.ws.readyState === c.ws.OPEN) c.ws.send(frame);
    });
    flooders[4].ws.send(Buffer.alloc(5000, 0x90)); // over limits.payload
    flooders[5].ws.send('text is not accepted');
    const codes = await Promise.all(flooders.map((c) => c.closed()));
    expect(codes.slice(0, 4)).toEqual([1008, 1008, 1008, 1008]);
    expect([1008, 1009]).toContain(codes[4]);
    expect([1008, 1003]).toContain(codes[5]);
    for (const c of flooders.slice(0, 4)) expect(c.of('error').some((e) => e.code === 'rate_limited')).toBe(true);
    console.info(`flood at the rate limit: close codes ${codes}; frames answered before the close ${flooders.map((c) => c.messages.length - 1)}`);

    const updates = good.of('update').length;
    await until('the good client\'s stream going on after the flood', () => good.of('update').length > updates + 5);
    good.send({ type: 'ping', id: 2 });
    expect((await good.next('pong', (p) => p.id === 2)).id).toBe(2);
    expect(chainedItems(good.messages)).toBeGreaterThan(20);
    expect(n.node.hub.sessions.size).toBe(1);
    expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
    good.close();
  });
});

describe('a flood the rate limit lets through', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '12', FEED_RATE: '40', LIMIT_RATE: '100000', LIMIT_NEW_CONNECTIONS: '0' })));
  afterAll(() => n.close());

  it('answers every garbage frame, keeps every flooder open, and the good client chained', async () => {
    const good = await RawClient.open(n.wsUrl);
    good.send(SUBSCRIBE);
    await good.next('subscribed');
    const flooders = await Promise.all(Array.from({ length: 4 }, () => RawClient.open(n.wsUrl)));
    const sent = flooders.map((c, i) => {
      const frames = garbage(2000, 100 + i);
      for (const f of frames) c.ws.send(f);
      // Frames that cannot be a message get exactly one bad_request each.
      return frames.filter((f) => !decode(f).ok).length;
    });
    for (const [i, c] of flooders.entries()) {
      c.send({ type: 'ping', id: 424242 });
      await c.next('pong', (p) => p.id === 424242, 20_000);
      const badRequests = c.of('error').filter((e) => e.code === 'bad_request').length;
      expect(badRequests).toBeGreaterThanOrEqual(sent[i]);
      expect(c.closeCode).toBeUndefined();
    }
    expect(sent.reduce((a, b) => a + b)).toBeGreaterThan(1000);
    console.info(`flood: 4 x 2000 frames, ${sent.reduce((a, b) => a + b)} undecodable, all answered`);

    good.send({ type: 'ping', id: 2 });
    await good.next('pong', (p) => p.id === 2);
    expect(chainedItems(good.messages)).toBeGreaterThan(20);
    expect(n.node.hub.sessions.size).toBe(5);
    const health = await fetch(`${n.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', sessions: 5 });
    for (const c of [good, ...flooders]) c.close();
  });
});
