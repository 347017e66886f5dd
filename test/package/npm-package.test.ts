/**
 * The TypeScript client as an npm package: the packed tarball holds compiled JS and .d.ts for
 * every `exports` entry; a scratch project with the tarball installed imports `tickwire/client`,
 * `tickwire/protocol` and `tickwire/codec` under plain node (no TypeScript loader) and streams
 * from a live node over WebSocket (`ws`) and SSE (`eventsource`); a consumer's TypeScript
 * typechecks against the shipped declarations alone; a browser bundle of `tickwire/client`
 * holds no Node import and streams in Chromium.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { launchBrowser, watchConsole } from '../helpers/browser.js';
import { startNode, type Running } from '../helpers/node.js';
import { packAndInstall, ROOT, type Packed } from './pack.js';

let packed: Packed;
let srv: Running;

beforeAll(async () => {
  packed = packAndInstall();
  srv = await startNode({ FEED_RATE: '20' });
}, 180_000);
afterAll(async () => {
  await srv?.close();
  if (packed) rmSync(packed.dir, { recursive: true, force: true });
});

/** Runs `script` with plain node in the scratch project; resolves with its stdout once it exits 0. */
function nodeIn(app: string, script: string, args: string[]): Promise<string> {
  writeFileSync(join(app, 'main.mjs'), script);
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // nothing that could load TypeScript or vitest hooks
  const child = spawn(process.execPath, ['main.mjs', ...args], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b));
  child.stderr.on('data', (b: Buffer) => (err += b));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`node exited ${code}: ${err}`))));
  });
}

const CONSUMER = `
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { MarketClient, bookFromSnapshot } from 'tickwire/client';
import { PROTOCOL_VERSION, CHANNELS } from 'tickwire/protocol';
import { encode, decode } from 'tickwire/codec';
import * as root from 'tickwire';

const [url, transport] = process.argv.slice(2);
const roundTrip = decode(encode({ type: 'ping', id: 7 }));
const client = new MarketClient({ urls: url, transport, WebSocket, EventSource });
const seen = [];
let done = false;
client.on('change', (c) => {
  if (done) return;
  seen.push({ symbol: c.symbol, channel: c.channel, kind: c.kind, seq: c.seq });
  if (seen.filter((s) => s.kind === 'update').length >= 3) {
    done = true;
    const status = client.status;
    client.close();
    console.log(JSON.stringify({ seen, status, roundTrip, PROTOCOL_VERSION, CHANNELS, sameRoot: root.MarketClient === MarketClient,
      book: bookFromSnapshot({ bids: [[1, 2]], asks: [[3, 4]], checksum: 0, ts: 0 }, 10) }));
  }
});
client.subscribe(['AAPL'], { channels: ['ticker'], throttle: 0 });
setTimeout(() => { console.error('no updates in 20 s', JSON.stringify(client.status)); process.exit(1); }, 20000).unref();
`;

