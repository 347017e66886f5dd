/**
 * Entitlements on live streams (protocol 1.1 section 4) against a real server with
 * AUTH_JWT_SECRET and AUTH_TOKENS: forbidden parts of subscribe/snapshot, hello.expires, the cut
 * at expiry, refresh (renewing, narrowing, refused), over WebSocket and SSE.
 * Tokens are cut at exp plus the 30 s leeway: a token minted 28 s past its exp is still
 * accepted and is cut about 2 s later, so the test waits seconds, not half a minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';

let n: Running;
beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '48', FEED_RATE: '20', AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_TOKENS: 'static-token' })));
afterAll(() => n.close());

const open = (token: string) => RawClient.open(`${n.wsUrl}?token=${encodeURIComponent(token)}`);

describe('refusals in the log', () => {
  // First in this file: the node has refused nothing yet, so the once-a-second slot is free.
  it('counts every forbidden stream request and logs it as an info line with sub, at most one a second', async () => {
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const log = n.node.app.log as unknown as { info: (obj: unknown, msg?: string) => void };
    const info = log.info;
    // The app's own logger (silent in tests) is watched where the hub calls it.
    log.info = (obj, msg) => void (typeof obj === 'object' && msg !== undefined && lines.push({ obj: obj as Record<string, unknown>, msg }));
    try {
      const before = n.node.hub.stats.forbidden;
      const c = await open(await mintToken({ sub: 'dave', symbols: ['AAPL'] }, { expInS: 600 }));
      const t0 = Date.now();
      for (let id = 1; id <= 5; id++) c.send({ type: 'subscribe', id, symbols: ['MSFT'] });
      for (let id = 1; id <= 5; id++) await c.next('error', (m) => m.id === id && m.code === 'forbidden');
      const elapsedS = (Date.now() - t0) / 1000;
      expect(n.node.hub.stats.forbidden - before).toBe(5);
      const logged = lines.filter((l) => l.msg === 'stream request forbidden');
      expect(logged[0]?.obj).toMatchObject({ sub: 'dave', symbols: ['MSFT'] });
      expect(logged.length).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
      expect(logged.length).toBeLessThan(5);
      c.close();
    } finally {
      log.info = info;
    }
  });
});

describe('a limited token on a WebSocket', () => {
  it('says when it expires, subscribes the covered part and refuses the rest as forbidden', async () => {
    const token = await mintToken({ sub: 'alice', symbols: ['AAPL', 'BTC-*'], channels: ['ticker', 'book'] }, { expInS: 600 });
    const c = await open(token);
    const hello = c.messages[0] as { expires?: number };
    expect(hello.expires).toBeGreaterThan(Date.now() + 590_000);
    c.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT', 'BTC-USD'], channels: ['ticker', 'trades'] });
    const sub = await c.next('subscribed', (m) => m.id === 1);
    expect(sub.symbols).toEqual(['AAPL', 'BTC-USD']);
    expect(sub.channels).toEqual(['ticker']);
    const err = await c.next('error', (m) => m.id === 1);
    expect(err).toMatchObject({ code: 'forbidden', symbols: ['MSFT'], channels: ['trades'] });
    const items = await c.snapshotItems(2);
    expect(items.map((i) => `${i.s}|${i.ch}`).sort()).toEqual(['AAPL|ticker', 'BTC-USD|ticker']);

    c.send({ type: 'snapshot', id: 2, symbols: ['NVDA', 'AAPL'] });
    expect(await c.next('error', (m) => m.id === 2)).toMatchObject({ code: 'forbidden', symbols: ['NVDA'] });
    // An unknown symbol the token does not cover is forbidden too: a refusal tells nothing.
    c.send({ type: 'subscribe', id: 3, symbols: ['NO-SUCH'] });
    expect(await c.next('error', (m) => m.id === 3)).toMatchObject({ code: 'forbidden', symbols: ['NO-SUCH'] });
    c.close();
  });

  it('is cut at expiry with token_expired and close 1008, unless refreshed', async () => {
    const nearly = await mintToken({ sub: 'bob', symbols: ['AAPL'] }, { expInS: -28 });
    const cut = await open(nearly);
    const kept = await open(nearly);
    kept.send({ type: 'refresh', id: 9, token: await mintToken({ sub: 'bob', symbols: ['AAPL'] }, { expInS: 600 }) });
    const refreshed = await kept.next('refreshed', (m) => m.id === 9);
    expect(refreshed.expires).toBeGreaterThan(Date.now() + 590_000);
    expect(await cut.next('error', (m) => m.code === 'token_expired', 15_000)).toBeTruthy();
    expect(await cut.closed()).toBe(1008);
    // The refreshed one outlived the old cutoff.
    kept.send({ type: 'ping', id: 10 });
    expect(await kept.next('pong', (m) => m.id === 10)).toBeTruthy();
    kept.close();
  });

  it('refuses a bad refresh (unauthorized, connection lives) and one for another sub', async () => {
    const c = await open(await mintToken({ sub: 'carol' }, { expInS: 600 }));
    c.send({ type: 'refresh', id: 1, token: 'not-a-jwt' });
    expect(await c.next('error', (m) => m.id === 1)).toMatchObject({ code: 'unauthorized' });
    c.send({ type: 'refresh', id: 2, token: await mintToken({ sub: 'mallory' }, { expInS: 600 }) });
    expect(await c.next('error', (m) => m.id === 2)).toMatchObject({ code: 'unauthorized' });
    c.send({ type: 'ping', id: 3 });
    expect(await c.next('pong', (m) => m.id === 3)).toBeTruthy();
    c.close();
  });

  it('unsubscribes with forbidden what a narrowing refresh no longer covers', async () => {
    const c = await open(await mintToken({ sub: 'dave', symbols: ['AAPL', 'BTC-*'] }, { expInS: 600 }));
    c.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'BTC-USD'], channels: ['ticker'] });
    await c.next('subscribed', (m) => m.id === 1);
    c.send({ type: 'refresh', id: 2, token: await mintToken({ sub: 'dave', symbols: ['BTC-*'] }, { expInS: 600 }) });
    await c.next('refreshed', (m) => m.id === 2);
    expect(await c.next('error', (m) => m.id === 2)).toMatchObject({ code: 'forbidden', symbols: ['AAPL'] });
    const mark = c.messages.length;
    // BTC-USD keeps coming, AAPL does not.
    await c.next('update', (m) => c.messages.indexOf(m) > mark && m.items.some((i) => i.s === 'BTC-USD'));
    const later = c.messages.slice(mark).filter((m) => m.type === 'update') as { items: { s: string }[] }[];
    expect(later.some((m) => m.items.some((i) => i.s === 'AAPL'))).toBe(false);
    c.close();
  });

  it('keeps static tokens beside JWTs: full access, no expiry', async () => {
    const c = await open('static-token');
    expect((c.messages[0] as { expires?: number }).expires).toBeUndefined();
    c.send({ type: 'subscribe', id: 1, symbols: ['MSFT'], channels: ['trades'] });
    expect((await c.next('subscribed', (m) => m.id === 1)).symbols).toEqual(['MSFT']);
    c.close();
  });
});

describe('over SSE', () => {
  it('refreshes through a control POST, and the narrowed session stays its owner\'s', async () => {
    const first = await mintToken({ sub: 'erin', symbols: ['AAPL', 'MSFT'] }, { expInS: 600 });
    const ac = new AbortController();
    const res = await fetch(`${n.url}/sse?symbols=AAPL,MSFT`, { headers: { Authorization: `Bearer ${first}` }, signal: ac.signal });
    const reader = res.body!.getReader();
    let text = '';
    while (!/"control":"([^"]+)"/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const control = /"control":"([^"]+)"/.exec(text)![1];
    expect(text).toMatch(/"expires":\d+/);
    const second = await mintToken({ sub: 'erin', symbols: ['MSFT'] }, { expInS: 900 });
    const post = (token: string, body: object) =>
      fetch(`${n.url}${control}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const r = await post(first, { type: 'refresh', id: 4, token: second });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ type: 'refreshed', id: 4, expires: expect.any(Number) });
    // The new token (same sub) now drives the session.
    const p = await post(second, { type: 'ping', id: 5 });
    expect(p.status).toBe(200);
    while (!/"code":"forbidden"/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/"code":"forbidden"[^}]*"symbols":\["AAPL"\]/);
    ac.abort();
  });
});
