import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../shared/codec.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';

let srv: Running;
beforeAll(async () => {
  srv = await startNode({ FEED_RATE: '10', FEED_SYMBOLS: '20', LIMIT_SYMBOLS: '5', LIMIT_PAYLOAD: '4096', LIMIT_RATE: '20' });
});
afterAll(() => srv.close());

/** Sends raw bytes, expects one error with `code`, then proves the connection still works. */
async function expectError(c: RawClient, bytes: Uint8Array, code: string, id?: number) {
  const before = c.of('error').length;
  c.ws.send(bytes);
  const err = await c.next('error', () => c.of('error').length > before);
  expect(err.code).toBe(code);
  expect(err.message.length).toBeGreaterThan(5);
  if (id !== undefined) expect(err.id).toBe(id);
  const n = c.of('pong').length;
  c.send({ type: 'ping', id: 1000 + n });
  await c.next('pong', (p) => p.id === 1000 + n);
  return err;
}

describe('bad input gets its error code and the connection lives on', () => {
  it('answers every malformed message with bad_request', async () => {
    const c = await RawClient.open(srv.wsUrl);
    await expectError(c, Uint8Array.of(0xc1), 'bad_request'); // not MessagePack
    await expectError(c, Uint8Array.of(0x81, 0xa4), 'bad_request'); // truncated
    await expectError(c, encode([1, 2, 3]), 'bad_request'); // not a map
    await expectError(c, encode(42), 'bad_request');
    await expectError(c, encode({ symbols: ['AAPL'] }), 'bad_request'); // no type
    await expectError(c, encode({ type: 'launch', id: 9 }), 'bad_request', 9); // unknown type
    await expectError(c, encode({ type: 'subscribe', id: 10, symbols: 'AAPL' }), 'bad_request', 10);
    await expectError(c, encode({ type: 'subscribe', id: 11, symbols: ['AAPL'], throttle: 'fast' }), 'bad_request', 11);
    await expectError(c, encode({ type: 'subscribe', id: 12, symbols: ['AAPL'], channels: 'ticker' }), 'bad_request', 12);
    await expectError(c, encode({ type: 'subscribe', id: 13, symbols: [1, 2] }), 'bad_request', 13);
    await expectError(c, encode({ type: 'ping', id: 'x' }), 'bad_request');
    await expectError(c, encode({ type: 'ping', t: 'now' }), 'bad_request');
    await expectError(c, encode({ type: 'subscribe', symbols: [] }), 'bad_request');
    expect(c.closeCode).toBeUndefined();
    c.close();
  });

  it('subscribes the good part of a partly bad request and lists what it refused', async () => {
    const c = await RawClient.open(srv.wsUrl);
    c.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'NOPE', 'MSFT'], channels: ['ticker', 'quotes'] });
    const sub = await c.next('subscribed');
    expect(sub).toMatchObject({ id: 1, symbols: ['AAPL', 'MSFT'], channels: ['ticker'] });
    const unknownSymbol = await c.next('error', (e) => e.code === 'unknown_symbol');
    expect(unknownSymbol).toMatchObject({ id: 1, symbols: ['NOPE'] });
    expect(await c.next('error', (e) => e.code === 'unknown_channel')).toMatchObject({ id: 1, channels: ['quotes'] });
    const items = await c.snapshotItems(2);
    expect(items.map((i) => i.s).sort()).toEqual(['AAPL', 'MSFT']);
    c.send({ type: 'subscribe', id: 2, symbols: ['AAPL'], channels: ['quotes'] });
    expect(await c.next('error', (e) => e.id === 2)).toMatchObject({ code: 'unknown_channel' });
    c.close();
  });

  it('refuses symbols beyond the per-connection limit with limit_exceeded', async () => {
    const c = await RawClient.open(srv.wsUrl);
    expect(c.of('hello')[0].limits.symbols).toBe(5);
    const symbols = (await (await fetch(`${srv.url}/api/symbols`)).json()).map((s: { symbol: string }) => s.symbol).slice(0, 8);
    c.send({ type: 'subscribe', id: 4, symbols });
    expect((await c.next('subscribed')).symbols).toEqual(symbols.slice(0, 5));
    expect(await c.next('error', (e) => e.code === 'limit_exceeded')).toMatchObject({ id: 4, symbols: symbols.slice(5) });
    // already-held symbols can still change channels
    c.send({ type: 'subscribe', id: 5, symbols: symbols.slice(0, 2), channels: ['trades'] });
    expect((await c.next('subscribed', (m) => m.id === 5)).symbols).toEqual(symbols.slice(0, 2));
    c.close();
  });

  it('closes 1003 on a text frame, 1009 on an oversized frame, others unaffected', async () => {
    const bystander = await RawClient.open(srv.wsUrl);
    bystander.send({ type: 'subscribe', symbols: ['AAPL'] });
    await bystander.next('snapshot');
    const text = await RawClient.open(srv.wsUrl);
    text.ws.send('{"type":"ping"}');
    expect(await text.closed()).toBe(1003);
    expect(text.of('error')[0]).toMatchObject({ code: 'bad_request' });
    const big = await RawClient.open(srv.wsUrl);
    big.ws.send(Buffer.alloc(5000, 0x90));
    expect(await big.closed()).toBe(1009);
    const n = bystander.of('update').length;
    await bystander.next('update', () => bystander.of('update').length > n + 2);
    expect(bystander.closeCode).toBeUndefined();
    bystander.close();
  });

  it('rate-limits control messages and closes 1008 a client that keeps going', async () => {
    const c = await RawClient.open(srv.wsUrl);
    for (let i = 0; i < 45; i++) c.send({ type: 'ping', id: i });
    const limited = await c.next('error', (e) => e.code === 'rate_limited');
    expect(limited.message).toMatch(/20/);
    expect(c.of('pong').length).toBeGreaterThanOrEqual(39);
    for (let i = 0; i < 200 && c.closeCode === undefined; i++) c.send({ type: 'ping', id: i });
    expect(await c.closed()).toBe(1008);
    const ok = await RawClient.open(srv.wsUrl);
    ok.send({ type: 'ping', id: 1 });
    await ok.next('pong');
    ok.close();
  });
});