describe('the npm package', { timeout: 120_000 }, () => {
  it('packs compiled JS and .d.ts for every export, and no TypeScript sources', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; default: string }> };
    const subpaths = Object.keys(manifest.exports);
    expect(subpaths).toEqual(expect.arrayContaining(['./client', './protocol', './codec']));
    for (const [sub, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') continue;
      expect(Object.keys(target)[0], `${sub}: types first`).toBe('types');
      expect(packed.files, sub).toContain(target.types.replace(/^\.\//, ''));
      expect(packed.files, sub).toContain(target.default.replace(/^\.\//, ''));
    }
    expect(packed.files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    console.log(`packed tarball (shared/ compiled; npm run build adds dist/server and dist/web): ${packed.size} bytes, ${packed.files.length} files`);
  });

  for (const transport of ['ws', 'sse'] as const) {
    it(`imports under plain node from the installed tarball and streams over ${transport}`, async () => {
      const out = JSON.parse(await nodeIn(packed.app, CONSUMER, [srv.url, transport]));
      expect(out.status).toMatchObject({ state: 'live', transport });
      expect(out.seen[0]).toMatchObject({ symbol: 'AAPL', channel: 'ticker', kind: 'snapshot' });
      const updates = out.seen.filter((s: { kind: string }) => s.kind === 'update');
      expect(updates.length).toBeGreaterThanOrEqual(3);
      expect(updates.every((u: { seq: number }, i: number) => i === 0 || u.seq > updates[i - 1].seq)).toBe(true);
      expect(out.roundTrip).toEqual({ ok: true, value: { type: 'ping', id: 7 } });
      expect(out.PROTOCOL_VERSION).toBe(1);
      expect(out.CHANNELS).toContain('book');
      expect(out.sameRoot).toBe(true);
      expect(out.book).toMatchObject({ bids: [[1, 2]], asks: [[3, 4]] });
    });
  }

  it('typechecks a consumer against the shipped .d.ts alone (NodeNext, no @types/node, lib check on)', () => {
    writeFileSync(join(packed.app, 'consumer.ts'), `
import { MarketClient, type BookState, type StreamChange, type ClientStatus } from 'tickwire/client';
import { PROTOCOL_VERSION, type Channel, type ServerMessage } from 'tickwire/protocol';
import { encode, decode } from 'tickwire/codec';
const ch: Channel = 'book';
const client = new MarketClient({ urls: ['http://localhost:8080'], token: 't' });
client.on('change', (c: StreamChange) => { const seq: number = c.seq; void seq; });
const book: BookState | undefined = client.state<BookState>('AAPL', ch)?.state;
const s: ClientStatus = client.status;
const bytes: Uint8Array = encode({ type: 'ping', id: 1 });
const d = decode(bytes);
const v: 1 = PROTOCOL_VERSION;
let m: ServerMessage | undefined;
// @ts-expect-error not a channel
const bad: Channel = 'tickers';
export { book, s, d, v, m, bad };
`);
    writeFileSync(join(packed.app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022'], types: [], strict: true, noEmit: true, skipLibCheck: false },
      files: ['consumer.ts'],
    }));
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: packed.app, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('bundles tickwire/client for the browser without Node imports, and the bundle streams in Chromium', async () => {
    writeFileSync(join(packed.app, 'browser.js'), `
import { MarketClient } from 'tickwire/client';
window.tickwireRun = (url) => new Promise((resolve) => {
  const client = new MarketClient({ urls: url });
  const seen = [];
  const statuses = [];
  client.on('status', (st) => statuses.push(st));
  client.on('change', (c) => {
    if (seen.length >= 3) return;
    seen.push(c.kind);
    if (seen.length === 3) {
      const transport = client.connection?.transport ?? null;
      client.close();
      resolve({ seen, transport, statuses });
    }
  });
  client.subscribe(['AAPL'], { channels: ['ticker'], throttle: 0 });
});
`);
    const outDir = join(packed.app, 'bundle');
    await build({
      root: packed.app, configFile: false, logLevel: 'silent',
      build: { outDir, minify: false, lib: { entry: join(packed.app, 'browser.js'), formats: ['iife'], name: 'tw', fileName: () => 'bundle.js' } },
    });
    const bundle = readFileSync(join(outDir, 'bundle.js'), 'utf8');
    expect(bundle).not.toMatch(/\bfrom\s*["']node:|require\(["']node:|\bimport\(["']/);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const { errors } = watchConsole(page);
      // A page of its own on 127.0.0.1 (the server's pages forbid foreign scripts; a page the
      // browser's router made up would be refused the loopback WebSocket by Chromium's
      // local-network checks): a cross-origin page, as a third-party site using the package.
      const site = createServer((req, res) => {
        const js = req.url === '/bundle.js';
        res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
        res.end(js ? bundle : '<!doctype html><script src="/bundle.js"></script>');
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      onTestFinished(() => new Promise<void>((resolve) => site.close(() => resolve())));
      await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => 'tickwireRun' in window);
      const res = (await page.evaluate((u) => (window as unknown as { tickwireRun(u: string): Promise<unknown> }).tickwireRun(u), srv.url)) as { seen: string[]; transport: string; statuses: unknown[] };
      expect(res.seen[0]).toBe('snapshot');
      expect(res.seen.slice(1)).toEqual(['update', 'update']);
      expect(res.transport, JSON.stringify(res.statuses)).toBe('ws');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
