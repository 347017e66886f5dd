/**
 * REST against odd input, tried as a new user would: every answer is a 2xx, or a 4xx JSON error
 * with a protocol code and no internal message. The table is the one docs/entitlements.md lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type Running } from '../helpers/node.js';
import { ODD_INPUTS } from './odd-inputs.js';
import { answer, expectWellFormed } from './rest-answers.js';

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
