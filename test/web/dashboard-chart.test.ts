/**
 * The chart as a trader reads it, in real Chromium against a real node: the newest candle in
 * view after the phone's Chart tab is opened late (and the price label's bar is the legend's),
 * one time zone for the chart axis, its legend and the tape, switched together in the chart
 * settings and kept across a reload; SMA, EMA and VWAP overlays equal to a reference
 * computation on the server's bars; line, area and log scale.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import type { Candle } from '../../shared/protocol.js';
import { dashboardSuite } from '../helpers/browser.js';
import { openIn, VIEWPORTS } from '../helpers/page-audit.js';
import { until } from '../helpers/wait.js';

vi.setConfig({ testTimeout: 90_000 });

const suite = dashboardSuite({ FEED_RATE: '10' });

let page: Page | undefined; // closed with its context after each test

const NY = 'America/New_York';
const chartAttr = (p: Page, name: string) => p.getByTestId('chart').getAttribute(`data-${name}`);
const num = (s: string | null) => Number(s?.replace(/,/g, ''));
const clockIn = (ms: number, zone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms);
const offsetNow = (zone: string) => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    .formatToParts(new Date()).map((x) => [x.type, Number(x.value)]));
  return Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Date.now()) / 60_000) * 60 || 0;
};

async function open(kind: keyof typeof VIEWPORTS, symbol: string): Promise<Page> {
  const opened = await openIn(suite.browser, `${suite.node.url}/?symbol=${symbol}`, { ...VIEWPORTS[kind], timezoneId: NY });
  page = opened.page;
  await until('live', async () => (await opened.page.getByTestId('status-badge').getAttribute('data-state')) === 'live', 15_000);
  await until('chart history', async () => (await chartAttr(opened.page, 'phase')) === 'ready', 15_000);
  return opened.page;
}

async function settings(p: Page, act: () => Promise<unknown>): Promise<void> {
  await p.getByTestId('chart-settings-button').click();
  await act();
  await p.getByTestId('chart-settings-button').click();
}

describe('chart', () => {
  it('shows its newest candle after the phone opens the Chart tab late, and the price label is the legend close', async () => {
    const p = await open('narrow', 'BTC-USD');
    const bars = Number(await chartAttr(p, 'bars'));
    // Live bars arrive while the chart is hidden behind the Watchlist tab.
    await until('a live bar while hidden', async () => Number(await chartAttr(p, 'last-time')) > 0 && !(await p.getByTestId('chart').isVisible()), 10_000);
    await p.getByTestId('tab-chart').click();
    await until('the newest bar in view', async () => num(await chartAttr(p, 'range-to')) >= Number(await chartAttr(p, 'bars')) - 0.5, 5_000);
    expect(Number(await chartAttr(p, 'bars'))).toBeGreaterThanOrEqual(bars);
    await until('label and legend agree', async () =>
      num(await chartAttr(p, 'label-close')) === num(await chartAttr(p, 'last-close')) &&
      num(await p.getByTestId('legend-close').textContent()) === num(await chartAttr(p, 'last-close')), 5_000);
  });

  it('switches the axis, the legend and the tape to one zone together, and keeps it', async () => {
    const p = await open('wide', 'AAPL');
    const shiftOf = async () => Number(await chartAttr(p, 'last-chart-time')) - Number(await chartAttr(p, 'last-time'));
    const tapeTime = () => p.getByTestId('trade-row').first().locator('.time').textContent();
    const check = async (zone: string, label: string) => {
      await until(`the chart in ${zone}`, async () => (await chartAttr(p, 'zone')) === zone);
      expect(await shiftOf()).toBe(offsetNow(zone));
      expect(await p.getByTestId('zone-label').textContent()).toBe(label);
      expect(await p.getByTestId('tape-zone').getAttribute('data-zone')).toBe(zone);
      // The tape's newest trade happened within seconds: its time reads as now in the zone.
      const shown = await until('a trade', tapeTime);
      const now = Date.now();
      expect([-2, -1, 0, 1].map((d) => clockIn(now + d * 1000, zone))).toContain(shown.trim());
      // The legend under the crosshair gives the hovered bar's time in the zone.
      const box = (await p.getByTestId('chart').boundingBox())!;
      await p.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
      const t = Number(await until('hover', async () => (await p.getByTestId('ohlc-legend').getAttribute('data-hovering')) === 'true' && p.getByTestId('ohlc-legend').getAttribute('data-time')));
      expect((await p.getByTestId('legend-time').textContent())!.startsWith(clockIn(t * 1000, zone))).toBe(true);
      await p.mouse.move(box.x - 50, box.y);
    };
    await check(NY, 'New York'); // local: the browser's zone
    await settings(p, () => p.getByTestId('chart-zone').selectOption('utc'));
    await check('UTC', 'UTC');
    await p.reload();
    await until('chart history', async () => (await chartAttr(p, 'phase')) === 'ready', 15_000);
    await check('UTC', 'UTC');
    await settings(p, () => p.getByTestId('chart-zone').selectOption('exchange'));
    await check(NY, 'New York'); // AAPL trades in New York
  });

  it('draws SMA, EMA and VWAP equal to a reference computation on the same bars', async () => {
    const p = await open('wide', 'MSFT');
    await settings(p, async () => {
      await p.getByTestId('chart-sma').check();
      await p.getByTestId('chart-sma-period').fill('7');
      await p.getByTestId('chart-sma-period').press('Enter');
      await p.getByTestId('chart-ema').check();
      await p.getByTestId('chart-ema-period').fill('5');
      await p.getByTestId('chart-ema-period').press('Enter');
      await p.getByTestId('chart-vwap').check();
    });
    await until('three overlays', async () => (await p.locator('[data-testid^="legend-"][data-value]').count()) === 3);
    // Hover a closed bar well inside the history, then compute from the server's bars.
    const box = (await p.getByTestId('chart').boundingBox())!;
    await p.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
    const time = Number(await until('hover', async () => (await p.getByTestId('ohlc-legend').getAttribute('data-hovering')) === 'true' && p.getByTestId('ohlc-legend').getAttribute('data-time')));
    const values = Object.fromEntries(await Promise.all(['sma', 'ema', 'vwap'].map(async (k) => [k, Number(await p.getByTestId(`legend-${k}`).getAttribute('data-value'))])));
    const first = Number(await chartAttr(p, 'first-time'));
    const res = await fetch(`${suite.node.url}/api/candles?symbol=MSFT&interval=1m&limit=1200`);
    const all = ((await res.json()) as { bars: Candle[] }).bars.filter((b) => b.time >= first && b.time <= time);
    expect(all.at(-1)!.time).toBe(time);
    const closes = all.map((b) => b.close);
    const sma7 = closes.slice(-7).reduce((a, c) => a + c, 0) / 7;
    let ema5 = closes.slice(0, 5).reduce((a, c) => a + c, 0) / 5;
    for (const c of closes.slice(5)) ema5 = c * (2 / 6) + ema5 * (4 / 6);
    const day = Math.floor(time / 86_400);
    const today = all.filter((b) => Math.floor(b.time / 86_400) === day);
    const vwap = today.reduce((a, b) => a + ((b.high + b.low + b.close) / 3) * b.volume, 0) / today.reduce((a, b) => a + b.volume, 0);
    expect(values.sma).toBeCloseTo(sma7, 6);
    expect(values.ema).toBeCloseTo(ema5, 6);
    expect(values.vwap).toBeCloseTo(vwap, 6);
  });

  it('draws a line, an area and a log price scale, kept across a reload', async () => {
    const p = await open('medium', 'NVDA');
    for (const style of ['line', 'area', 'candles'] as const) {
      await settings(p, () => p.getByTestId('chart-style').selectOption(style));
      await until(style, async () => (await chartAttr(p, 'style')) === style);
      expect(Number(await chartAttr(p, 'bars'))).toBeGreaterThan(100);
    }
    await settings(p, () => p.getByTestId('chart-log').check());
    await until('log scale', async () => (await chartAttr(p, 'scale')) === 'log');
    await p.reload();
    await until('log scale after reload', async () => (await chartAttr(p, 'scale')) === 'log', 15_000);
  });
});
