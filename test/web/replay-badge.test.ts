/**
 * The dashboard on a replay, in Chromium: the top bar's replay badge (speed, market date and
 * time, paused), and its controls for a token with the replay right only: pause / resume,
 * speed and the time slider drive the server's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardSuite, NETWORK_NOISE, openDashboard, WEB_DIR } from '../helpers/browser.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';
import { T0_MS } from '../replay/fixtures.js';
import { startReplay, writeMinute } from '../replay/replay-node.js';
import type { ReplayNode } from '../../server/node/replay-node.js';
import { until } from '../helpers/wait.js';

let run: { node: ReplayNode; url: string };
const suite = dashboardSuite();

beforeAll(async () => {
  run = await startReplay({ REPLAY_FILES: writeMinute(), REPLAY_SPEED: '1', AUTH_JWT_SECRET: TEST_JWT_SECRET, WEB_DIR });
}, 120_000);

afterAll(async () => {
  await run?.node.close();
});

describe('the replay badge', () => {
  it('shows the replay to a viewer without controls', async () => {
    const token = await mintToken({ sub: 'viewer' });
    const { page, errors } = await openDashboard(suite.browser, `${run.url}/?token=${token}`);
    try {
      const badge = page.getByTestId('replay-badge');
      await badge.waitFor();
      expect(await page.getByTestId('replay-speed').textContent()).toBe('×1');
      expect(await page.getByTestId('replay-time').textContent()).toMatch(/^2025-01-01 00:00:\d\d UTC$/);
      expect(await page.getByTestId('replay-toggle').count()).toBe(0);
      expect(await page.getByTestId('replay-slider').count()).toBe(0);
      // the watchlist held none of the recording's symbols: it watches them, with recorded prices
      await until('BTCUSD watched', async () => (await page.locator('[data-testid="watch-row"]', { hasText: 'BTCUSD' }).count()) === 1);
      expect(errors.filter((e) => !NETWORK_NOISE.test(e))).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('lets an operator pause, resume, change the speed and seek', { timeout: 60_000 }, async () => {
    const token = await mintToken({ sub: 'ops', replay: true });
    const { page, errors } = await openDashboard(suite.browser, `${run.url}/?token=${token}`);
    const clock = async () => (await (await fetch(`${run.url}/api/replay`, { headers: { authorization: `Bearer ${token}` } })).json()) as { paused: boolean; speed: unknown; at: number };
    try {
      await page.getByTestId('replay-toggle').click({ timeout: 10_000 });
      await page.getByTestId('replay-state').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('replay-state').textContent()).toBe('paused');
      expect((await clock()).paused).toBe(true);
      await page.getByTestId('replay-speed-select').selectOption('10');
      await until('speed ×10 shown', async () => (await page.getByTestId('replay-speed').textContent()) === '×10');
      expect((await clock()).speed).toBe(10);
      // the slider: a seek to 40 s into the recording
      const at = T0_MS + 40_000;
      await page.getByTestId('replay-slider').evaluate((el, v) => {
        const input = el as HTMLInputElement;
        input.value = String(v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }, at);
      await until('the seek', async () => Math.abs((await clock()).at - at) < 1000);
      await until('the badge at 00:00:40', async () => (await page.getByTestId('replay-time').textContent()) === '2025-01-01 00:00:40 UTC');
      await page.getByTestId('replay-toggle').click();
      await until('playing again', async () => (await page.getByTestId('replay-state').count()) === 0);
      expect((await clock()).paused).toBe(false);
      expect(errors.filter((e) => !NETWORK_NOISE.test(e))).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
