/**
 * CORS and the origin rule with ALLOWED_ORIGINS: listed origins read the API (REST and SSE) with
 * CORS headers, preflights need no token, other origins get 403 without CORS headers; the Host
 * header decides nothing (DNS rebinding) and the scheme must match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, rawRequest, upgrade } from '../helpers/raw-http.js';
import { startNode, type Running } from '../helpers/node.js';

const GOOD = 'http://good.example';
let n: Running;
let port: number;
beforeAll(async () => {
  n = await startNode({ FEED_SYMBOLS: '5', AUTH_TOKENS: 'abc', ALLOWED_ORIGINS: `${GOOD}, https://other.example:8443` });
  port = Number(new URL(n.url).port);
});
afterAll(() => n.close());

const auth = { Authorization: 'Bearer abc' };

describe('CORS with ALLOWED_ORIGINS', () => {
  it('gives an allowed origin its Access-Control-Allow-Origin on REST and SSE, with Vary: Origin', async () => {
    const rest = await fetch(`${n.url}/api/symbols`, { headers: { ...auth, Origin: GOOD } });
    expect(rest.status).toBe(200);
    expect(rest.headers.get('access-control-allow-origin')).toBe(GOOD);
    expect(rest.headers.get('vary')).toMatch(/Origin/i);
    const ac = new AbortController();
    const sse = await fetch(`${n.url}/sse?symbols=AAPL`, { headers: { ...auth, Origin: GOOD }, signal: ac.signal });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('access-control-allow-origin')).toBe(GOOD);
    ac.abort();
  });

  it('answers a preflight without a token, naming the methods and headers the API uses', async () => {
    const res = await fetch(`${n.url}/sse/some-session`, {
      method: 'OPTIONS',
      headers: { Origin: GOOD, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(GOOD);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('refuses other origins 403 without CORS headers, preflights included', async () => {
    for (const origin of ['http://evil.example', 'http://good.example:81', 'https://good.example', 'null', 'http://good.example.evil.example']) {
      const res = await fetch(`${n.url}/api/symbols`, { headers: { ...auth, Origin: origin } });
      expect([origin, res.status]).toEqual([origin, 403]);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(await res.json()).toMatchObject({ type: 'error', code: 'unauthorized' });
      const pre = await fetch(`${n.url}/api/symbols`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' } });
      expect([origin, pre.status]).toEqual([origin, 403]);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('compares the listed origin exactly, default ports normalised', async () => {
    const res = await fetch(`${n.url}/api/symbols`, { headers: { ...auth, Origin: 'https://other.example:8443' } });
    expect(res.status).toBe(200);
    const res2 = await fetch(`${n.url}/api/symbols`, { headers: { ...auth, Origin: 'http://GOOD.example:80' } });
    expect(res2.status).toBe(200);
  });

  it('lets the loopback origin of this very port and scheme through, so a local dashboard works', async () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      const res = await fetch(`${n.url}/api/symbols`, { headers: { ...auth, Origin: `http://${host}:${port}` } });
      expect([host, res.status]).toEqual([host, 200]);
    }
    // Another port, or https on this plain-http port, is another origin.
    expect((await fetch(`${n.url}/api/symbols`, { headers: { ...auth, Origin: `http://127.0.0.1:${port + 1}` } })).status).toBe(403);
    expect((await fetch(`${n.url}/api/symbols`, { headers: { ...auth, Origin: `https://127.0.0.1:${port}` } })).status).toBe(403);
  });

  it('lets the Host header decide nothing: a rebinding origin is refused on REST and WebSocket', async () => {
    const h = { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}`, ...auth };
    expect((await rawRequest(port, get('/api/symbols', h), { maxBody: 1 })).status).toBe(403);
    expect((await rawRequest(port, upgrade('/ws?token=abc', { Host: h.Host, Origin: h.Origin }))).status).toBe(403);
  });
});
