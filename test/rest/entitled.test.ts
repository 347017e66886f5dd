/**
 * REST with entitlements, against a real server with AUTH_JWT_SECRET and AUTH_TOKENS: a limited
 * JWT sees only what its claims cover (403 `forbidden` listing the rest), a static token sees
 * everything, and bad tokens get 401 before any handler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';
import { startNode, type Running } from '../helpers/node.js';
import { answer, expectWellFormed } from './rest-answers.js';

describe('REST with a limited JWT', () => {
  let n: Running;
  let limited: string;
  const get = (path: string, token?: string) => answer(n.url + path, token ? { headers: { Authorization: `Bearer ${token}` } } : undefined);

  beforeAll(async () => {
    n = await startNode({ FEED_SYMBOLS: '48', AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_TOKENS: 'static-token' });
    limited = await mintToken({ sub: 'ann', symbols: ['AAPL', 'BTC-*'], channels: ['ticker', 'candles:*'] });
  });
  afterAll(() => n.close());

  it('lists only the covered symbols', async () => {
    const a = await get('/api/symbols', limited);
    expect(a.status).toBe(200);
    const names = (a.body as { symbol: string }[]).map((s) => s.symbol);
    expect(names.length).toBeGreaterThan(1);
    expect(names.every((s) => s === 'AAPL' || s.startsWith('BTC-'))).toBe(true);
    expect(names).toContain('AAPL');
    const all = await get('/api/symbols', 'static-token');
    expect((all.body as unknown[]).length).toBe(48);
  });

  it('answers 403 forbidden for uncovered symbols or channels, listing them, and serves the covered', async () => {
    const f = await get('/api/snapshot?symbols=AAPL,MSFT,NOPE&channels=ticker,trades', limited);
    expectWellFormed(f, 'snapshot');
    expect(f).toMatchObject({ status: 403, body: { type: 'error', code: 'forbidden', symbols: ['MSFT', 'NOPE'], channels: ['trades'] } });
    const ok = await get('/api/snapshot?symbols=AAPL,BTC-USD&channels=ticker,candles:1m', limited);
    expect(ok.status).toBe(200);
    expect((ok.body as { items: { s: string; ch: string }[] }).items.map((x) => `${x.s}|${x.ch}`)).toEqual(['AAPL|ticker', 'AAPL|candles:1m', 'BTC-USD|ticker', 'BTC-USD|candles:1m']);
    const dflt = await get('/api/snapshot', limited);
    const syms = new Set((dflt.body as { items: { s: string }[] }).items.map((x) => x.s));
    expect([...syms].every((s) => s === 'AAPL' || s.startsWith('BTC-'))).toBe(true);
  });

  it('checks candles against both the symbol and the candles:<interval> channel', async () => {
    expect((await get('/api/candles?symbol=AAPL&interval=5m&limit=3', limited)).status).toBe(200);
    expect(await get('/api/candles?symbol=MSFT', limited)).toMatchObject({ status: 403, body: { code: 'forbidden', symbols: ['MSFT'] } });
    const onlyTicker = await mintToken({ sub: 'bob', channels: ['ticker'] });
    expect(await get('/api/candles?symbol=AAPL&interval=1h', onlyTicker)).toMatchObject({ status: 403, body: { code: 'forbidden', channels: ['candles:1h'] } });
    expect((await get('/api/candles?symbol=MSFT&interval=1h', 'static-token')).status).toBe(200);
  });

  it('refuses names over 32 characters unlooked-up even where a prefix would match, and an uncovered default channel', async () => {
    const long = `BTC-${'Y'.repeat(40)}`;
    expect(await get(`/api/snapshot?symbols=AAPL,${long}`, limited)).toMatchObject({ status: 403, body: { code: 'forbidden', symbols: [`${long.slice(0, 32)}…`] } });
    const tradesOnly = await mintToken({ sub: 'cy', channels: ['trades'] });
    expect(await get('/api/snapshot?symbols=AAPL', tradesOnly)).toMatchObject({ status: 403, body: { code: 'forbidden', channels: ['ticker'] } });
    expect((await get('/api/snapshot?symbols=AAPL&channels=trades', tradesOnly)).status).toBe(200);
  });

  it('does not tell a limited token which uncovered names exist', async () => {
    const a = await get('/api/candles?symbol=NOPE', limited);
    const b = await get('/api/candles?symbol=MSFT', limited);
    expect([a.status, b.status]).toEqual([403, 403]);
  });

  it('refuses missing, bad, expired and not-yet-valid tokens with 401 and a protocol code', async () => {
    const expired = await mintToken({ sub: 'ann' }, { expInS: -120 });
    const early = await mintToken({ sub: 'ann', nbf: Math.floor(Date.now() / 1000) + 3600 });
    const wrongKey = await mintToken({ sub: 'ann' }, { secret: 'another-secret-0123456789abcdef-xyz' });
    for (const [token, code] of [[undefined, 'unauthorized'], [wrongKey, 'unauthorized'], [expired, 'token_expired'], [early, 'unauthorized'], ['static-tokenX', 'unauthorized']] as const) {
      const a = await get('/api/symbols', token);
      expectWellFormed(a, String(token).slice(0, 20));
      expect(a.status).toBe(401);
      expect((a.body as { code: string }).code).toBe(code);
    }
    // ?token= works as well as the header.
    expect((await answer(`${n.url}/api/symbols?token=${limited}`)).status).toBe(200);
  });
});
