/**
 * REST against odd input, tried as a new user would: every answer is a 2xx, or a 4xx JSON error
 * with a protocol code and no internal message. The table is the one docs/entitlements.md lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type Running } from '../helpers/node.js';
import { answer, expectWellFormed } from './rest-answers.js';

const X60 = 'X'.repeat(60);
const many = (n: number, name = (i: number) => `Z${i.toString(36)}`) => Array.from({ length: n }, (_, i) => name(i)).join(',');

/** [query, status, code (for errors)]. */
export const ODD_INPUTS: [string, number, string?][] = [
  ['/api/candles?symbol=AAPL&interval=toString', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&interval=__proto__', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&interval=constructor', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&interval=hasOwnProperty', 400, 'bad_request'],
  ['/api/candles?symbol=toString', 404, 'unknown_symbol'],
  ['/api/candles?symbol=__proto__', 404, 'unknown_symbol'],
  ['/api/candles?symbol=constructor&interval=1h', 404, 'unknown_symbol'],
  ['/api/candles?__proto__[symbol]=AAPL', 400, 'bad_request'],
  ['/api/candles?__proto__=x&symbol=AAPL', 200],
  ['/api/candles?symbol=AAPL&limit=-1', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&limit=0', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&limit=1.5', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&limit=abc', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&limit=NaN', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&limit=Infinity', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&limit=1e400', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&limit=99999999999999999999', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&limit=5000', 200],
  ['/api/candles?symbol=AAPL&limit=', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&limit=1&limit=2', 400, 'bad_request'],
  ['/api/candles?symbol=AAPL&symbol=MSFT', 400, 'bad_request'],
  ['/api/candles?symbol[]=AAPL', 400, 'bad_request'],
  ['/api/candles', 400, 'bad_request'],
  ['/api/candles?symbol=', 400, 'bad_request'],
  ['/api/candles?symbol=%00', 404, 'unknown_symbol'],
  ['/api/candles?symbol=AAPL%00', 404, 'unknown_symbol'],
  ['/api/candles?symbol=%FF%FE', 404, 'unknown_symbol'],
  ['/api/candles?symbol=%C0%AF', 404, 'unknown_symbol'],
  ['/api/candles?symbol=%E2%82', 404, 'unknown_symbol'],
  [`/api/candles?symbol=${X60}`, 404, 'unknown_symbol'],
  ['/api/snapshot?symbols=AAPL&symbols=MSFT', 400, 'bad_request'],
  ['/api/snapshot?symbols=', 400, 'bad_request'],
  ['/api/snapshot?symbols=,,,', 400, 'bad_request'],
  ['/api/snapshot?symbols=toString,__proto__,constructor', 404, 'unknown_symbol'],
  ['/api/snapshot?symbols=AAPL,toString', 200],
  ['/api/snapshot?channels=toString', 400, 'unknown_channel'],
  ['/api/snapshot?channels=__proto__', 400, 'unknown_channel'],
  ['/api/snapshot?channels=', 400, 'bad_request'],
  ['/api/snapshot?channels=ticker&channels=trades', 400, 'bad_request'],
  [`/api/snapshot?symbols=NOPE,${X60}`, 404, 'unknown_symbol'],
  [`/api/snapshot?symbols=${many(1001)}`, 400, 'limit_exceeded'],
  [`/api/snapshot?symbols=${many(1000)}&channels=ticker,trades,candles:1s,candles:1m,candles:5m,candles:1h`, 404, 'unknown_symbol'],
  ['/api/snapshot?symbols=AAPL%00,%FF', 404, 'unknown_symbol'],
  ['/api/symbols?__proto__=1&constructor=2', 200],
  ['/api/symbols?symbols=AAPL&symbols=MSFT', 200],
  ['/api/nope', 404, 'bad_request'],
  ['/api/', 404, 'bad_request'],
  ['/api/symbols/extra', 404, 'bad_request'],
  ['/api/__proto__', 404, 'bad_request'],
  ['/healthz?__proto__=1', 200],
];

describe('REST against odd input (open server)', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '20', FEED_RATE: '5' })));
  afterAll(() => n.close());

  it.each(ODD_INPUTS)('GET %s answers %i %s', async (q, status, code) => {
    const a = await answer(n.url + q);
    expectWellFormed(a, q);
    expect(a.status, JSON.stringify(a.body).slice(0, 200)).toBe(status);
    if (code) expect((a.body as { code: string }).code).toBe(code);
  });

  it('echoes a long name cut to 32 characters, without looking it up', async () => {
    const long = 'L'.repeat(10_000);
    const c = await answer(`${n.url}/api/candles?symbol=${long}`);
    expect(c.body).toMatchObject({ code: 'unknown_symbol', symbols: [`${'L'.repeat(32)}…`] });
    expect(JSON.stringify(c.body).length).toBeLessThan(300);
    const s = await answer(`${n.url}/api/snapshot?symbols=AAPL,${long}`);
    expect(s.status).toBe(200);
    expect((s.body as { unknown: string[] }).unknown).toEqual([`${'L'.repeat(32)}…`]);
  });

  it('serves the good part of a partly unknown snapshot, in request order, with unknown listed once', async () => {
    const a = await answer(`${n.url}/api/snapshot?symbols=MSFT,NOPE,AAPL,NOPE&channels=ticker,trades`);
    expect(a.status).toBe(200);
    const body = a.body as { items: { s: string; ch: string }[]; unknown: string[] };
    expect(body.items.map((x) => `${x.s}|${x.ch}`)).toEqual(['MSFT|ticker', 'MSFT|trades', 'AAPL|ticker', 'AAPL|trades']);
    expect(body.unknown).toEqual(['NOPE']);
  });

  it('answers JSON 404 for other methods and paths under /api/, and keeps CORS preflights out of it', async () => {
    const post = await answer(`${n.url}/api/symbols`, { method: 'POST', body: '{bad', headers: { 'content-type': 'application/json' } });
    expectWellFormed(post, 'POST /api/symbols');
    expect(post.status).toBeGreaterThanOrEqual(400);
    const del = await answer(`${n.url}/api/candles?symbol=AAPL`, { method: 'DELETE' });
    expect(del).toMatchObject({ status: 404, body: { code: 'bad_request' } });
    const pre = await fetch(`${n.url}/api/symbols`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:1', 'Access-Control-Request-Method': 'GET' } });
    expect(pre.status).toBeLessThan(300);
  });
});
