/**
 * The comparison panel and stale data, in real Chromium against a real node. The panel sits
 * inside its section at 1440x900, 1024x768 and 390x844 with labelled axes in ms, whole
 * milliseconds print whole, and it is collapsed by default below 1440 px (a toggle opens it and
 * the choice is kept). While the server is down the market's figures dim and a note says since
 * when they are stale; both clear when the stream is live again after a restart.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { startNode, type Running } from '../helpers/node.js';
import { dashboardSuite, openDashboard, pricesMove } from '../helpers/browser.js';
import { openIn, VIEWPORTS } from '../helpers/page-audit.js';
import { until } from '../helpers/wait.js';

vi.setConfig({ testTimeout: 90_000 });

const suite = dashboardSuite({ FEED_RATE: '10' });

let page: Page | undefined; // closed with its context after each test

const badge = (p: Page) => p.getByTestId('status-badge').getAttribute('data-state');
const inside = (inner: { x: number; y: number; width: number; height: number }, outer: typeof inner) =>
  inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;

describe('comparison panel', () => {
  for (const kind of ['wide', 'medium', 'narrow'] as const) {
    it(`fits its section with labelled axes at ${kind}`, async () => {
      const opened = await openIn(suite.browser, suite.node.url, VIEWPORTS[kind]);
      page = opened.page;
      await until('live', async () => (await badge(opened.page)) === 'live', 15_000);
      const tab = page.getByTestId('tab-compare');
      if (await tab.count()) await tab.click();
      const chart = page.getByTestId('latency-chart');
      await until('a few seconds of latency', async () => Number(await chart.getAttribute('data-points')) >= 3, 20_000);
      const section = (await page.getByTestId('panel-compare').boundingBox())!;
      for (const id of ['latency-chart', 'latency-y-axis', 'latency-x-axis', 'compare-ws', 'compare-sse']) {
        const box = (await page.getByTestId(id).boundingBox())!;
        expect(box.height, id).toBeGreaterThan(10);
        expect(inside(box, section), `${id} inside the section at ${kind}`).toBe(true);
      }
      expect(await page.getByTestId('latency-y-axis').textContent()).toMatch(/\d ms.*0 ms/);
      expect(await page.getByTestId('latency-x-axis').textContent()).toMatch(/−\d+ s.*now/);
      // Latencies are whole milliseconds: they print whole.
      const p50 = await until('a p50', async () => {
        const t = await page!.getByTestId('compare-ws').getByTestId('latency-p50').textContent();
        return t && /\d/.test(t) ? t : undefined;
      }, 15_000);
      expect(p50).toMatch(/^\d+$/);
    });
  }

  it('is collapsed by default below 1440 px wide; the toggle opens it and the choice is kept', async () => {
    const { page: p } = await openDashboard(suite.browser, suite.node.url, undefined, { viewport: { width: 1320, height: 800 } });
    page = p;
    await until('live', async () => (await badge(p)) === 'live', 15_000);
    expect(await p.getByTestId('dashboard').getAttribute('data-compare')).toBe('collapsed');
    expect(await p.getByTestId('comparison').count()).toBe(0);
    await until('a summary', async () => /WebSocket \d+ ms/.test((await p.getByTestId('compare-summary').textContent()) ?? ''), 15_000);
    const chartBefore = (await p.getByTestId('panel-chart').boundingBox())!.height;
    await p.getByTestId('compare-toggle').click();
    await p.getByTestId('comparison').waitFor();
    expect((await p.getByTestId('panel-chart').boundingBox())!.height).toBeLessThan(chartBefore);
    await p.reload();
    await until('live', async () => (await badge(p)) === 'live', 15_000);
    expect(await p.getByTestId('compare-toggle').getAttribute('aria-expanded')).toBe('true');
  });
});

describe('stale data', () => {
  it('dims the figures and says since when while the server is down, and clears after it restarts', async () => {
    let own: Running = await startNode({ FEED_RATE: '20' });
    const port = Number(new URL(own.url).port);
    try {
      const { page: p } = await openDashboard(suite.browser, own.url);
      page = p;
      await until('live', async () => (await badge(p)) === 'live', 15_000);
      await pricesMove(p);
      const opacity = () => p.getByTestId('watch-row').first().getByTestId('last').evaluate((e) => Number(getComputedStyle(e).opacity));
      expect(await opacity()).toBe(1);
      expect(await p.getByTestId('stale-note').count()).toBe(0);

      const down = Date.now();
      await own.close();
      await p.getByTestId('stale-note').waitFor({ timeout: 15_000 });
      expect(await p.getByTestId('dashboard').getAttribute('data-stale')).toBe('true');
      const since = Number(await p.getByTestId('stale-note').getAttribute('data-since'));
      expect(since).toBeGreaterThanOrEqual(down - 1000);
      expect(await p.getByTestId('stale-note').textContent()).toMatch(/stale since \d\d:\d\d:\d\d/);
      await until('dimmed figures', async () => (await opacity()) < 0.6);

      own = await startNode({ FEED_RATE: '20' }, { port });
      await until('live again', async () => (await badge(p)) === 'live', 20_000);
      await until('the note gone', async () => (await p.getByTestId('stale-note').count()) === 0);
      expect(await p.getByTestId('dashboard').getAttribute('data-stale')).toBe('false');
      await until('full brightness', async () => (await opacity()) === 1);
    } finally {
      await own.close();
    }
  });
});

describe('symbol search', () => {
  it('says "No match" on a miss and offers the closest symbols', async () => {
    const { page: p } = await openDashboard(suite.browser, suite.node.url);
    page = p;
    await until('live', async () => (await badge(p)) === 'live', 15_000);
    const search = p.getByTestId('symbol-search');
    await search.fill('zzzzzz');
    await p.getByTestId('search-no-match').waitFor();
    expect(await p.getByTestId('search-no-match').textContent()).toContain('No match for “zzzzzz”');
    expect(await p.getByTestId('search-option').count()).toBe(0);
    await search.fill('GOGL');
    await until('a suggestion', async () => (await p.getByTestId('search-option').first().getAttribute('data-symbol')) === 'GOOGL');
    expect(await p.getByTestId('search-no-match').textContent()).toContain('Closest');
    await search.press('Enter');
    await until('GOOGL added', async () => (await p.locator('[data-testid="watch-row"][data-symbol="GOOGL"]').count()) === 1);
  });
});

describe('API documents page', () => {
  it('is linked from the dashboard and renders the AsyncAPI document from the server alone', async () => {
    const { page: p, errors } = await openDashboard(suite.browser, suite.node.url);
    page = p;
    const href = await p.getByTestId('docs-link').getAttribute('href');
    expect(href).toBe('/docs');
    const elsewhere: string[] = [];
    p.on('request', (r) => !r.url().startsWith(suite.node.url) && elsewhere.push(r.url()));
    await p.goto(suite.node.url + href);
    await until('the rendered document', async () => {
      const text = await p.locator('#asyncapi').innerText();
      return text.includes('Tickwire streaming API') && text.includes('ws://') && text.includes('Operations');
    }, 20_000);
    expect(elsewhere).toEqual([]);
    expect(errors.filter((e) => !/favicon|404/.test(e))).toEqual([]);
  });
});
