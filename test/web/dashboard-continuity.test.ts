/**
 * The dashboard across a broken network path and an expired token, in real Chromium against a
 * real node behind a proxy that can cut every connection (test/client/proxy.ts): after a short
 * cut the trades tape resumes with every trade and no marker; after a cut longer than the
 * server's history it shows "trades missed while disconnected" where the hole is. A JWT that
 * expires under an open page brings back the token dialog.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { CutProxy } from '../client/proxy.js';
import { CLOCK_LEEWAY_S } from '../../server/auth/jwt.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';
import { startNode, type Running } from '../helpers/node.js';
import { dashboardSuite, ARTIFACTS, NETWORK_NOISE, openDashboard } from '../helpers/browser.js';
import { until } from '../helpers/wait.js';

const suite = dashboardSuite();
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const f of closers.splice(0).reverse()) await f();
});

async function behindProxy(env: Record<string, string>): Promise<{ node: Running; proxy: CutProxy }> {
  const node = await startNode({ FEED_RATE: '5', ...env });
  closers.push(() => node.close());
  const proxy = await CutProxy.start(node.url);
  closers.push(() => proxy.close());
  return { node, proxy };
}

const badge = (p: Page) => p.getByTestId('status-badge').getAttribute('data-state');
/** The tape as shown, newest first: trade ids, and 'missed' for the marker. */
const tape = (p: Page) => p.evaluate(`[...document.querySelectorAll('[data-testid="trade-row"], [data-testid="trades-missed"]')]
  .map((r) => r.dataset.testid === 'trades-missed' ? 'missed' : Number(r.dataset.id))`) as Promise<(number | 'missed')[]>;

async function openOn(url: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await openDashboard(suite.browser, `${url}/?symbol=AAPL`);
  closers.push(() => opened.page.context().close());
  await until('live', async () => (await badge(opened.page)) === 'live', 15_000);
  await until('a few trades on the tape', async () => (await tape(opened.page)).length >= 3, 20_000);
  return opened;
}

async function cutAndReturn(p: Page, proxy: CutProxy, ms: number): Promise<void> {
  proxy.cut(ms);
  await until('the cut noticed', async () => ['reconnecting', 'connecting'].includes((await badge(p)) ?? ''), 10_000, 20);
  await until('live again', async () => (await badge(p)) === 'live', ms + 20_000);
}

describe('dashboard trades tape across a disconnect', () => {
  it('keeps every trade after a short cut, with no marker', async () => {
    const { proxy } = await behindProxy({});
    const { page: p, errors } = await openOn(proxy.url);
    const before = (await tape(p)).filter((x): x is number => x !== 'missed');
    await cutAndReturn(p, proxy, 2000);
    await until('trades after the cut', async () => {
      const ids = (await tape(p)).filter((x): x is number => x !== 'missed');
      return ids[0] > before[0] + 3;
    }, 20_000);
    const shown = await tape(p);
    expect(shown).not.toContain('missed');
    // Contiguous ids from before the cut to after it: nothing printed while away was lost.
    const ids = shown as number[];
    expect(ids.at(-1)!).toBeLessThanOrEqual(before[0]);
    expect(ids.every((id, i) => i === 0 || ids[i - 1] === id + 1)).toBe(true);
    expect(errors.filter((e) => !NETWORK_NOISE.test(e))).toEqual([]);
  }, 60_000);

  it('marks the trades it could not recover when the cut outlasts the history', async () => {
    const { proxy } = await behindProxy({ HISTORY_MS: '1000' });
    const { page: p, errors } = await openOn(proxy.url);
    const before = (await tape(p)).filter((x): x is number => x !== 'missed');
    await cutAndReturn(p, proxy, 3000);
    const shown = await until('the missed-trades marker with trades above it', async () => {
      const t = await tape(p);
      const at = t.indexOf('missed');
      return at > 0 ? t : undefined;
    }, 20_000);
    const at = shown.indexOf('missed');
    // The marker parts the trades after the hole (above) from those shown before it (below).
    const above = shown.slice(0, at) as number[];
    const below = shown.slice(at + 1) as number[];
    expect(below).toContain(before[0]);
    expect(Math.min(...above)).toBeGreaterThan(Math.max(...below));
    expect(await p.getByTestId('trades-missed').textContent()).toMatch(/trades missed while disconnected/i);
    await p.screenshot({ path: join(ARTIFACTS, 'dashboard-trades-missed.png') });
    expect(errors.filter((e) => !NETWORK_NOISE.test(e))).toEqual([]);
  }, 60_000);
});

describe('dashboard token expiry', () => {
  it('asks for a new token when the server says the token expired', async () => {
    const { proxy } = await behindProxy({ AUTH_JWT_SECRET: TEST_JWT_SECRET });
    // Valid for about 12 s more (time to open the page on a loaded machine): its exp is past,
    // within the server's clock leeway.
    const expiresAt = Date.now() + 12_000;
    const token = await mintToken({ sub: 'dashboard-test' }, { expInS: -CLOCK_LEEWAY_S + 12 });
    const { page: p, errors } = await openDashboard(suite.browser, `${proxy.url}/?token=${encodeURIComponent(token)}`);
    closers.push(() => p.context().close());
    await until('live with the token', async () => (await badge(p)) === 'live', 15_000);
    expect(await p.getByTestId('token-gate').count()).toBe(0);
    // Either the server ends the stream at expiry (error token_expired), or the next reconnect is
    // refused with a 401 token_expired: a short cut after the expiry makes sure there is one.
    await until('the token expired', async () => Date.now() > expiresAt + 1000, 20_000);
    if (!(await p.getByTestId('token-gate').count())) proxy.cut(300);
    await p.getByTestId('token-gate').waitFor({ timeout: 20_000 });
    expect(await p.getByTestId('token-reason').textContent()).toMatch(/new token/i);
    // A fresh token streams again.
    await p.getByTestId('token-input').fill(await mintToken({ sub: 'dashboard-test' }, { expInS: 600 }));
    await p.getByTestId('token-input').press('Enter');
    await until('live with the new token', async () => (await badge(p)) === 'live' && (await p.getByTestId('token-gate').count()) === 0, 20_000);
    expect(errors.filter((e) => !NETWORK_NOISE.test(e) && !/401|Unauthorized/i.test(e))).toEqual([]);
  }, 60_000);
});
