/**
 * The dashboard on every screen, in real Chromium against a real node: 1440x900, 1024x768 and a
 * phone (390x844, mobile emulation). Per layout: nothing wider than the screen, no visible
 * panels overlapping, every control reachable and uncovered (and touch-sized on the phone),
 * each interval button changes the chart, adding and removing a symbol works, axe-core finds
 * nothing serious or critical. Then resizing keeps the selection, the watchlist and the interval;
 * the keyboard reaches every control with a visible focus ring; `?` lists the shortcuts.
 * Screenshots go to test-artifacts/layout-*.png.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { INTERVAL_NAMES } from '../../shared/protocol.js';
import { dashboardSuite, ARTIFACTS, lastPrices } from '../helpers/browser.js';
import { openIn, overlappingBoxes, runAxe, smallTargets, unreachableControls, VIEWPORTS } from '../helpers/page-audit.js';
import { until } from '../helpers/wait.js';

// Each test drives a real browser against a live feed: on a loaded 2-core machine that takes time.
vi.setConfig({ testTimeout: 90_000 });

const suite = dashboardSuite({ FEED_RATE: '10' });

let page: Page | undefined; // closed with its context after each test

const attr = (p: Page, testId: string, name: string) => p.getByTestId(testId).getAttribute(name);
const layoutOf = (p: Page) => attr(p, 'dashboard', 'data-layout');
const tabs = async (p: Page) => (await p.getByTestId('tabs').count()) ? p.locator('[role="tab"]').evaluateAll((ts) => ts.map((t) => t.id.replace('tab-', ''))) : [];
/** Shows `panel` (clicking its tab when it has one). */
async function show(p: Page, panel: string): Promise<void> {
  const tab = p.getByTestId(`tab-${panel}`);
  if (await tab.count()) await tab.click();
  await p.getByTestId(`panel-${panel}`).waitFor({ state: 'visible' });
}

async function openLive(kind: keyof typeof VIEWPORTS, path = '/'): Promise<{ page: Page; errors: string[] }> {
  const opened = await openIn(suite.browser, suite.node.url + path, VIEWPORTS[kind]);
  page = opened.page;
  await until('live', async () => (await attr(opened.page, 'status-badge', 'data-state')) === 'live', 15_000);
  return opened;
}

/** What each tab state (or the one wide screen) shows must fit: boxes apart, controls usable. */
async function auditEveryTab(p: Page, kind: keyof typeof VIEWPORTS): Promise<string[]> {
  const problems: string[] = [];
  const states = (await tabs(p)).length ? await tabs(p) : [''];
  for (const t of states) {
    if (t) await show(p, t);
    const where = t ? `${kind}/${t}` : kind;
    for (const o of await overlappingBoxes(p, 'header, [role="tablist"], main > section')) problems.push(`${where}: ${o}`);
    for (const u of await unreachableControls(p)) problems.push(`${where}: ${u}`);
    if (kind === 'narrow') for (const s of await smallTargets(p)) problems.push(`${where}: small target ${s}`);
  }
  return problems;
}

