/**
 * `npm run bench:dashboard`: the dashboard's frame rate in headless Chromium (/usr/bin/chromium
 * through playwright-core), with a watchlist of N symbols streaming from a fresh server at
 * FEED_RATE=R. The baseline, measured in the same browser in the same run and interleaved with
 * the dashboard's windows, is a bare page that only counts frames: what this machine's browser
 * can do at the moment, in the same viewport. The focused symbol's order book streams too (when
 * the server has books) and is on screen in the wide layout; `--viewport 390x844` measures the
 * phone layout (mobile emulation at device pixel ratio 1, so pixel counts stay comparable) on
 * the tab given by `--tab`. Writes results.json and report.md to the report folder and prints
 * the table. Flags: see usage().
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, measureFrames, openWatching, type FrameReport } from '../../test/helpers/browser.js';
import { until } from '../../test/helpers/wait.js';
import { startServer } from './proc.js';
import { note } from './progress.js';

function usage(): string {
  return `usage: npm run bench:dashboard -- [--symbols N] [--rate R] [--throttle MS] [--duration S] [--runs K] [--viewport WxH] [--tab NAME] [--quick] [--out DIR]
  --symbols   watchlist size (default 30)
  --rate      FEED_RATE of the server, updates per symbol per second (default 20)
  --throttle  the dashboard's throttle, ms (default 0: every update)
  --duration  seconds per measured window (default 5)
  --runs      windows of each page, interleaved (default 3)
  --viewport  browser viewport, WxH (default 1440x900); below 768 wide: mobile emulation
  --tab       the tab shown in a layout with tabs: watch, chart, book, tape, compare (default: the layout's first)
  --quick     smoke run: 5 symbols, 1 s, 1 window
  --out       report folder (default reports/dashboard-<timestamp>)`;
}

const { values: a } = parseArgs({
  options: {
    symbols: { type: 'string' }, rate: { type: 'string' }, throttle: { type: 'string' }, duration: { type: 'string' },
    runs: { type: 'string' }, quick: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean' },
    viewport: { type: 'string' }, tab: { type: 'string' },
  },
});
if (a.help) {
  console.log(usage());
  process.exit(0);
}
const count = (v: string | undefined, def: number, min: number) => {
  const n = v === undefined ? def : Number(v);
  if (!Number.isFinite(n) || n < min) {
    console.error(`bad number: ${v}\n${usage()}`);
    process.exit(2);
  }
  return n;
};
const o = {
  symbols: count(a.symbols, a.quick ? 5 : 30, 1),
  feedRate: count(a.rate, 20, 1),
  throttle: count(a.throttle, 0, 0),
  durationS: count(a.duration, a.quick ? 1 : 5, 0.5),
  runs: count(a.runs, a.quick ? 1 : 3, 1),
};
const vp = /^(\d+)x(\d+)$/.exec(a.viewport ?? '1440x900');
if (!vp || Number(vp[1]) < 200 || Number(vp[2]) < 200) {
  console.error(`bad viewport: ${a.viewport}\n${usage()}`);
  process.exit(2);
}
const viewport = { width: Number(vp[1]), height: Number(vp[2]) };
const TABS = ['watch', 'chart', 'book', 'tape', 'compare'];
if (a.tab !== undefined && !TABS.includes(a.tab)) {
  console.error(`bad tab: ${a.tab}\n${usage()}`);
  process.exit(2);
}
/** The context of both pages: the viewport, and a phone's touch and mobile layout when narrow. */
const contextOptions: BrowserContextOptions = viewport.width < 768 ? { viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 1 } : { viewport };
const out = a.out ?? join('reports', `dashboard-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(out, { recursive: true });

/** The bare page: nothing but the frame counter that measures it. */
const BARE = 'data:text/html,<!doctype html><title>bare</title><body style="background:%230b0e13"></body>';

async function openBare(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext(contextOptions)).newPage();
  await page.goto(BARE);
  return page;
}

const summary = (ws: FrameReport[]) => {
  const mean = (f: (w: FrameReport) => number) => ws.reduce((s, w) => s + f(w), 0) / ws.length;
  return { fps: mean((w) => w.fps), missedPerS: mean((w) => w.missed) / o.durationS, worstMs: Math.max(...ws.map((w) => w.worstMs)), windows: ws };
};
const r1 = (x: number) => Math.round(x * 10) / 10;

await ensureWebBuilt();
const server = await startServer({ script: 'server/main.ts', env: { FEED_RATE: String(o.feedRate), FEED_SYMBOLS: String(Math.max(48, o.symbols)) } });
const browser = await launchBrowser();
const started = new Date().toISOString();
try {
  const all = (await (await fetch(`${server.url}/api/symbols`)).json()) as { symbol: string }[];
  const symbols = all.slice(0, o.symbols).map((s) => s.symbol);
  const books = all.length > 0 && all.every((s) => 'sizeDecimals' in s);
  let bookShown = false;
  const windows = { bare: [] as FrameReport[], dashboard: [] as FrameReport[] };
  const errors: string[] = [];
  for (let i = 0; i < o.runs; i++) {
    // One page open at a time, each in a fresh context: the bare window has nothing else drawing.
    note(`window ${i + 1}/${o.runs}: bare page`);
    const bare = await openBare(browser);
    windows.bare.push(await measureFrames(bare, o.durationS * 1000));
    await bare.context().close();
    note(`window ${i + 1}/${o.runs}: dashboard`);
    const dash = await openWatching(browser, server.url, symbols, o.throttle, 20_000, contextOptions);
    if (a.tab && (await dash.page.getByTestId(`tab-${a.tab}`).count())) await dash.page.getByTestId(`tab-${a.tab}`).click();
    if (books && (await dash.page.getByTestId('book-ladder').isVisible())) {
      await until('the order book', async () => (await dash.page.locator('[data-testid="book-bid"]').count()) > 0, 15_000);
      bookShown = true;
    }
    await dash.page.waitForTimeout(2000); // history loaded, charts drawn: the steady state
    windows.dashboard.push(await measureFrames(dash.page, o.durationS * 1000));
    errors.push(...dash.errors);
    await dash.page.context().close();
  }
  if (errors.length) throw new Error(`console errors on the dashboard: ${errors.join('; ')}`);

  const bareSummary = summary(windows.bare);
  const dashSummary = summary(windows.dashboard);
  const results = {
    meta: {
      started, host: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAvg: loadavg().map(r1) },
      browser: `Chromium ${browser.version()} headless, software rendering`, viewport: `${viewport.width}x${viewport.height}`,
      mobile: viewport.width < 768, tab: a.tab ?? null, books, bookShown, ...o,
      note: 'Server, browser and this script share the machine. Missed = 60 Hz refreshes without a frame.',
    },
    bare: bareSummary,
    dashboard: dashSummary,
    fpsRatio: dashSummary.fps / bareSummary.fps,
  };
  writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const row = (name: string, s: ReturnType<typeof summary>) =>
    `| ${name} | ${r1(s.fps)} | ${s.windows.map((w) => r1(w.fps)).join(', ')} | ${r1(s.missedPerS)} | ${r1(s.worstMs)} |`;
  const md = [
    `Dashboard frames: ${o.symbols} symbols at FEED_RATE=${o.feedRate}, throttle ${o.throttle} ms, ${o.runs} x ${o.durationS} s windows, viewport ${results.meta.viewport}${results.meta.mobile ? ' (mobile)' : ''}${a.tab ? `, ${a.tab} tab` : ''}, order book ${bookShown ? 'on screen' : books ? 'streamed, not on screen' : 'not served'} (${results.meta.browser}, ${results.meta.host.cpus} cores)`,
    '',
    '| page | fps (mean) | fps per window | missed frames/s | worst gap ms |',
    '|---|---|---|---|---|',
    row('bare (baseline)', results.bare),
    row('dashboard', results.dashboard),
    '',
    `Dashboard / bare: ${r1(results.fpsRatio * 100)} % of the frames.`,
  ].join('\n');
  writeFileSync(join(out, 'report.md'), md + '\n');
  console.log(md);
  note(`wrote ${out}/results.json and report.md`);
} finally {
  await browser.close();
  await server.stop();
}
