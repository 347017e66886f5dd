/** Limits: advertised in hello.limits, and each one enforced the way the protocol says. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encode } from '../../shared/codec.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { sleep, until } from '../helpers/wait.js';

/** The HTTP status a WebSocket handshake got (101 when it opened), with the refusal body. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<{ status: number; code?: string; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: JSON.parse(text).code }));
    });
    ws.on('error', reject);
  });
}

describe('connections per client address', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '10', LIMIT_CONNECTIONS_PER_IP: '3', LIMIT_NEW_CONNECTIONS: '0' })));
  afterAll(() => n.close());

  it('are advertised in hello.limits with the protocol limits', async () => {
    const c = new RawClient(n.wsUrl);
    const hello = await c.next('hello');
    expect(hello.limits).toMatchObject({ symbols: 1000, rate: 50, payload: 65536, connections: 3 });
    expect(hello.limits).not.toHaveProperty('newConnections'); // 0: off, so not advertised
    c.close();
    await c.closed();
  });

  it('answer the connection over the limit 429 limit_exceeded before the upgrade, counting SSE streams too', async () => {
    await until('no sessions left', () => n.node.hub.sessions.size === 0);
    const a = await handshake(n.wsUrl);
    const b = await handshake(n.wsUrl);
    const ac = new AbortController();
    const stream = await fetch(`${n.url}/sse`, { signal: ac.signal });
    expect([a.status, b.status, stream.status]).toEqual([101, 101, 200]);

    const refused = await handshake(n.wsUrl);
    expect(refused).toMatchObject({ status: 429, code: 'limit_exceeded' });
    const sseRefused = await fetch(`${n.url}/sse`);
    expect(sseRefused.status).toBe(429);
    expect(sseRefused.headers.get('retry-after')).toBe('1');
    expect(n.node.hub.sessions.size).toBe(3);
    // REST requests are not streams: never counted.
    expect((await fetch(`${n.url}/api/symbols`)).status).toBe(200);

    // Closing one (the SSE stream) frees its place.
    ac.abort();
    await until('a place freed by the closed stream', async () => {
      const h = await handshake(n.wsUrl);
      h.ws?.close();
      return h.status === 101;
    });
    a.ws?.close();
    b.ws?.close();
  });
});

describe('the client address', () => {
  it('is the socket peer, so X-Forwarded-For cannot dodge the limit without TRUST_PROXY', async () => {
    const n = await startNode({ FEED_SYMBOLS: '10', LIMIT_CONNECTIONS_PER_IP: '1', LIMIT_NEW_CONNECTIONS: '0' });
    const a = await handshake(n.wsUrl, { 'X-Forwarded-For': '10.0.0.1' });
    expect((await handshake(n.wsUrl, { 'X-Forwarded-For': '10.0.0.2' })).status).toBe(429);
    a.ws?.close();
    await n.close();
  });

  it('comes from X-Forwarded-For with TRUST_PROXY, so clients behind one proxy count apart', async () => {
    const n = await startNode({ FEED_SYMBOLS: '10', LIMIT_CONNECTIONS_PER_IP: '1', LIMIT_NEW_CONNECTIONS: '0', TRUST_PROXY: '127.0.0.1' });
    const a = await handshake(n.wsUrl, { 'X-Forwarded-For': '10.0.0.1' });
    const b = await handshake(n.wsUrl, { 'X-Forwarded-For': '10.0.0.2' });
    expect([a.status, b.status]).toEqual([101, 101]);
    expect((await handshake(n.wsUrl, { 'X-Forwarded-For': '10.0.0.1' })).status).toBe(429);
    a.ws?.close();
    b.ws?.close();
    await n.close();
  });
});

describe('new connections per second', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '10', LIMIT_NEW_CONNECTIONS: '1' })));
  afterAll(() => n.close());

  it('admit a burst of twice the rate, refuse the next 429, and refill with time', async () => {
    const statuses: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 4; i++) {
      const h = await handshake(n.wsUrl);
      statuses.push(h.status);
      h.ws?.close();
    }
    // A refill of one token takes 1 s; these four take milliseconds.
    if (Date.now() - t0 < 900) expect(statuses).toEqual([101, 101, 429, 429]);
    // Refills with time: admitted again within a few refills (the bucket's arithmetic: test/lib).
    await until('a refilled token', async () => {
      const h = await handshake(n.wsUrl);
      h.ws?.close();
      return h.status === 101;
    }, 5000, 200);
  });
});

describe('per-connection limits', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_SYMBOLS: '10', LIMIT_PAYLOAD: '1024', LIMIT_RATE: '5', LIMIT_SYMBOLS: '3', LIMIT_NEW_CONNECTIONS: '0' })));
  afterAll(() => n.close());

  it('accept a frame of exactly limits.payload bytes and close a larger one 1009', async () => {
    const c = await RawClient.open(n.wsUrl);
    const fit = (size: number) => {
      const base = encode({ type: 'ping', id: 7, pad: '' }).length;
      const frame = encode({ type: 'ping', id: 7, pad: 'x'.repeat(size - base - 2) }); // str8 -> str16 header adds 2
      return frame;
    };
    const exact = fit(1024);
    expect(exact.length).toBe(1024);
    c.ws.send(exact);
    expect((await c.next('pong')).id).toBe(7);
    c.ws.send(Buffer.alloc(1025, 0x90));
    expect(await c.closed()).toBe(1009);
  });

  it('answer a text frame with bad_request and close 1003', async () => {
    const c = await RawClient.open(n.wsUrl);
    c.ws.send('{"type":"ping"}');
    expect((await c.next('error')).code).toBe('bad_request');
    expect(await c.closed()).toBe(1003);
  });

  it('subscribe at most limits.symbols symbols and list the refused ones', async () => {
    const c = await RawClient.open(n.wsUrl);
    c.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT', 'NVDA', 'SPY', 'QQQ'] });
    expect((await c.next('subscribed')).symbols).toEqual(['AAPL', 'MSFT', 'NVDA']);
    expect(await c.next('error')).toMatchObject({ id: 1, code: 'limit_exceeded', symbols: ['SPY', 'QQQ'] });
    c.close();
  });

  it('admit exactly a burst of 2 x rate control messages, refuse the next, and refill at the rate', async () => {
    const c = await RawClient.open(n.wsUrl);
    for (let i = 0; i < 12; i++) c.send({ type: 'ping', id: i });
    await c.next('error', (e) => e.code === 'rate_limited');
    await c.next('pong', (p) => p.id === 9);
    await sleep(100); // a window in which no further pong may come
    expect(c.of('pong').map((p) => p.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(c.of('error')).toHaveLength(1); // reported once, not once per refused message
    await sleep(450); // two tokens at 5 per second
    c.send({ type: 'ping', id: 100 });
    expect((await c.next('pong', (p) => p.id === 100)).id).toBe(100);
    expect(c.closeCode).toBeUndefined();
    c.close();
  });

  it('close 1008 a client that keeps going past the rate limit', async () => {
    const c = await RawClient.open(n.wsUrl);
    for (let i = 0; i < 40; i++) c.send({ type: 'ping', id: i });
    expect(await c.closed()).toBe(1008);
    // At most the burst is answered (admitted ones still queued when the close comes are dropped).
    expect(c.of('pong').every((p) => p.id! < 10)).toBe(true);
    expect(c.of('error').every((e) => e.code === 'rate_limited')).toBe(true);
    expect(c.of('error').length).toBeGreaterThanOrEqual(1);
    expect(n.node.hub.stats.rateLimited).toBeGreaterThan(10);
  });

  it('rate-limit SSE control POSTs the same way (429)', async () => {
    const ac = new AbortController();
    const res = await fetch(`${n.url}/sse`, { signal: ac.signal });
    const reader = res.body!.getReader();
    let text = '';
    while (!/"control":"([^"]+)"/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const control = /"control":"([^"]+)"/.exec(text)![1];
    const t0 = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => fetch(n.url + control, { method: 'POST', body: JSON.stringify({ type: 'ping', id: i }) }).then((r) => r.status)),
    );
    const admitted = statuses.filter((x) => x === 200).length;
    // The burst, plus what the bucket refilled while the requests came in.
    expect(admitted).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(10 + Math.ceil(((Date.now() - t0) * 5) / 1000));
    expect(statuses).toContain(429);
    // Past 2 x rate refusals the session is closed: further POSTs find no session (404).
    expect(statuses.every((x) => x === 200 || x === 429 || x === 404)).toBe(true);
    ac.abort();
  });
});
