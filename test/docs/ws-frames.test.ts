/**
 * Real /ws frames, decoded from MessagePack (shared/codec.ts), validate against the schemas
 * /asyncapi.json gives for their type (operation wsSend), documented and closed: hello,
 * subscribed (also with recovered and unrecovered after a reconnect with since), snapshot and
 * update items of ticker, trades, candles and book, heartbeat, pong, error, unsubscribed. The
 * client messages sent validate against wsReceive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage, SnapshotItem, StreamPosition } from '../../shared/protocol.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { operationPayloads, parseAsyncApi, SchemaCheck } from './doc-schemas.js';
import { EXPECTED, FrameCheck } from './frame-check.js';
import { httpGet } from './http-get.js';
import { until } from '../helpers/wait.js';

let n: Running;
let sendSchemas: Map<string, object>;
let receiveSchemas: Map<string, object>;
beforeAll(async () => {
  n = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '5', HEARTBEAT_MS: '300' });
  const { document } = await parseAsyncApi(JSON.parse((await httpGet(`${n.url}/asyncapi.json`)).text));
  sendSchemas = operationPayloads(document!, 'wsSend');
  receiveSchemas = operationPayloads(document!, 'wsReceive');
}, 120_000);
afterAll(() => n.close());

const channels = ['ticker', 'trades', 'candles:1s', 'book'];

/** Held positions: each stream's epoch from its last snapshot, seq from its last item. */
function positions(ms: ServerMessage[]): StreamPosition[] {
  const epoch = new Map<string, string>();
  const seq = new Map<string, number>();
  for (const m of ms) {
    if (m.type !== 'snapshot' && m.type !== 'update') continue;
    for (const it of m.items) {
      const k = `${it.s}|${it.ch}`;
      if (m.type === 'snapshot') epoch.set(k, (it as SnapshotItem).epoch!);
      seq.set(k, it.seq);
    }
  }
  return [...seq].map(([k, s]) => ({ s: k.split('|')[0], ch: k.split('|')[1], epoch: epoch.get(k)!, seq: s }));
}

describe('/ws frames against /asyncapi.json', () => {
  it('every message of a session, a reconnect with since and an idle connection validates', async () => {
    const sent: object[] = [];
    const send = (c: RawClient, m: object) => (sent.push(m), c.send(m));
    const kinds = (c: RawClient) => new Set(c.of('update').flatMap((u) => u.items.map((it) => (it.ch.startsWith('candles:') ? 'candles' : it.ch))));

    const a = await RawClient.open(n.wsUrl);
    send(a, { type: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT'], channels, throttle: 0 });
    await a.next('subscribed');
    await until('updates of ticker, trades, candles and book', () => kinds(a).size === 4);
    send(a, { type: 'ping', id: 2, t: 1234.5 });
    expect(await a.next('pong')).toMatchObject({ id: 2, echo: 1234.5 });
    send(a, { type: 'subscribe', id: 3, symbols: ['NOPE'] });
    await a.next('error', (e) => e.id === 3);
    a.send({ type: 'no-such-type', id: 4 }); // deliberately outside the documented client messages
    await a.next('error', (e) => e.id === 4 && e.code === 'bad_request');
    const held = positions(a.messages).filter((p) => p.s === 'AAPL' && (p.ch === 'ticker' || p.ch === 'trades'));
    send(a, { type: 'unsubscribe', id: 5, symbols: ['AAPL', 'MSFT'] });
    await a.next('unsubscribed');
    a.close();

    // One position resumable, one in another epoch.
    const since = held.map((p) => (p.ch === 'trades' ? { ...p, epoch: 'not-this-one' } : p));
    const b = await RawClient.open(n.wsUrl);
    send(b, { type: 'subscribe', id: 6, symbols: ['AAPL'], channels: ['ticker', 'trades'], since });
    const sub = await b.next('subscribed');
    expect(sub.recovered).toEqual([{ s: 'AAPL', ch: 'ticker' }]);
    expect(sub.unrecovered).toEqual([{ s: 'AAPL', ch: 'trades' }]);
    await b.next('update', (u) => u.items.some((it) => it.ch === 'ticker' && it.prev === held.find((p) => p.ch === 'ticker')!.seq));
    await b.next('snapshot');
    b.close();

    const idle = await RawClient.open(n.wsUrl);
    await idle.next('heartbeat');
    idle.close();

    const check = new SchemaCheck('draft-07');
    const frames = new FrameCheck(sendSchemas, check);
    for (const m of [...a.messages, ...b.messages, ...idle.messages]) frames.apply(m);
    expect(frames.problems).toEqual([]);
    expect([...frames.seen].sort()).toEqual(expect.arrayContaining(EXPECTED));
    expect(EXPECTED.filter((k) => !frames.seen.has(k))).toEqual([]);

    for (const m of sent) {
      const schema = receiveSchemas.get((m as { type: string }).type)!;
      expect(check.check(schema, m), JSON.stringify(m)).toEqual([]);
    }
  }, 60_000);

  it('the schemas refuse what the protocol forbids (the check can fail)', () => {
    const check = new SchemaCheck('draft-07');
    const update = sendSchemas.get('update')!;
    const good = { type: 'update', t: 1, items: [{ ch: 'book', s: 'AAPL', seq: 2, prev: 1, d: { bids: [[10.5, 0]], checksum: 1, ts: 1 } }] };
    expect(check.check(update, good)).toEqual([]);
    expect(check.check(update, { ...good, items: [{ ...good.items[0], prev: undefined }] })).not.toEqual([]);
    expect(check.check(update, { ...good, items: [{ ...good.items[0], d: { bids: [[10.5]], checksum: 1, ts: 1 } }] })).not.toEqual([]);
    expect(check.check(update, { ...good, items: [{ ...good.items[0], ch: 'trades' }] })).not.toEqual([]);
    expect(check.check(update, { ...good, extra: 1 })).toEqual(['closed: data must NOT have additional properties']);
    expect(check.check(sendSchemas.get('error')!, { type: 'error', code: 'oops', message: 'x', t: 1 })).not.toEqual([]);
  });

  it('with a JWT: hello.expires, refreshed and forbidden validate too', async () => {
    const jwt = await startNode({ FEED_SYMBOLS: '3', AUTH_JWT_SECRET: TEST_JWT_SECRET });
    try {
      const token = await mintToken({ sub: 'docs', symbols: ['AAPL'] }, { expInS: 600 });
      const c = await RawClient.open(`${jwt.wsUrl}?token=${encodeURIComponent(token)}`);
      expect(c.of('hello')[0].expires).toEqual(expect.any(Number));
      c.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT'] });
      expect(await c.next('error', (e) => e.id === 1)).toMatchObject({ code: 'forbidden', symbols: ['MSFT'] });
      const refresh = { type: 'refresh', id: 2, token: await mintToken({ sub: 'docs', symbols: ['AAPL'] }, { expInS: 900 }) };
      c.send(refresh);
      expect(await c.next('refreshed')).toMatchObject({ id: 2, expires: expect.any(Number) });
      await c.next('snapshot');
      c.close();
      const check = new SchemaCheck('draft-07');
      const frames = new FrameCheck(sendSchemas, check);
      for (const m of c.messages) frames.apply(m);
      expect(frames.problems).toEqual([]);
      expect(['hello', 'error', 'refreshed', 'subscribed', 'snapshot:ticker'].filter((k) => !frames.seen.has(k))).toEqual([]);
      expect(check.check(receiveSchemas.get('refresh')!, refresh)).toEqual([]);
    } finally {
      await jwt.close();
    }
  });
});
