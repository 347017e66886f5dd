/** TLS_CERT and TLS_KEY: https and wss on the one port, with a certificate made for the test. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createNode } from '../../server/node/all.js';
import { loadConfig } from '../../server/config.js';
import { decode, encode } from '../../shared/codec.js';
import type { ServerMessage } from '../../shared/protocol.js';
import { startNode, type Running } from '../helpers/node.js';

const dir = mkdtempSync(join(tmpdir(), 'tickwire-tls-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
let ca: Buffer;

/** GET over https trusting only the test's CA; resolves with status, headers and body. */
function httpsGet(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

describe('with TLS_CERT and TLS_KEY', () => {
  let n: Running;
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    ca = readFileSync(certFile);
    n = await startNode({ FEED_SYMBOLS: '10', TLS_CERT: certFile, TLS_KEY: keyFile });
  });
  afterAll(async () => {
    await n?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves https on its port, verified against the certificate', async () => {
    expect(n.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await httpsGet(`${n.url}/healthz`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ status: 'ok' });
    expect(String(r.headers['content-security-policy'])).toContain(`wss://${new URL(n.url).host}`);
    expect(String(r.headers['content-security-policy'])).not.toContain('ws://');
  });

  it('serves the protocol over wss', async () => {
    expect(n.wsUrl).toMatch(/^wss:/);
    const ws = new WebSocket(n.wsUrl, { ca });
    const got: ServerMessage[] = [];
    const snapshot = new Promise<ServerMessage>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const m = decode(data);
        if (!m.ok) return reject(new Error(m.error));
        got.push(m.value as ServerMessage);
        if ((m.value as ServerMessage).type === 'hello') ws.send(encode({ type: 'subscribe', symbols: ['AAPL'] }));
        if ((m.value as ServerMessage).type === 'snapshot') resolve(m.value as ServerMessage);
      });
      ws.on('error', reject);
    });
    expect(await snapshot).toMatchObject({ type: 'snapshot', items: [{ s: 'AAPL', ch: 'ticker' }] });
    expect(got[0].type).toBe('hello');
    ws.close();
  });

  it('refuses a client that does not trust the certificate, and plain http', async () => {
    const untrusted = new WebSocket(n.wsUrl);
    const err = await new Promise<Error>((resolve) => untrusted.on('error', resolve));
    expect(err.message).toMatch(/self[- ]signed/i);
    const plain = await fetch(n.url.replace('https', 'http') + '/healthz').then(
      (r) => r.status,
      () => 'failed',
    );
    expect(plain).not.toBe(200);
  });

  it('refuses to start with only one of the two files', async () => {
    const config = { ...loadConfig({ LOG_LEVEL: 'silent', TLS_CERT: certFile }), port: 0, host: '127.0.0.1' };
    await expect(createNode(config)).rejects.toThrow(/TLS_CERT and TLS_KEY/);
  });
});
