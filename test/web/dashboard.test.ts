/**
 * The dashboard in real Chromium against a real node serving the built SPA: watchlist, chart,
 * tape, comparison panel, persistence. Screenshots go to test-artifacts/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { dashboardSuite, ARTIFACTS, lastPrices, openDashboard, openWatching, pricesMove } from '../helpers/browser.js';
import { until } from '../helpers/wait.js';

// Each test drives a real browser against a live feed: on a loaded 2-core machine that takes time.
vi.setConfig({ testTimeout: 60_000 });

const suite = dashboardSuite({ FEED_RATE: '20' });

let page: Page | undefined; // closed with its context after each test
let errors: string[] = [];

async function open(path = '/'): Promise<Page> {
  ({ page, errors } = await openDashboard(suite.browser, suite.node.url + path));
  return page;
}

const chart = (p: Page) => p.getByTestId('chart');
const attr = (p: Page, testId: string, name: string) => p.getByTestId(testId).getAttribute(name);

describe('dashboard', () => {
  it('loads without console errors, fills the watchlist and moves prices within seconds', async () => {
    const p = await open();
    await until('ten or more rows', async () => (await p.getByTestId('watch-row').count()) >= 10);
    const moved = await pricesMove(p, 10_000);
    expect(Object.keys(moved)).toEqual(expect.arrayContaining(['AAPL', 'SPY', 'BTC-USD', 'EURUSD']));
    await until('sparklines with history', async () => Number(await p.getByTestId('sparkline').first().getAttribute('data-points')) > 10);
    // Sparklines follow live prices after their history, about once a second.
    const lines = () => p.evaluate(`[...document.querySelectorAll('[data-testid="sparkline"] path.line')].map((e) => e.getAttribute('d'))`) as Promise<string[]>;
    const before = await lines();
    await until('sparklines to move', async () => (await lines()).filter((d, i) => d !== before[i]).length >= 3, 10_000);
    await until('a live badge', async () => (await attr(p, 'status-badge', 'data-state')) === 'live');
    await p.screenshot({ path: join(ARTIFACTS, 'dashboard-load.png') });
    expect(errors).toEqual([]);
  });

  it('shows the selected symbol in the chart and updates its last bar live, with its trades', async () => {
    const p = await open();
    await p.locator('[data-testid="watch-row"][data-symbol="ETH-USD"]').click();
    await p.getByTestId('interval-1s').click();
    expect(new URL(p.url()).searchParams.get('symbol')).toBe('ETH-USD');
    await until('the ETH-USD 1s chart', async () =>
      (await attr(p, 'chart', 'data-symbol')) === 'ETH-USD' && (await attr(p, 'chart', 'data-interval')) === '1s' &&
      (await attr(p, 'chart', 'data-phase')) === 'ready' && Number(await attr(p, 'chart', 'data-bars')) > 10);
    const first = `${await attr(p, 'chart', 'data-last-time')}/${await attr(p, 'chart', 'data-last-close')}`;
    await until('the last bar to change', async () => `${await attr(p, 'chart', 'data-last-time')}/${await attr(p, 'chart', 'data-last-close')}` !== first);
    await until('trades on the tape', async () => (await p.getByTestId('trade-row').count()) > 3);
    expect(await p.getByTestId('ohlc-legend').textContent()).toMatch(/O\s+[\d,.]+\s+H\s+[\d,.]+\s+L\s+[\d,.]+\s+C\s+[\d,.]+/);
    // The crosshair legend follows the mouse over the chart.
    const box = (await chart(p).boundingBox())!;
    await p.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.4);
    await until('the legend under the crosshair', async () => (await attr(p, 'ohlc-legend', 'data-hovering')) === 'true');
    await p.screenshot({ path: join(ARTIFACTS, 'dashboard-chart.png') });
    // It follows the window's size.
    const canvasWidth = () => p.evaluate(`Math.max(...[...document.querySelectorAll('[data-testid="chart"] canvas')].map((c) => c.clientWidth))`) as Promise<number>;
    const wide = await canvasWidth();
    await p.setViewportSize({ width: 800, height: 700 });
    await until('a chart of the new size', async () => Math.abs((await canvasWidth()) - wide) > 50);
    expect(errors).toEqual([]);
  });

  it('switches transport and throttle on the fly', async () => {
    const p = await open();
    await until('live over WebSocket', async () => (await attr(p, 'status-badge', 'data-transport')) === 'ws' && (await attr(p, 'status-badge', 'data-state')) === 'live');
    await p.getByTestId('transport-select').selectOption('sse');
    await until('live over SSE', async () => (await attr(p, 'status-badge', 'data-transport')) === 'sse' && (await attr(p, 'status-badge', 'data-state')) === 'live');
    await pricesMove(p);
    await p.getByTestId('throttle-select').selectOption('1000');
    await pricesMove(p);
    await p.reload();
    expect(await p.getByTestId('transport-select').inputValue()).toBe('sse');
    expect(await p.getByTestId('throttle-select').inputValue()).toBe('1000');
    await until('live over SSE after reload', async () => (await attr(p, 'status-badge', 'data-transport')) === 'sse' && (await attr(p, 'status-badge', 'data-state')) === 'live');
    expect(errors).toEqual([]);
  });

  it('reloads history when the interval changes', async () => {
    const p = await open('/?symbol=AAPL');
    for (const [iv, sec] of [['5m', 300], ['1h', 3600], ['1m', 60]] as const) {
      await p.getByTestId(`interval-${iv}`).click();
      await until(`${iv} history`, async () =>
        (await attr(p, 'chart', 'data-interval')) === iv && (await attr(p, 'chart', 'data-phase')) === 'ready' && Number(await attr(p, 'chart', 'data-bars')) > 10);
      expect(Number(await attr(p, 'chart', 'data-last-time')) % sec).toBe(0);
      expect(await p.getByTestId(`interval-${iv}`).getAttribute('aria-pressed')).toBe('true');
    }
    expect(errors).toEqual([]);
  });

  it('adds a symbol from the search and removes one, and both survive a reload', async () => {
    const p = await open();
    await until('rows', async () => (await p.getByTestId('watch-row').count()) >= 10);
    await p.getByTestId('symbol-search').fill('netfl');
    await p.locator('[data-testid="search-option"][data-symbol="NFLX"]').click();
    await until('NFLX in the list', async () => (await p.locator('[data-testid="watch-row"][data-symbol="NFLX"]').count()) === 1);
    await p.locator('[data-testid="watch-row"][data-symbol="TSLA"] [data-testid="remove-symbol"]').click();
    await until('TSLA gone', async () => (await p.locator('[data-testid="watch-row"][data-symbol="TSLA"]').count()) === 0);
    expect(new URL(p.url()).searchParams.get('symbol')).toBe('NFLX');
    await until('NFLX priced', async () => /\d/.test((await lastPrices(p)).NFLX ?? ''));

    await p.reload();
    await until('rows after reload', async () => (await p.getByTestId('watch-row').count()) >= 10);
    const symbols = Object.keys(await lastPrices(p));
    expect(symbols).toContain('NFLX');
    expect(symbols).not.toContain('TSLA');
    expect(await p.locator('[data-testid="watch-row"][aria-selected="true"]').getAttribute('data-symbol')).toBe('NFLX');
    await until('the NFLX chart', async () => (await attr(p, 'chart', 'data-symbol')) === 'NFLX');
    expect(errors).toEqual([]);
  });

  it('shows latency, age and throughput for both WebSocket and SSE', async () => {
    const p = await open();
    for (const kind of ['ws', 'sse']) {
      const card = p.getByTestId(`compare-${kind}`);
      await until(`${kind} figures`, async () => {
        const cells = await Promise.all(['latency-p50', 'latency-p95', 'latency-p99', 'age-p50', 'msgs-per-sec'].map((id) => card.getByTestId(id).textContent()));
        const bytes = await card.getByTestId('bytes-per-sec').textContent();
        return cells.every((c) => /^\d/.test(c!.trim())) && Number(cells[4]) > 0 && /\d+(\.\d+)? (B|KB|MB)/.test(bytes!) ? true : undefined;
      }, 15_000);
      expect(await card.getAttribute('data-state')).toBe('live');
    }
    await until('a latency history', async () => Number(await attr(p, 'latency-chart', 'data-points')) >= 2);
    expect(errors).toEqual([]);
  });

  it('flashes moving prices at most three times a second per cell, and not under reduced motion', async () => {
    // Watches 3 s of flashes: when each one starts and ends, per cell, and the animation frames
    // meanwhile. A flash ends on the first screen beat once it is due (FLASH_MS, 200 ms); beats
    // are BEAT_MS / 3 (~33 ms) apart. So at most one frame, the one it ends in, may come later
    // than 300 ms after its start. Counted in frames, not milliseconds: a loaded machine draws
    // fewer frames, it does not change which frame a flash ends in.
    const watchFlashes = (p: Page) => p.evaluate(`new Promise((resolve) => {
      const lit = (cls) => /flash-(up|down)/.test(cls);
      const starts = new Map();
      const frames = [];
      let watching = true;
      const frame = (t) => { frames.push(t); if (watching) requestAnimationFrame(frame); };
      requestAnimationFrame(frame);
      const flashes = [];
      const mo = new MutationObserver((records) => {
        const now = performance.now();
        // Each record's old value, then the value now: every change, even a flash restarted in one task.
        const seen = new Map();
        for (const r of records) seen.set(r.target, [...(seen.get(r.target) || []), r.oldValue || '']);
        for (const [el, olds] of seen) {
          const values = [...olds, el.className];
          for (let i = 1; i < values.length; i++) {
            if (!lit(values[i - 1]) && lit(values[i])) starts.set(el, [...(starts.get(el) || []), now]);
            if (lit(values[i - 1]) && !lit(values[i]) && starts.has(el)) flashes.push([starts.get(el).at(-1), now]);
          }
        }
      });
      mo.observe(document.querySelector('[data-testid="watchlist"]'), { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['class'] });
      setTimeout(() => {
        mo.disconnect();
        watching = false;
        const lists = [...starts.values()];
        // The most flashes of one cell within any one second (50 ms allowed for observer jitter).
        let most = 0;
        for (const t of lists) for (let i = 0; i < t.length; i++) most = Math.max(most, t.filter((x) => x >= t[i] && x < t[i] + 950).length);
        const lateFrames = Math.max(0, ...flashes.map(([s, e]) => frames.filter((t) => t > s + 300 && t < e).length));
        const longest = Math.max(0, ...flashes.map(([s, e]) => e - s));
        resolve({ total: lists.reduce((a, t) => a + t.length, 0), most, ended: flashes.length, lateFrames, longest, frames: frames.length });
      }, 3000);
    })`) as Promise<{ total: number; most: number; ended: number; lateFrames: number; longest: number; frames: number }>;

    const p = await open();
    await pricesMove(p);
    const moving = await watchFlashes(p);
    expect(moving.total).toBeGreaterThan(0);
    expect(moving.most).toBeLessThanOrEqual(3);
    // Flashes are brief: each ends on the first screen beat once 200 ms have passed.
    expect(moving.ended).toBeGreaterThan(0);
    expect(moving.lateFrames, `longest flash ${Math.round(moving.longest)} ms, ${moving.frames} frames in 3 s`).toBeLessThanOrEqual(1);
    // Direction is not shown by colour alone: the last price carries an arrow.
    expect(await p.locator('[data-testid="last"] .arrow').filter({ hasText: /[▲▼]/ }).count()).toBeGreaterThan(0);
    await p.context().close();

    ({ page, errors } = await openDashboard(suite.browser, suite.node.url, undefined, { reducedMotion: 'reduce' }));
    await pricesMove(page);
    expect((await watchFlashes(page)).total).toBe(0);
    expect(errors).toEqual([]);
  });

  it('holds the screen while paused and catches up on resume', async () => {
    const p = await open();
    await pricesMove(p);
    await p.getByTestId('pause-button').click();
    await p.waitForTimeout(100); // a frame already under way when the click landed
    const held = await lastPrices(p);
    // Held while the market moves on: a few events on every shown symbol, by the server's seqs.
    const seqs = async () => new Map(((await (await fetch(`${suite.node.url}/api/snapshot?symbols=${Object.keys(held).join(',')}&channels=ticker`)).json()) as { items: { s: string; seq: number }[] }).items.map((it) => [it.s, it.seq]));
    const atPause = await seqs();
    await until('the market to move on', async () => [...(await seqs())].every(([s, seq]) => seq > atPause.get(s)! + 3));
    expect(await lastPrices(p)).toEqual(held);
    expect(await p.locator('.flash-up, .flash-down').count()).toBe(0); // no flash left lit
    await p.getByTestId('pause-button').click();
    await until('prices to move again', async () => JSON.stringify(await lastPrices(p)) !== JSON.stringify(held));
    expect(errors).toEqual([]);
  });

  // Its frame rate is measured by `npm run bench:dashboard` (scripts/bench/dashboard.ts), not here.
  it('streams 30 busy symbols at FEED_RATE=20 into 30 moving rows', async () => {
    const symbols = ((await (await fetch(`${suite.node.url}/api/symbols`)).json()) as { symbol: string }[]).slice(0, 30).map((s) => s.symbol);
    const opened = await openWatching(suite.browser, suite.node.url, symbols, 0, 15_000);
    ({ page, errors } = opened);
    const { page: p, prices: first } = opened;
    await until('20 or more rows to move', async () => {
      const now = await lastPrices(p);
      return symbols.filter((s) => now[s] !== first[s]).length >= 20;
    }, 10_000);
    expect(errors).toEqual([]);
  });
});
