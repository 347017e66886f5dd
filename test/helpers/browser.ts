/**
 * Real Chromium for dashboard tests: builds the SPA into dist/web when its sources are newer
 * than the build (once, even with parallel workers), launches /usr/bin/chromium, and watches a
 * page's console for errors.
 */
import { execFile } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startNode, type Running } from './node.js';
import { sleep, until } from './wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WEB_DIR = join(ROOT, 'dist/web');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const LOCK = join(ROOT, 'dist/.web-build.lock');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const newest = (path: string): number => {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)));
  return m;
};

const sourcesTime = () => Math.max(newest(join(ROOT, 'web')), newest(join(ROOT, 'shared')), newest(join(ROOT, 'vite.config.ts')));
const buildTime = () => statSync(join(WEB_DIR, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;

/** Builds dist/web with Vite unless it is newer than web/, shared/ and vite.config.ts. */
export async function ensureWebBuilt(): Promise<void> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    if (buildTime() > sourcesTime()) return;
    try {
      mkdirSync(LOCK); // atomic: one worker builds, the others wait
    } catch {
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age > 120_000) rmSync(LOCK, { recursive: true, force: true }); // a crashed build's lock
      await sleep(250);
      continue;
    }
    try {
      if (buildTime() > sourcesTime()) return;
      await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT });
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** What a dashboard test file shares: one Chromium and, when asked for, one node. */
export interface DashboardSuite {
  readonly browser: Browser;
  /** The node started with the suite's `env` (absent without one). */
  readonly node: Running;
}

/**
 * Registers a dashboard test file's hooks: before all, the SPA built, test-artifacts/ made,
 * Chromium launched and (given `env`) a node started, side by side; after each test every
 * browser context it opened closed (fresh localStorage for the next); after all, both stopped.
 */
export function dashboardSuite(env?: Record<string, string>): DashboardSuite {
  let browser: Browser | undefined;
  let node: Running | undefined;
  beforeAll(async () => {
    await ensureWebBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    [browser, node] = await Promise.all([launchBrowser(), env ? startNode(env) : undefined]);
  });
  afterEach(async () => {
    for (const c of browser?.contexts() ?? []) await c.close();
  });
  afterAll(async () => {
    await browser?.close();
    await node?.close();
  });
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`dashboardSuite: no ${what} (before beforeAll ran, or no env given)`);
    return v;
  };
  return {
    get browser() {
      return need(browser, 'browser');
    },
    get node() {
      return need(node, 'node');
    },
  };
}

/** Collects console errors and uncaught page errors from `page` from now on. */
export function watchConsole(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { errors };
}

/** What a requestAnimationFrame counter saw over a window. */
export interface FrameReport {
  fps: number;
  /** Display refreshes (at 60 Hz) that passed without a frame. */
  missed: number;
  /** The longest time between two frames, ms. */
  worstMs: number;
}

/**
 * Frames per second over `ms`, counted with requestAnimationFrame in the page, with the frames
 * missed on the way. The script is a string so that no transpiler helper (esbuild's `__name`)
 * leaks into the page.
 */
export function measureFrames(page: Page, ms: number): Promise<FrameReport> {
  return page.evaluate(`new Promise((resolve) => {
    let first = -1, last = 0, frames = 0, missed = 0, worst = 0;
    const tick = (now) => {
      if (first < 0) first = now;
      else {
        const gap = now - last;
        missed += Math.max(0, Math.round(gap / (1000 / 60)) - 1);
        worst = Math.max(worst, gap);
        frames++;
      }
      last = now;
      if (now - first < ${Number(ms)}) requestAnimationFrame(tick);
      else resolve({ fps: (frames * 1000) / (now - first), missed, worstMs: worst });
    };
    requestAnimationFrame(tick);
  })`) as Promise<FrameReport>;
}

/** Browser noise about the network while a server is down: not errors of the app. */
export const NETWORK_NOISE = /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING|WebSocket connection to .* failed|Failed to load resource|EventSource's response/;

/** Opens the dashboard at `url` in a fresh 1440x900 context (empty localStorage). */
export async function openDashboard(
  browser: Browser,
  url: string,
  setup?: (page: Page) => Promise<void>,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  const page = await context.newPage();
  const { errors } = watchConsole(page);
  await setup?.(page);
  await page.goto(url);
  return { page, errors };
}

/** The watchlist's last prices, by symbol, as shown (one round trip). */
export function lastPrices(page: Page): Promise<Record<string, string>> {
  return page.evaluate(`Object.fromEntries([...document.querySelectorAll('[data-testid="watch-row"]')]
    .map((r) => [r.dataset.symbol, r.querySelector('[data-testid="last"]').textContent.trim()]))`) as Promise<Record<string, string>>;
}

/**
 * Opens the dashboard with its watchlist preset to `symbols` (the first one selected, `throttle`
 * ms) and resolves once it shows exactly those rows, each with a price; `prices` are those shown.
 * `options` go to the browser context (a viewport, mobile emulation).
 */
export async function openWatching(
  browser: Browser,
  url: string,
  symbols: readonly string[],
  throttle = 0,
  timeoutMs = 20_000,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; errors: string[]; prices: Record<string, string> }> {
  const prefs = { watchlist: symbols, selected: symbols[0], interval: '1m', transport: 'auto', throttle };
  const opened = await openDashboard(browser, url, async (p) => {
    await p.addInitScript(`localStorage.setItem('tickwire.prefs.v1', ${JSON.stringify(JSON.stringify(prefs))})`);
  }, options);
  const prices = await until(`${symbols.length} priced rows`, async () => {
    const shown = await lastPrices(opened.page);
    return Object.keys(shown).length === symbols.length && symbols.every((s) => /\d/.test(shown[s] ?? '')) ? shown : undefined;
  }, timeoutMs);
  return { ...opened, prices };
}

/** Resolves once some shown last price differs from `before` (and none is a dash). */
export function pricesMove(page: Page, timeoutMs = 10_000): Promise<Record<string, string>> {
  return (async () => {
    const before = await until('prices to show', async () => {
      const p = await lastPrices(page);
      return Object.keys(p).length > 0 && Object.values(p).every((v) => /\d/.test(v)) ? p : undefined;
    }, timeoutMs);
    return until('prices to move', async () => {
      const now = await lastPrices(page);
      return Object.keys(now).some((s) => before[s] !== undefined && now[s] !== before[s]) ? now : undefined;
    }, timeoutMs);
  })();
}

/**
 * An HTTP proxy in front of `target` that passes every request (SSE streams too) but refuses
 * every WebSocket upgrade with 403, as a proxy without upgrade support does. Unlike Playwright's
 * routeWebSocket it also blocks WebSockets opened by workers.
 */
export async function startWsBlockingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const t = new URL(target);
  const server = createServer((req, res) => {
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