describe.each(['wide', 'medium', 'narrow'] as const)('the %s layout', (kind) => {
  it('fits the screen: no overlap, every control reachable, nothing wider than the viewport', async () => {
    const { page: p, errors } = await openLive(kind, '/?symbol=BTC-USD');
    expect(await layoutOf(p)).toBe(kind);
    const vw = VIEWPORTS[kind].viewport.width;
    expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(vw);
    expect(await p.evaluate('visualViewport.width')).toBe(vw); // laid out at device width, not zoomed out
    await until('the chart', async () => (await attr(p, 'chart', 'data-phase')) === 'ready' || (await layoutOf(p)) === 'narrow');
    await until('priced rows', async () => Object.values(await lastPrices(p)).some((v) => /\d/.test(v)));
    if (kind === 'narrow') {
      // The compact top bar keeps the status badge; the settings are in its menu.
      expect(await p.getByTestId('transport-select').count()).toBe(0);
      await p.getByTestId('menu-button').click();
      await p.getByTestId('top-menu').waitFor();
      expect(await unreachableControls(p, '[data-testid="top-menu"]')).toEqual([]);
      expect(await smallTargets(p)).toEqual([]);
      await p.keyboard.press('Escape');
      expect(await p.getByTestId('top-menu').count()).toBe(0);
    }
    expect(await auditEveryTab(p, kind)).toEqual([]);
    await show(p, kind === 'narrow' ? 'watch' : 'book');
    await p.screenshot({ path: join(ARTIFACTS, `layout-${kind}.png`) });
    expect(errors).toEqual([]);
  });

  it('changes the chart with each interval button', async () => {
    const { page: p, errors } = await openLive(kind, '/?symbol=AAPL');
    await show(p, 'chart');
    for (const iv of [...INTERVAL_NAMES.filter((i) => i !== '1m'), '1m']) {
      await p.getByTestId(`interval-${iv}`).click();
      await until(`${iv} bars`, async () =>
        (await attr(p, 'chart', 'data-interval')) === iv && (await attr(p, 'chart', 'data-phase')) === 'ready' && Number(await attr(p, 'chart', 'data-bars')) > 5);
      expect(await attr(p, `interval-${iv}`, 'aria-pressed')).toBe('true');
    }
    // The chart fills its panel: on a phone, nearly the whole screen below the bars.
    const box = (await p.getByTestId('chart').boundingBox())!;
    const vp = VIEWPORTS[kind].viewport;
    expect(box.width).toBeGreaterThan(vp.width * (kind === 'wide' ? 0.3 : 0.5));
    if (kind === 'narrow') expect(box.height).toBeGreaterThan(vp.height * 0.6);
    await p.screenshot({ path: join(ARTIFACTS, `layout-${kind}-chart.png`) });
    expect(errors).toEqual([]);
  });

  it('adds and removes a symbol, and a row chosen shows its chart', async () => {
    const { page: p, errors } = await openLive(kind);
    await show(p, 'watch');
    await until('rows', async () => (await p.getByTestId('watch-row').count()) >= 10);
    await p.getByTestId('symbol-search').fill('netfl');
    await p.locator('[data-testid="search-option"][data-symbol="NFLX"]').click();
    await until('NFLX in the list', async () => (await p.locator('[data-testid="watch-row"][data-symbol="NFLX"]').count()) === 1);
    await p.locator('[data-testid="watch-row"][data-symbol="TSLA"] [data-testid="remove-symbol"]').click();
    await until('TSLA gone', async () => (await p.locator('[data-testid="watch-row"][data-symbol="TSLA"]').count()) === 0);
    await p.locator('[data-testid="watch-row"][data-symbol="ETH-USD"]').click();
    await until('the ETH-USD chart on screen', async () =>
      (await attr(p, 'chart', 'data-symbol')) === 'ETH-USD' && (await p.getByTestId('chart').isVisible()));
    expect(errors).toEqual([]);
  });

  it('has no serious or critical axe-core violation on any of its tabs', async () => {
    const { page: p, errors } = await openLive(kind, '/?symbol=MSFT');
    await until('priced rows', async () => Object.values(await lastPrices(p)).some((v) => /\d/.test(v)));
    const found: string[] = [];
    for (const t of (await tabs(p)).length ? await tabs(p) : ['']) {
      if (t) await show(p, t);
      await p.waitForTimeout(300); // the tab's panel drawn with live figures
      for (const v of await runAxe(p)) {
        if (v.impact === 'serious' || v.impact === 'critical') found.push(`${kind}/${t || 'all'}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`);
      }
    }
    expect(found).toEqual([]);
    expect(await p.locator('h1').count()).toBe(1);
    expect(errors).toEqual([]);
  });
});

