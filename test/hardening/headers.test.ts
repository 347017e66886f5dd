/** Security headers on the dashboard's responses (and the API's): CSP, nosniff, referrer, framing. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../server/http/security.js';
import { startNode, type Running } from '../helpers/node.js';

const web = mkdtempSync(join(tmpdir(), 'tickwire-web-'));

describe('the dashboard responses', () => {
  let n: Running;
  beforeAll(async () => {
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>t</title><script type="module" src="/app.js"></script>');
    writeFileSync(join(web, 'app.js'), 'console.log(1)');
    n = await startNode({ FEED_SYMBOLS: '10', WEB_DIR: web });
  });
  afterAll(async () => {
    await n?.close();
    rmSync(web, { recursive: true, force: true });
  });

  it('carry a CSP that allows only this host, its own ws/wss, and no framing', async () => {
    const res = await fetch(`${n.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    const host = new URL(n.url).host;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('carry nosniff, no-referrer (a ?token= never leaks) and DENY framing, on files and API alike', async () => {
    for (const path of ['/', '/app.js', '/api/symbols', '/healthz']) {
      const res = await fetch(n.url + path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });

  it('keep a hostile Host header out of the CSP', () => {
    expect(contentSecurityPolicy("evil.com; script-src 'unsafe-inline'", false)).toContain("connect-src 'self';");
    expect(contentSecurityPolicy('[::1]:8080', false)).toContain('ws://[::1]:8080 wss://[::1]:8080');
    expect(contentSecurityPolicy('example.com', true)).toContain("connect-src 'self' wss://example.com;");
  });
});
