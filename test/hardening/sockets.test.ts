/**
 * TCP-level limits: idle connections from one address cannot exhaust the server. Linux routes
 * all of 127/8 to loopback, so the flood comes from 127.0.0.2 and the bystander from 127.0.0.1.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type Running } from '../helpers/node.js';

let n: Running;
let port: number;
beforeAll(async () => {
  n = await startNode({ FEED_SYMBOLS: '5', LIMIT_SOCKETS_PER_IP: '100', HEADERS_TIMEOUT_MS: '1500' });
  port = Number(new URL(n.url).port);
});
afterAll(() => n.close());

/** Opens a socket from `localAddress` that sends nothing; resolves once connected. */
function idle(localAddress: string, closed: Set<net.Socket>): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.on('close', () => closed.add(s));
    s.on('error', () => {});
    s.once('error', reject);
  });
}

describe('LIMIT_SOCKETS_PER_IP and HEADERS_TIMEOUT_MS', () => {
  it('keep at most 100 of 600 idle sockets from one address, close the rest after the head timeout, and serve others meanwhile', { timeout: 90_000 }, async () => {
    const closed = new Set<net.Socket>();
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 600; i++) sockets.push(await idle('127.0.0.2', closed));
    // The server destroys refused sockets at accept: wait until 500 have seen their close.
    await expect.poll(() => closed.size, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(500);
    expect(n.node.app.sockets?.byIp.get('127.0.0.2') ?? 0).toBeLessThanOrEqual(100);

    const health = await fetch(`${n.url}/healthz`);
    expect(health.status).toBe(200);

    // None sent a request head: once HEADERS_TIMEOUT_MS (1.5 s) has passed the server holds none
    // of them. (Counted on the server: a client socket whose final ACK the kernel dropped while the
    // accept queue was full never learns of it, and it is not the server's to close.)
    await expect.poll(() => n.node.app.sockets?.byIp.get('127.0.0.2') ?? 0, { timeout: 30_000, interval: 100 }).toBe(0);
    await expect.poll(() => closed.size, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(590);

    const metrics = await (await fetch(`${n.url}/metrics`)).text();
    const refused = Number(/tickwire_rejected_total\{reason="sockets_per_ip"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(refused).toBeGreaterThanOrEqual(500);
  });

  it('closes a half-sent request head after the timeout, but not a WebSocket or an event stream', async () => {
    const closed = new Set<net.Socket>();
    const half = await idle('127.0.0.3', closed);
    half.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // never finished
    const sse = await fetch(`${n.url}/sse?symbols=AAPL`);
    const reader = sse.body!.getReader();
    await reader.read();
    await expect.poll(() => closed.has(half), { timeout: 10_000, interval: 100 }).toBe(true);
    // The stream outlived the head timeout: it still delivers.
    const chunk = await reader.read();
    expect(chunk.done).toBe(false);
    await reader.cancel();
  });
});
