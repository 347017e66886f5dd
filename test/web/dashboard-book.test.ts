/**
 * The order book panel in real Chromium against a real node: the ladder (asks above, bids
 * below, spread between) and the depth chart render and update on the screen beat, `g`
 * regroups the ladder by multiples of the tick, size changes flash within the three-a-second
 * rule. Needs a server whose /api/symbols has `sizeDecimals` (books streamed).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { dashboardSuite, ARTIFACTS } from '../helpers/browser.js';
import { openIn, VIEWPORTS } from '../helpers/page-audit.js';
import { until } from '../helpers/wait.js';

// Each test drives a real browser against a live feed: on a loaded 2-core machine that takes time.
vi.setConfig({ testTimeout: 60_000 });

const suite = dashboardSuite({ FEED_RATE: '20' });

let page: Page | undefined; // closed with its context after each test
let hasBooks = false;
beforeAll(async () => {
  const symbols = (await (await fetch(`${suite.node.url}/api/symbols`)).json()) as object[];
  hasBooks = symbols.every((s) => 'sizeDecimals' in s);
});

interface LadderView {
  step: number;
  asks: { price: number; size: string }[];
  bids: { price: number; size: string }[];
  spread: string;
}

const ladder = (p: Page) => p.evaluate(`(() => {
  const rows = (side) => [...document.querySelectorAll('[data-testid="book-' + side + '"]')]
    .map((r) => ({ price: Number(r.dataset.price), size: r.querySelector('.size').textContent.trim() }));
  const l = document.querySelector('[data-testid="book-ladder"]');
  return { step: Number(l.dataset.step), asks: rows('ask'), bids: rows('bid'), spread: document.querySelector('[data-testid="book-spread"]').textContent.trim() };
})()`) as Promise<LadderView>;

/** Painted pixels of the depth canvas: greenish ones left of the middle, reddish right of it. */
const depthPixels = (p: Page) => p.evaluate(`(() => {
  const c = document.querySelector('[data-testid="depth-chart"]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let green = 0, red = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] === 0) continue;
    const x = (i / 4) % c.width;
    if (x < c.width / 2 && d[i + 1] > d[i]) green++;
    if (x > c.width / 2 && d[i] > d[i + 1]) red++;
  }
  return { green, red, draws: Number(c.dataset.draws || 0) };
})()`) as Promise<{ green: number; red: number; draws: number }>;

const TICK = 0.01; // AAPL's tick
const onGrid = (price: number, ticks: number) => Math.round(price / TICK) % ticks === 0;

describe('dashboard order book', () => {
  it('shows a ladder and a depth chart that update, and regroups with g', async () => {
    expect(hasBooks).toBe(true); // /api/symbols gives sizeDecimals for every symbol
    ({ page } = await openIn(suite.browser, `${suite.node.url}/?symbol=AAPL`, { ...VIEWPORTS.wide }));
    const p = page;
    await until('a ladder with both sides', async () => {
      const l = await ladder(p);
      return l.asks.length >= 5 && l.bids.length >= 5;
    }, 15_000);
    const first = await ladder(p);
    // Asks above, worst at the top and best at the spread; bids below, best first.
    expect(first.asks.map((r) => r.price)).toEqual([...first.asks.map((r) => r.price)].sort((a, b) => b - a));
    expect(first.bids.map((r) => r.price)).toEqual([...first.bids.map((r) => r.price)].sort((a, b) => b - a));
    expect(first.asks.at(-1)!.price).toBeGreaterThan(first.bids[0].price);
    expect(first.spread).toMatch(/Spread\s+[\d.,]+\s+[\d.]+ bps/);
    // Tabular figures in the ladder.
    // (read in one step in the page: rows come and go with the book, a held handle may be detached)
    expect(await p.evaluate(`getComputedStyle(document.querySelector('[data-testid="book-bid"] .size')).fontVariantNumeric`)).toContain('tabular-nums');

    const text = (l: LadderView) => JSON.stringify([l.asks, l.bids]);
    await until('the ladder to change', async () => text(await ladder(p)) !== text(first));
    const d0 = await until('a drawn depth chart', async () => {
      const d = await depthPixels(p);
      return d.green > 100 && d.red > 100 ? d : undefined;
    });
    await until('the depth chart to redraw', async () => (await depthPixels(p)).draws > d0.draws + 2);

    for (const ticks of [2, 5, 10]) {
      await p.keyboard.press('g');
      await until(`grouped by ${ticks} ticks`, async () => {
        const l = await ladder(p);
        return l.step === ticks && l.bids.length > 0 && [...l.asks, ...l.bids].every((r) => onGrid(r.price, ticks)) ? l : undefined;
      });
      expect(await p.getByTestId('book-step').inputValue()).toBe(String(ticks));
    }
    const grouped = await ladder(p);
    expect(grouped.asks.at(-1)!.price).toBeGreaterThan(grouped.bids[0].price); // buckets never cross
    await p.screenshot({ path: join(ARTIFACTS, 'book-wide.png') });
    // The select sets the step too.
    await p.getByTestId('book-step').selectOption('1');
    await until('back to one tick', async () => (await ladder(p)).step === 1);
  });

  it('flashes changed sizes at most three times a second per cell', async () => {
    expect(hasBooks).toBe(true);
    ({ page } = await openIn(suite.browser, `${suite.node.url}/?symbol=AAPL`, { ...VIEWPORTS.wide }));
    const p = page;
    await until('a ladder', async () => (await ladder(p)).bids.length >= 5, 15_000);
    const flashes = (await p.evaluate(`new Promise((resolve) => {
      const starts = new Map();
      const mo = new MutationObserver((records) => {
        const now = performance.now();
        for (const { target: el } of records) {
          if (/flash-(up|down)/.test(el.className) && !el.dataset.lit) starts.set(el, [...(starts.get(el) || []), now]);
          el.dataset.lit = /flash-(up|down)/.test(el.className) ? '1' : '';
        }
      });
      mo.observe(document.querySelector('[data-testid="book-ladder"]'), { subtree: true, attributes: true, attributeFilter: ['class'] });
      setTimeout(() => {
        mo.disconnect();
        let most = 0, total = 0;
        for (const t of starts.values()) {
          total += t.length;
          for (let i = 0; i < t.length; i++) most = Math.max(most, t.filter((x) => x >= t[i] && x < t[i] + 950).length);
        }
        resolve({ total, most });
      }, 3000);
    })`)) as { total: number; most: number };
    expect(flashes.total).toBeGreaterThan(0);
    expect(flashes.most).toBeLessThanOrEqual(3);
  });

  it('fits the medium and narrow layouts (ladder beside the depth chart in a wide tab)', async () => {
    expect(hasBooks).toBe(true);
    for (const kind of ['medium', 'narrow'] as const) {
      ({ page } = await openIn(suite.browser, `${suite.node.url}/?symbol=AAPL`, VIEWPORTS[kind]));
      const p = page;
      await p.getByTestId('tab-book').click();
      await until(`a ${kind} ladder`, async () => (await ladder(p)).bids.length >= 3, 15_000);
      const l = (await p.getByTestId('book-ladder').boundingBox())!;
      const d = (await p.getByTestId('depth-chart').boundingBox())!;
      if (kind === 'medium') expect(d.x).toBeGreaterThanOrEqual(l.x + l.width - 1);
      else expect(d.y).toBeGreaterThanOrEqual(l.y + l.height - 1);
      await until('a drawn depth chart', async () => (await depthPixels(p)).green > 100);
      await p.screenshot({ path: join(ARTIFACTS, `book-${kind}.png`) });
      await p.context().close();
      page = undefined;
    }
  });
});
