/**
 * ACCEPT_HANDLES: the listening socket watched through more descriptors accepts that many
 * queued connections in one event-loop iteration (the spares only in a burst), hands them to the
 * server as its own, and stops with the server (the port refuses once it is closed).
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { addAcceptHandles, type AcceptHandles } from '../../server/node/accept-handles.js';
import { startNode } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

/** Connects, resolving to the error code if refused, or 'open' once connected (then closes). */
const tryConnect = (port: number) =>
  new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve('open');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });

describe('accept handles', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  /** Connections accepted in each of the next `k` event-loop iterations (counted at their check phase). */
  const perIteration = (seen: unknown[], k: number) =>
    new Promise<number[]>((resolve) => {
      const counts: number[] = [];
      const step = () => {
        counts.push(seen.length - counts.reduce((a, b) => a + b, 0));
        if (counts.length === k) resolve(counts);
        else setImmediate(step);
      };
      setImmediate(step);
    });

  it('accepts one queued connection per watching descriptor; a burst brings the spares in, calm sends them away', async () => {
    const server = net.createServer({ allowHalfOpen: true });
    const seen: net.Socket[] = [];
    server.on('connection', (s) => seen.push(s));
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 64 }, r));
    const handles: AcceptHandles = addAcceptHandles(server, { calm: 2, most: 8, backlog: 64, calmMs: 300 });
    cleanup.push(() => new Promise((r) => server.close(r)), () => handles.close());
    await until('seven more descriptors held, one watching', () => handles.held === 7 && handles.watching === 1);

    const clients = Array.from({ length: 16 }, () => net.connect(portOf(server), '127.0.0.1'));
    cleanup.push(() => clients.forEach((c) => c.destroy()), () => seen.forEach((s) => s.destroy()));
    // Hold the loop (a busy iteration) while the kernel completes the handshakes into the queue.
    const end = performance.now() + 100;
    while (performance.now() < end);
    // Two watching (the server's own and one): both accept, a burst; then all eight watch.
    expect(await perIteration(seen, 2)).toEqual([2, 8]);
    expect(handles.watching).toBe(7);
    await until('all sixteen accepted', () => seen.length === 16);
    expect(seen.every((s) => s.allowHalfOpen)).toBe(true); // the server's socket options
    // No burst for calmMs: the spares stop watching (closed), and fresh ones are fetched.
    await until('back to one watching and seven held', () => handles.watching === 1 && handles.held === 7, 10_000);
  });

  it('stops with the server: nothing listens on the port once it is closed', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1' }, r));
    const port = portOf(server);
    const handles = addAcceptHandles(server, { calm: 2, most: 4, backlog: 511 });
    await until('one watching, two spare', () => handles.held === 3 && handles.watching === 1);
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())));
    expect(answers.every((a) => a === 'ok')).toBe(true);
    await handles.close();
    await new Promise((r) => server.close(r));
    expect(await tryConnect(port)).toBe('ECONNREFUSED'); // the spares, never watching, were closed too
  });

  it('one handle: nothing is added', () => {
    const server = net.createServer();
    const handles = addAcceptHandles(server, { most: 1, backlog: 511 });
    expect(handles.held).toBe(0);
    void handles.close();
  });

  it('a node serves through them, and its port refuses once the node has closed', async () => {
    const running = await startNode({ ACCEPT_HANDLES: '8' });
    const port = Number(new URL(running.url).port);
    await until('/healthz through any descriptor', async () => (await fetch(`${running.url}/healthz`)).ok);
    const many = await Promise.all(Array.from({ length: 50 }, () => fetch(`${running.url}/healthz`, { headers: { connection: 'close' } }).then((r) => r.status)));
    expect(many.every((s) => s === 200)).toBe(true);
    await running.close();
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });
});
