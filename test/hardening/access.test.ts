/** AUTH_TOKENS and ALLOWED_ORIGINS: refused before any upgrade, open paths stay open. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RawClient, startNode, type Running } from '../helpers/node.js';

interface Answer {
  status: number;
  body?: { type: string; code: string; message: string };
  headers?: Record<string, unknown>;
}

/** Opens a WebSocket: `{status: 101}` when it opened, else the HTTP answer it got instead. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.terminate();
      resolve({ status: 101 });
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers });
      });
    });
    ws.on('error', reject);
  });
}

/** Opens an SSE stream and returns its status and (for a refusal) its body, then drops it. */
async function sse(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  if (res.status === 200) {
    ac.abort();
    return { status: 200 };
  }
  return { status: res.status, body: await res.json() };
}

describe('with AUTH_TOKENS set', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '10', AUTH_TOKENS: 'alpha-token, beta-token' })));
  afterAll(() => n.close());

  it('answers a WebSocket handshake without a token 401 with an unauthorized error, and opens none', async () => {
    const a = await handshake(n.wsUrl);
    expect(a.status).toBe(401);
    expect(a.body).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(a.headers?.['www-authenticate']).toMatch(/^Bearer/);
    expect(n.node.hub.sessions.size).toBe(0);
  });

  it('refuses a wrong token, in the query or as a bearer header', async () => {
    expect((await handshake(`${n.wsUrl}?token=gamma-token`)).status).toBe(401);
    expect((await handshake(n.wsUrl, { Authorization: 'Bearer alpha' })).status).toBe(401);
    expect((await handshake(n.wsUrl, { Authorization: 'Basic alpha-token' })).status).toBe(401);
  });

  it('accepts any listed token, in the query or as a bearer header', async () => {
    expect((await handshake(`${n.wsUrl}?token=alpha-token`)).status).toBe(101);
    expect((await handshake(n.wsUrl, { Authorization: 'Bearer beta-token' })).status).toBe(101);
    const c = await RawClient.open(`${n.wsUrl}?token=beta-token`);
    c.send({ type: 'ping', id: 1 });
    expect((await c.next('pong')).id).toBe(1);
    c.close();
  });

  it('guards SSE streams, control POSTs, the REST API and /metrics', async () => {
    expect(await sse(`${n.url}/sse?symbols=AAPL`)).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect((await sse(`${n.url}/sse?symbols=AAPL&token=alpha-token`)).status).toBe(200);
    const post = await fetch(`${n.url}/sse/whatever`, { method: 'POST', body: '{"type":"ping"}' });
    expect(post.status).toBe(401);
    expect((await fetch(`${n.url}/api/symbols`)).status).toBe(401);
    expect((await fetch(`${n.url}/api/symbols`, { headers: { Authorization: 'Bearer alpha-token' } })).status).toBe(200);
    expect((await fetch(`${n.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${n.url}/metrics?token=beta-token`)).status).toBe(200);
  });

  it('leaves /healthz open', async () => {
    const res = await fetch(`${n.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });
});

describe('with ALLOWED_ORIGINS set', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '10', ALLOWED_ORIGINS: 'https://dash.example.com,http://localhost:5173' })));
  afterAll(() => n.close());

  it('answers another origin 403 before the upgrade', async () => {
    const a = await handshake(n.wsUrl, { Origin: 'https://evil.example.net' });
    expect(a.status).toBe(403);
    expect(a.body).toMatchObject({ type: 'error', code: 'unauthorized', message: 'origin not allowed' });
    expect((await handshake(n.wsUrl, { Origin: 'null' })).status).toBe(403);
    expect((await sse(`${n.url}/sse`, { Origin: 'https://evil.example.net' })).status).toBe(403);
    expect((await fetch(`${n.url}/api/symbols`, { headers: { Origin: 'https://evil.example.net' } })).status).toBe(403);
  });

  it('allows listed origins, its own origin, and requests without an Origin', async () => {
    expect((await handshake(n.wsUrl, { Origin: 'https://dash.example.com' })).status).toBe(101);
    expect((await handshake(n.wsUrl, { Origin: 'http://localhost:5173' })).status).toBe(101);
    expect((await handshake(n.wsUrl, { Origin: n.url })).status).toBe(101);
    expect((await handshake(n.wsUrl)).status).toBe(101);
  });
});

describe('by default', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '10' })));
  afterAll(() => n.close());

  it('is open to any origin and needs no token', async () => {
    expect((await handshake(n.wsUrl, { Origin: 'https://anywhere.example.org' })).status).toBe(101);
    expect((await sse(`${n.url}/sse?symbols=AAPL`)).status).toBe(200);
    expect((await fetch(`${n.url}/api/symbols`)).status).toBe(200);
    expect((await fetch(`${n.url}/metrics`)).status).toBe(200);
  });
});
