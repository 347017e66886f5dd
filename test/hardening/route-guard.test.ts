/**
 * Guards decide on the route that serves a request, never on its spelling. Every spelling of a
 * guarded path is sent raw (clients would normalise it) against a server with tokens and
 * origins: none is served without a token, and with one each gets the canonical answer or a
 * refusal. The per-address stream limits count every spelling of /ws and /sse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, rawRequest, upgrade } from '../helpers/raw-http.js';
import { startNode, type Running } from '../helpers/node.js';

const TOKEN = 'abc';
let n: Running;
let port: number;
beforeAll(async () => {
  n = await startNode({ FEED_SYMBOLS: '5', AUTH_TOKENS: TOKEN, ALLOWED_ORIGINS: 'http://good.example', LIMIT_NEW_CONNECTIONS: '0' });
  port = Number(new URL(n.url).port);
});
afterAll(() => n.close());

/** Spellings of guarded GET routes; `{abs}` becomes this server's absolute-form prefix. */
const HTTP = [
  ['/metrics', '/metrics'],
  ['/%6detrics', '/metrics'],
  ['/%6Detrics', '/metrics'],
  ['/metrics#x', '/metrics'],
  ['/metrics?', '/metrics'],
  ['{abs}/metrics', '/metrics'],
  ['//metrics', '/metrics'],
  ['/metrics/', '/metrics'],
  ['/./metrics', '/metrics'],
  ['/api/../metrics', '/metrics'],
  ['/%2fmetrics', '/metrics'],
  ['/metrics%23x', '/metrics'],
  ['/metrics;x', '/metrics'],
  ['/%61pi/symbols', '/api/symbols'],
  ['/api/%73ymbols', '/api/symbols'],
  ['/api//symbols', '/api/symbols'],
  ['/API/symbols', '/api/symbols'],
  ['{abs}/api/symbols', '/api/symbols'],
  ['/ss%65', '/sse'],
  ['/sse#x', '/sse'],
  ['/sse/', '/sse'],
  ['{abs}/sse', '/sse'],
  ['/no-such-route', '/no-such-route'],
] as const;

const WS = ['/ws', '/w%73', '/%77s', '/ws#x', '/./ws', '/ws/', '//ws', '/ws?', '/WS', '/ws%3f', '{abs}/ws'] as const;

const spell = (t: string) => t.replace('{abs}', `http://127.0.0.1:${port}`);
/** Appends the token, unless a fragment or a bare `?` ends the target (then it would not count). */
const withToken = (t: string) => (/[#?]$|#/.test(t) ? t : `${t}${t.includes('?') ? '&' : '?'}token=${TOKEN}`);

describe('every spelling of a guarded route', () => {
  it('is refused without a token, from an allowed origin or none', async () => {
    for (const [t] of HTTP) {
      for (const headers of [{}, { Origin: 'http://good.example' }] as Record<string, string>[]) {
        const a = await rawRequest(port, get(spell(t), headers), { maxBody: 1 });
        expect([t, a.status]).toEqual([t, expect.not.toBeOneOf([200, 101])]);
        expect([t, a.status]).toEqual([t, expect.toBeOneOf([400, 401, 403, 404])]);
      }
    }
    for (const t of WS) {
      const a = await rawRequest(port, upgrade(spell(t)));
      expect([t, a.status]).toEqual([t, expect.toBeOneOf([400, 401, 403, 404])]);
    }
    expect(n.node.hub.sessions.size).toBe(0);
  });

  it('is refused from a foreign origin even with a token', async () => {
    for (const [t] of HTTP) {
      const a = await rawRequest(port, get(spell(withToken(t)), { Origin: 'http://evil.example' }), { maxBody: 1 });
      expect([t, a.status]).toEqual([t, expect.toBeOneOf([400, 403, 404])]);
      expect(a.head).not.toMatch(/access-control-allow-origin/i);
    }
    for (const t of WS) {
      const a = await rawRequest(port, upgrade(spell(withToken(t)), { Origin: 'http://evil.example' }));
      expect([t, a.status]).toEqual([t, expect.toBeOneOf([400, 403, 404])]);
    }
  });

  it('gets, with a token, the canonical answer or a refusal, never something else', async () => {
    const canonical = new Map<string, number>();
    for (const [, c] of HTTP) if (!canonical.has(c)) canonical.set(c, (await rawRequest(port, get(withToken(c)), { maxBody: 1 })).status);
    expect(canonical.get('/metrics')).toBe(200);
    expect(canonical.get('/api/symbols')).toBe(200);
    expect(canonical.get('/sse')).toBe(200);
    for (const [t, c] of HTTP) {
      const a = await rawRequest(port, get(spell(withToken(t))), { maxBody: 1 });
      if (a.status < 400) expect([t, a.status]).toEqual([t, canonical.get(c)]);
      else expect([t, a.status]).toEqual([t, expect.toBeOneOf([400, 401, 403, 404])]);
    }
    for (const t of WS) {
      const a = await rawRequest(port, upgrade(spell(withToken(t))));
      expect([t, a.status]).toEqual([t, expect.toBeOneOf([101, 400, 401, 404])]);
    }
  });

  it('leaves the open routes open: /healthz', async () => {
    expect((await rawRequest(port, get('/healthz'), { maxBody: 1 })).status).toBe(200);
    expect((await rawRequest(port, get('/%68ealthz'), { maxBody: 1 })).status).toBe(200);
  });
});

describe('per-address stream limits across spellings', () => {
  let m: Running;
  beforeAll(async () => (m = await startNode({ FEED_SYMBOLS: '5', LIMIT_CONNECTIONS_PER_IP: '3', LIMIT_NEW_CONNECTIONS: '0' })));
  afterAll(() => m.close());

  it('counts /ws, /w%73, /%77s and the absolute form as one route', async () => {
    const p = Number(new URL(m.url).port);
    const net = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const open = (target: string) =>
      new Promise<number>((resolve) => {
        const s = net.connect(p, '127.0.0.1', () => s.write(upgrade(target)));
        held.push(s);
        let buf = '';
        s.on('data', (c: Buffer) => {
          buf += c.toString('latin1');
          if (buf.includes('\r\n')) resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0));
        });
        s.on('close', () => resolve(0));
      });
    const answers = [];
    for (const t of ['/ws', '/w%73', '/%77s', `http://127.0.0.1:${p}/ws`, '/w%73']) answers.push(await open(t));
    for (const s of held) s.destroy();
    expect(answers).toEqual([101, 101, 101, 429, 429]);
  });
});
