/**
 * registerRest's own contract where a real node cannot easily be made to show it: a market view
 * that fails answers 503 `unavailable` without its message, and refusals for rights are counted
 * and logged once a second with the principal's `sub`. (The real-server tests are entitled.test.ts,
 * odd-input.test.ts and rest-fuzz.test.ts.)
 */
import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rightsOf } from '../../server/auth/entitlements.js';
import type { MarketView } from '../../server/http/market-view.js';
import { registerRest } from '../../server/http/rest.js';

const SYMBOLS = [{ symbol: 'AAPL', name: 'Apple', kind: 'equity' as const, decimals: 2, tickSize: 0.01, currency: 'USD' }];

function instance(view: MarketView, o: Parameters<typeof registerRest>[3] = {}, lines: Record<string, unknown>[] = []) {
  const stream = new Writable({ write: (chunk, _enc, cb) => (lines.push(JSON.parse(String(chunk))), cb()) });
  const app = Fastify({ logger: { level: 'info', stream } });
  app.addHook('onRequest', async (req) => {
    if (req.headers['x-test-sub']) req.principal = { sub: String(req.headers['x-test-sub']), rights: rightsOf({ symbols: ['AAPL'] }) };
  });
  registerRest(app, view, () => ({}), o);
  return app;
}

describe('registerRest', () => {
  it('answers 503 unavailable, never the internal message, when the view throws or rejects', async () => {
    const app = instance({
      symbols: () => SYMBOLS,
      snapshot: () => {
        throw new Error('redis exploded at /secret/path.ts:12');
      },
      candles: async () => Promise.reject(new Error('connection reset by peer')),
    });
    for (const url of ['/api/snapshot?symbols=AAPL', '/api/candles?symbol=AAPL']) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(503);
      const body = r.json();
      expect(body).toMatchObject({ type: 'error', code: 'unavailable' });
      expect(body.message).not.toMatch(/redis|secret|reset/);
    }
    await app.close();
  });

  it('counts every refusal for rights and logs it with sub, at most once a second', async () => {
    let forbidden = 0;
    const lines: Record<string, unknown>[] = [];
    const t = 1_000_000;
    const app = instance({ symbols: () => SYMBOLS, snapshot: () => undefined, candles: () => [] }, { onForbidden: () => forbidden++, now: () => t }, lines);
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/api/candles?symbol=MSFT', headers: { 'x-test-sub': 'ann' } })).statusCode).toBe(403);
    expect(forbidden).toBe(5);
    const logged = lines.filter((l) => l.msg === 'request forbidden');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ sub: 'ann', symbols: ['MSFT'], level: 30 });
    await app.close();
  });

  it('caps named symbols at maxSymbols', async () => {
    const app = instance({ symbols: () => SYMBOLS, snapshot: () => undefined, candles: () => [] }, { maxSymbols: 3 });
    expect((await app.inject('/api/snapshot?symbols=A,B,C')).statusCode).toBe(404);
    expect((await app.inject('/api/snapshot?symbols=A,B,C,D')).json()).toMatchObject({ code: 'limit_exceeded', message: 'at most 3 symbols per request' });
    await app.close();
  });

  it('builds at most 4 big answers (256 items or more) at once; the rest wait whole, small ones go by', async () => {
    const held: ((bars: never[]) => void)[] = [];
    let calls = 0;
    let most = 0;
    const app = instance({
      symbols: () => SYMBOLS,
      snapshot: () => undefined,
      candles: (_s, _iv, limit) => {
        calls++;
        return limit >= 256 ? new Promise((r) => void (most = Math.max(most, held.push(r)))) : [];
      },
    });
    await app.ready();
    const bigOnes = Array.from({ length: 10 }, () => app.inject('/api/candles?symbol=AAPL&interval=1s&limit=1000'));
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setImmediate(r));
      if (!ok()) throw new Error(`never: ${what}`);
    };
    await until('four big answers in the making', () => held.length === 4);
    const small = await app.inject('/api/candles?symbol=AAPL&interval=1s&limit=10');
    expect(small.statusCode).toBe(200); // not queued behind the big ones
    expect(held).toHaveLength(4); // the other six wait for a place
    expect(calls).toBe(5);
    let answered = 0;
    while (answered < 10) {
      await until('a big answer in the making', () => held.length > 0);
      held.shift()!([]);
      answered++;
    }
    const statuses = (await Promise.all(bigOnes)).map((r) => r.statusCode);
    expect(statuses).toEqual(Array(10).fill(200));
    expect(calls).toBe(11);
    expect(most).toBe(4);
    await app.close();
  });
});
