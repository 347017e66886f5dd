/**
 * The dashboard when things go wrong, in real Chromium: WebSocket blocked (SSE fallback) and a
 * server restart on the same port (recovery without a reload).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startNode, type Running } from '../helpers/node.js';
import { dashboardSuite, ARTIFACTS, NETWORK_NOISE, openDashboard, pricesMove, startWsBlockingProxy } from '../helpers/browser.js';
import { until } from '../helpers/wait.js';

const suite = dashboardSuite();

const badge = (p: Page) => p.getByTestId('status-badge').getAttribute('data-state');

describe('dashboard resilience', () => {
  it('falls back to SSE when WebSocket is blocked, and keeps updating', async () => {
    const node = await startNode({ FEED_RATE: '20' });
    // Every WebSocket upgrade (the page's and the probe worker's) is refused with 403.
    const proxy = await startWsBlockingProxy(node.url);
    try {
      const { page, errors } = await openDashboard(suite.browser, proxy.url);
      await until('the SSE fallback badge', async () => (await badge(page)) === 'fallback', 15_000);
      await pricesMove(page);
      await until('a live chart', async () => (await page.getByTestId('chart').getAttribute('data-phase')) === 'ready');
      await until('SSE figures', async () => Number(await page.getByTestId('compare-sse').getByTestId('msgs-per-sec').textContent()) > 0, 15_000);
      expect(await page.getByTestId('compare-ws').getAttribute('data-state')).not.toBe('live');
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-sse-fallback.png') });
      // The browser itself reports each refused handshake; the app adds no error of its own.
      expect(errors.filter((e) => !NETWORK_NOISE.test(e))).toEqual([]);
      await page.context().close();
    } finally {
      await proxy.close();
      await node.close();
    }
  });

  it('recovers by itself after the server restarts on the same port', async () => {
    let node: Running = await startNode({ FEED_RATE: '20' });
    const port = Number(new URL(node.url).port);
    try {
      const { page, errors } = await openDashboard(suite.browser, node.url);
      await until('live', async () => (await badge(page)) === 'live');
      await pricesMove(page);

      await node.close();
      await until('the reconnecting badge', async () => ['reconnecting', 'connecting'].includes((await badge(page)) ?? ''), 15_000);
      node = await startNode({ FEED_RATE: '20' }, { port });

      await until('live again', async () => (await badge(page)) === 'live', 20_000);
      await pricesMove(page);
      const chart = page.getByTestId('chart');
      const before = `${await chart.getAttribute('data-last-time')}/${await chart.getAttribute('data-last-close')}`;
      await until('the chart to update again', async () => `${await chart.getAttribute('data-last-time')}/${await chart.getAttribute('data-last-close')}` !== before, 15_000);
      await until('both probes live again', async () =>
        (await page.getByTestId('compare-ws').getAttribute('data-state')) === 'live' && (await page.getByTestId('compare-sse').getAttribute('data-state')) === 'live', 20_000);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-after-restart.png') });
      expect(errors.filter((e) => !NETWORK_NOISE.test(e))).toEqual([]);
      await page.context().close();
    } finally {
      await node.close();
    }
  }, 90_000);
});

describe('dashboard access', () => {
  it('asks for a token when the server requires one, then streams with it', async () => {
    const node = await startNode({ FEED_RATE: '20', AUTH_TOKENS: 'letmein' });
    try {
      const { page, errors } = await openDashboard(suite.browser, node.url);
      await page.getByTestId('token-gate').waitFor({ timeout: 10_000 });
      await page.getByTestId('token-input').fill('letmein');
      await page.getByTestId('token-input').press('Enter');
      await until('live with the token', async () => (await badge(page)) === 'live', 15_000);
      await pricesMove(page);
      expect(await page.getByTestId('token-gate').count()).toBe(0);
      // Before the token: the browser reports the refused requests (401) itself.
      expect(errors.filter((e) => !/401|Unauthorized/i.test(e) && !NETWORK_NOISE.test(e))).toEqual([]);
      await page.context().close();
    } finally {
      await node.close();
    }
  });
});
