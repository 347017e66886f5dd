/**
 * REST fuzz (fast-check): query strings built from prototype keys, numbers, repeats, long lists
 * and odd bytes. Every answer is a 2xx, or a 4xx JSON error with a protocol code; the server
 * stays up; a bystander's WebSocket stream keeps chaining throughout.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainChecker } from '../helpers/chain.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { answer, expectWellFormed } from './rest-answers.js';

const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];
const KEYS = ['symbols', 'channels', 'symbol', 'interval', 'limit', 'token', ...PROTO, '__proto__[symbol]', 'symbols[]', 'limit[0]', ''];
const ODD = ['%00', '%FF', '%FE%FF', '%C0%AF', '%E2%82', '%ED%A0%80', '%F0%9F%92%A9', '%', '%zz', '%2C', '%26', '+', '%20', '\u00e9', '..', '*'];
const NUMBERS = ['-1', '0', '1', '1.5', '1e3', '1e400', '-0', 'NaN', 'Infinity', '0x10', '99999999999999999999', '', ' 5', '5 ', '1_000'];
const NAMES = ['AAPL', 'MSFT', 'BTC-USD', 'NOPE', 'ticker', 'trades', 'candles:1m', 'book', '1m', '1h'];

const atom = fc.oneof(fc.constantFrom(...PROTO), fc.constantFrom(...NUMBERS), fc.constantFrom(...NAMES), fc.constantFrom(...ODD), fc.string({ maxLength: 8 }).map(encodeURIComponent));
const value = fc.oneof(
  { weight: 4, arbitrary: atom },
  { weight: 2, arbitrary: fc.array(atom, { minLength: 2, maxLength: 20 }).map((xs) => xs.join(',')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 1200 }).map((n) => Array.from({ length: n }, (_, i) => `Q${i.toString(36)}`).join(',')) },
  { weight: 1, arbitrary: fc.integer({ min: 33, max: 3000 }).map((n) => 'L'.repeat(n)) },
);
const param = fc.tuple(fc.oneof(fc.constantFrom(...KEYS), atom), value, fc.boolean()).map(([k, v, bare]) => (bare && !v ? k : `${k}=${v}`));
const query = fc.tuple(
  fc.constantFrom('/api/symbols', '/api/snapshot', '/api/candles', '/api/__proto__', '/api/candles/x', '/healthz'),
  fc.array(param, { maxLength: 6 }),
  fc.constantFrom('?', '?&', '??', '?#'),
).map(([path, params, sep]) => `${path}${sep}${params.join('&')}`);

describe('REST fuzz', () => {
  let n: Running;
  let bystander: RawClient;
  const chain = new ChainChecker();

  beforeAll(async () => {
    n = await startNode({ FEED_SYMBOLS: '20', FEED_RATE: '20' });
    bystander = await RawClient.open(n.wsUrl);
    bystander.ws.on('message', () => chain.apply(bystander.messages[bystander.messages.length - 1]));
    bystander.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT'], channels: ['ticker', 'trades'] });
    await bystander.next('update');
  });
  afterAll(async () => {
    bystander?.close();
    await n?.close();
  });

  it('answers every generated query with a well-formed 2xx/4xx JSON; the server and a bystander stream carry on', async () => {
    const updatesBefore = chain.updates;
    let asked = 0;
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        // Node refuses request heads over 16 KiB itself (431) before Fastify sees them.
        fc.pre(q.length < 12_000);
        asked++;
        expectWellFormed(await answer(n.url + q), q.slice(0, 300));
      }),
      { numRuns: 400 },
    );
    expect(asked).toBeGreaterThan(300);
    const health = await answer(`${n.url}/healthz`);
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    // The bystander keeps receiving chained updates after the fuzz.
    const seen = bystander.messages.length;
    await bystander.next('update', (m) => bystander.messages.indexOf(m) >= seen);
    expect(chain.updates).toBeGreaterThan(updatesBefore);
    expect(chain.breaks).toEqual([]);
    expect(bystander.closeCode).toBeUndefined();
  }, 120_000);
});
