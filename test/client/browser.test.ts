/**
 * MarketClient in a real browser: bundled by Vite exactly as an app would (no Node modules may
 * sneak in), run in Chromium with the browser's own WebSocket, EventSource and fetch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/browser.js';
import { createNode, type Node } from '../../server/node/all.js';
import { loadConfig } from '../../server/config.js';
import type { MarketClient as BundledClient } from '../../shared/client/index.js';

const PAGE = '<!doctype html><script type="module" src="./boot.js"></script>';
const BOOT = "import { MarketClient } from './client.js'; window.MarketClient = MarketClient;";
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let out: string;
let bundle: string;
let run: { url: string; node: Node };
let browser: Browser;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'tickwire-client-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    build: { lib: { entry: join(ROOT, 'shared/client/index.ts'), formats: ['es'], fileName: 'client' }, outDir: out, emptyOutDir: true, minify: false },
  });
  bundle = readFileSync(join(out, 'client.js'), 'utf8');
  // The page and the bundle come from the server itself, as the dashboard does: same origin,
  // and a loopback page (Chromium blocks a public page from reaching a local server).
  const node = await createNode({ ...loadConfig({ LOG_LEVEL: 'silent', FEED_RATE: '20', FEED_SYMBOLS: '20' }), port: 0, host: '127.0.0.1' });
  node.app.get('/client-test/index.html', (_req, reply) => reply.type('text/html').send(PAGE));
  node.app.get('/client-test/boot.js', (_req, reply) => reply.type('text/javascript').send(BOOT));
  node.app.get('/client-test/client.js', (_req, reply) => reply.type('text/javascript').send(bundle));
  [run, browser] = await Promise.all([node.start().then((url) => ({ url, node })), chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })]);
});

afterAll(async () => {
  await browser?.close();
  await run?.node.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

it.each(['ws', 'sse'] as const)('runs in Chromium over %s from a Vite bundle', async (transport) => {
  expect(bundle).not.toMatch(/from\s*["']node:|require\(["']node:/);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${run.url}/client-test/index.html`);
  await page.waitForFunction(() => 'MarketClient' in window);
  const result = await page.evaluate(
    async ({ url, transport }) => {
      const { MarketClient } = window as unknown as { MarketClient: typeof BundledClient };
      const client = new MarketClient({ urls: url, transport });
      const kinds: string[] = [];
      const seqs: number[] = [];
      await new Promise<void>((resolve) => {
        client.on('change', (c) => {
          kinds.push(c.kind);
          seqs.push(c.seq);
          if (kinds.filter((k) => k === 'update').length >= 3) resolve();
        });
        client.subscribe(['AAPL']);
      });
      const status = client.status;
      const state = client.state('AAPL', 'ticker');
      client.close();
      return { kinds, seqs, status, state };
    },
    { url: run.url, transport },
  );
  await page.close();
  expect(errors).toEqual([]);
  expect(result.status).toMatchObject({ state: 'live', transport });
  expect(result.kinds[0]).toBe('snapshot');
  for (let i = 1; i < result.seqs.length; i++) expect(result.seqs[i]).toBeGreaterThan(result.seqs[i - 1]);
  expect(result.state?.seq).toBe(result.seqs.at(-1));
  expect(result.state?.state).toMatchObject({ last: expect.any(Number), ts: expect.any(Number) });
});
