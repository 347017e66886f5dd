/**
 * MarketClient with JWTs (protocol 1.1 section 4) against a real node with AUTH_JWT_SECRET:
 * getToken() gives the token of each connection and refreshes it before `hello.expires`, over
 * WebSocket and SSE, without a reconnect; a limited token's refused streams leave the subscriptions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MarketClient } from '../../shared/client/index.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';
import { startNode, type Running } from '../helpers/node.js';
import { makeClient } from './recorder.js';

const clients: MarketClient[] = [];
const nodes: Running[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

async function jwtNode(): Promise<Running> {
  const n = await startNode({ FEED_RATE: '20', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000', AUTH_JWT_SECRET: TEST_JWT_SECRET });
  nodes.push(n);
  return n;
}

describe.each(['ws', 'sse'] as const)('MarketClient getToken over %s', (transport) => {
  it('refreshes a short-lived token before it expires, again and again, on the same connection', async () => {
    const n = await jwtNode();
    const minted: number[] = [];
    const getToken = async () => {
      minted.push(Date.now());
      return mintToken({ sub: 'quant-1' }, { expInS: 3 });
    };
    const r = makeClient({ urls: n.url, transport, getToken }, clients);
    r.client.subscribe(['AAPL']);
    await r.until('updates', () => r.count((c) => c.kind === 'update') > 0);
    const session = r.client.connection!.session;
    // The third token is asked for only once the server has answered the second's refresh.
    await r.until('two refreshes', () => minted.length >= 3, 10_000);
    const mark = r.changes.length;
    await r.until('updates after the refreshes', () => r.count((c) => c.kind === 'update', mark) > 3);
    expect(r.client.connection!.session).toBe(session);
    expect(r.statuses.filter((s) => s.state === 'reconnecting')).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.gaps).toEqual([]);
  }, 20_000);
});

describe('MarketClient at token expiry', () => {
  it('reconnects at once with a fresh token after token_expired', async () => {
    const n = await jwtNode();
    let calls = 0;
    // 1st: expired 28 s ago, still inside the server's 30 s leeway (cut in about 2 s); 2nd (the
    // refresh): getToken fails, so the connection reaches its cutoff; 3rd: a good token.
    const getToken = async () => {
      calls++;
      if (calls === 2) throw new Error('token service down');
      return mintToken({ sub: 'quant-3' }, { expInS: calls === 1 ? -28 : 600 });
    };
    const r = makeClient({ urls: n.url, transport: 'ws', getToken }, clients);
    r.client.subscribe(['AAPL']);
    await r.until('updates with the first token', () => r.count((c) => c.kind === 'update') > 0);
    const session = r.client.connection!.session;
    await r.until('token_expired', () => r.errors.some((e) => e.code === 'token_expired'), 10_000);
    await r.until('a new connection', () => r.client.status.state === 'live' && r.client.connection!.session !== session);
    expect(r.statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ reason: 'token_expired' });
    const mark = r.changes.length;
    await r.until('updates with the fresh token', () => r.count((c) => c.kind === 'update', mark) > 2);
    expect(calls).toBe(3);
  }, 20_000);
});

describe('MarketClient with a limited token', () => {
  it('stops asking for the streams the token does not cover and keeps the others', async () => {
    const n = await jwtNode();
    const token = await mintToken({ sub: 'crypto-only', symbols: ['BTC-*'] });
    const r = makeClient({ urls: n.url, transport: 'ws', getToken: () => token }, clients);
    r.client.subscribe(['AAPL', 'BTC-USD'], { channels: ['ticker', 'trades'] });
    await r.until('forbidden', () => r.errors.some((e) => e.code === 'forbidden'));
    expect(r.errors.find((e) => e.code === 'forbidden')!.symbols).toEqual(['AAPL']);
    await r.until('BTC-USD updates', () => r.count((c) => c.symbol === 'BTC-USD' && c.kind === 'update') > 2);
    expect(r.client.subscriptions.map((s) => `${s.symbol}|${s.channel}`)).toEqual(['BTC-USD|ticker', 'BTC-USD|trades']);
    expect(r.client.state('AAPL', 'ticker')).toBeUndefined();
  });

  it.each(['ws', 'sse'] as const)('retries a refused token with a fresh one from getToken over %s', async (transport) => {
    const n = await jwtNode();
    let calls = 0;
    const getToken = async () => (++calls === 1 ? 'not-a-jwt' : mintToken({ sub: 'quant-2' }));
    const r = makeClient({ urls: n.url, transport, getToken }, clients);
    r.client.subscribe(['MSFT']);
    await r.until('updates with the second token', () => r.count((c) => c.kind === 'update') > 0);
    expect(calls).toBeGreaterThanOrEqual(2);
    // The refusal is visible in the status (a dashboard asks the user for a new token on it).
    const refused = r.statuses.find((s) => s.state === 'reconnecting');
    expect(refused && refused.state === 'reconnecting' && refused.reason).toMatch(/\b401\b/);
  });
});