describe('dashboard across layouts', () => {
  it('keeps the selection, the watchlist and the interval from wide to narrow and back', async () => {
    const { page: p, errors } = await openLive('wide');
    await until('rows', async () => (await p.getByTestId('watch-row').count()) >= 10);
    await p.locator('[data-testid="watch-row"][data-symbol="SOL-USD"]').click();
    await p.getByTestId('interval-5m').click();
    await p.locator('[data-testid="watch-row"][data-symbol="QQQ"] [data-testid="remove-symbol"]').click();
    const rows = () => p.getByTestId('watch-row').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.symbol));
    const before = await rows();
    expect(before).not.toContain('QQQ');
    const held = async () => ({
      rows: await rows(),
      selected: await p.locator('[data-testid="watch-row"][aria-selected="true"]').getAttribute('data-symbol'),
      chart: `${await attr(p, 'chart', 'data-symbol')}/${await attr(p, 'chart', 'data-interval')}`,
    });
    const want = { rows: before, selected: 'SOL-USD', chart: 'SOL-USD/5m' };
    await until('the SOL-USD 5m chart', async () => (await attr(p, 'chart', 'data-phase')) === 'ready' && (await held()).chart === want.chart);

    for (const [size, layout] of [[{ width: 390, height: 844 }, 'narrow'], [{ width: 1024, height: 768 }, 'medium'], [{ width: 1440, height: 900 }, 'wide']] as const) {
      await p.setViewportSize(size);
      await until(`the ${layout} layout`, async () => (await layoutOf(p)) === layout);
      expect(await held()).toEqual(want);
      if (layout === 'narrow') {
        await show(p, 'chart');
        await until('the chart drawn at phone size', async () => ((await p.getByTestId('chart').boundingBox())?.width ?? 0) > 300);
      }
    }
    await until('the chart drawn wide again', async () => ((await p.getByTestId('chart').boundingBox())?.width ?? 0) > 500);
    expect(Number(await attr(p, 'chart', 'data-bars'))).toBeGreaterThan(5);
    expect(errors).toEqual([]);
  });

  it('reaches every control with Tab, in page order, with a visible focus ring; ? lists the shortcuts', async () => {
    const { page: p, errors } = await openLive('wide');
    await until('rows', async () => (await p.getByTestId('watch-row').count()) >= 10);
    const seen: string[] = [];
    const rings: string[] = [];
    for (let i = 0; i < 80; i++) {
      await p.keyboard.press('Tab');
      const f = (await p.evaluate(`(() => {
        const e = document.activeElement;
        const s = getComputedStyle(e);
        return { id: e.dataset.testid || e.getAttribute('aria-label') || e.tagName, ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1 };
      })()`)) as { id: string; ring: boolean };
      if (f.id === 'BODY') break; // past the last control
      if (!f.ring) rings.push(f.id);
      if (seen.at(-1) !== f.id) seen.push(f.id);
    }
    const order = ['transport-select', 'throttle-select', 'pause-button', 'help-button', 'symbol-search', 'watch-row', 'interval-1s', 'interval-1h', 'book-step'];
    const at = order.map((id) => seen.indexOf(id));
    expect(at.every((i) => i >= 0), `focus went through ${seen.join(' ')}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(rings).toEqual([]);

    await p.keyboard.press('?');
    const help = p.getByTestId('help-overlay');
    await help.waitFor();
    const listed = await p.getByTestId('help-shortcut').allTextContents();
    for (const key of ['?', '/', 'g', 'p', 'Del']) expect(listed.some((l) => l.startsWith(key))).toBe(true);
    expect(await p.evaluate('document.activeElement.dataset.testid')).toBe('help-close');
    await p.keyboard.press('Escape');
    expect(await help.count()).toBe(0);
    // `/` goes to the symbol search; `p` pauses.
    await p.keyboard.press('/');
    expect(await p.evaluate('document.activeElement.dataset.testid')).toBe('symbol-search');
    await p.getByTestId('symbol-search').press('Escape');
    await p.evaluate('document.activeElement.blur()');
    await p.keyboard.press('p');
    await until('paused', async () => (await attr(p, 'pause-button', 'aria-pressed')) === 'true');
    // Connection state and errors have live regions a screen reader announces.
    expect(await p.getByTestId('status-announcer').getAttribute('role')).toBe('status');
    expect(await p.getByTestId('status-announcer').textContent()).toMatch(/Live/);
    expect(await p.getByTestId('error-announcer').getAttribute('role')).toBe('alert');
    expect(errors).toEqual([]);
  });
});
