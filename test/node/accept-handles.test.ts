/**
 * ACCEPT_HANDLES: the listening socket watched through more descriptors accepts that many
 * queued connections in one event-loop iteration, hands them to the server as its own, and stops
 * with the server (the port refuses once it is closed).
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

  it('accepts one queued connection per descriptor in an iteration, all as the server\'s own', async () => {
    const server = net.createServer({ allowHalfOpen: true });
    const seen: net.Socket[] = [];
    server.on('connection', (s) => seen.push(s));
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 64 }, r));
    const handles: AcceptHandles = addAcceptHandles(server, 4, 64);
    cleanup.push(() => new Promise((r) => server.close(r)), () => handles.close());
    await until('three more descriptors listening', () => handles.count === 3);

    const clients = Array.from({ length: 8 }, () => net.connect(portOf(server), '127.0.0.1'));
    cleanup.push(() => clients.forEach((c) => c.destroy()), () => seen.forEach((s) => s.destroy()));
    // Hold the loop (a busy iteration) while the kernel completes the eight handshakes into the queue.
    const end = performance.now() + 100;
    while (performance.now() < end);
    const firstIteration = await new Promise<number>((r) => setImmediate(() => r(seen.length)));
    expect(firstIteration).toBe(4);
    await until('all eight accepted', () => seen.length === 8);
    expect(seen.every((s) => s.allowHalfOpen)).toBe(true); // the server's socket options
  });

  it('stops with the server: nothing listens on the port once it is closed', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1' }, r));
    const port = portOf(server);
    const handles = addAcceptHandles(server, 3, 511);
    await until('two more descriptors listening', () => handles.count === 2);
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())));
    expect(answers.every((a) => a === 'ok')).toBe(true);
    handles.close();
    await new Promise((r) => server.close(r));
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  it('one handle: nothing is added', () => {
    const server = net.createServer();
    const handles = addAcceptHandles(server, 1, 511);
    expect(handles.count).toBe(0);
    handles.close();
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
