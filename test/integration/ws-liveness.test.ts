import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type Running } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

let srv: Running;
beforeAll(async () => {
  srv = await startNode({ WS_PING_MS: '200', FEED_SYMBOLS: '5' });
});
afterAll(() => srv.close());

describe('WebSocket liveness', () => {
  it('pings every socket and drops one that never answers', async () => {
    const port = Number(new URL(srv.url).port);
    const sock = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    sock.on('data', (b) => received.push(b));
    sock.write(
      'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const started = Date.now();
    await new Promise<void>((resolve) => sock.on('close', () => resolve()));
    const all = Buffer.concat(received);
    expect(all.toString('latin1')).toMatch(/^HTTP\/1.1 101/);
    // a ping frame (opcode 0x9) came before the server gave up on us
    expect(all.includes(0x89)).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    await until('the session dropped', () => srv.node.hub.sessions.size === 0, 1000, 20);
  });
});
