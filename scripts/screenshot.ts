/**
 * Takes the README's screenshots against a fresh local node, after a few seconds of live data:
 * docs/dashboard.png and docs/dashboard-wide.png (1440x900), docs/dashboard-medium.png
 * (1024x768, book tab), docs/dashboard-phone.png (390x844, mobile emulation at 2x; the chart
 * tab with `--phone-tab chart`). Usage:
 * `npx tsx scripts/screenshot.ts [outDir] [--symbol BTC-USD] [--phone-tab watch|chart|book|tape|compare]`.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContextOptions } from 'playwright-core';
import { ensureWebBuilt, launchBrowser } from '../test/helpers/browser.js';
import { until } from '../test/helpers/wait.js';
import { startNode } from '../test/helpers/node.js';

const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : def;
};
const symbol = flag('--symbol', 'NVDA');
const phoneTab = flag('--phone-tab', 'watch');
const outDir = resolve(args[0] ?? 'docs');

const shots: { file: string; options: BrowserContextOptions; tab?: string }[] = [
  { file: 'dashboard-wide.png', options: { viewport: { width: 1440, height: 900 } } },
  { file: 'dashboard-medium.png', options: { viewport: { width: 1024, height: 768 } }, tab: 'book' },
  { file: 'dashboard-phone.png', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }, tab: phoneTab },
];

await ensureWebBuilt();
const node = await startNode({ FEED_RATE: '10' });
const browser = await launchBrowser();
try {
  mkdirSync(outDir, { recursive: true });
  for (const shot of shots) {
    // Reduced motion: no flashes caught mid-way, a calm picture.
    const context = await browser.newContext({ ...shot.options, reducedMotion: 'reduce' });
    const page = await context.newPage();
    await page.goto(`${node.url}/?symbol=${encodeURIComponent(symbol)}`);
    await until('a live dashboard', async () => (await page.getByTestId('status-badge').getAttribute('data-state')) === 'live', 15_000);
    if (shot.tab && (await page.getByTestId(`tab-${shot.tab}`).count())) await page.getByTestId(`tab-${shot.tab}`).click();
    if (await page.getByTestId('chart').isVisible()) {
      await until('the chart', async () => (await page.getByTestId('chart').getAttribute('data-phase')) === 'ready', 15_000);
    }
    if (await page.getByTestId('latency-chart').isVisible()) {
      await until('a latency history', async () => Number(await page.getByTestId('latency-chart').getAttribute('data-points')) >= 12, 30_000);
    } else {
      await page.waitForTimeout(3000);
    }
    const out = join(outDir, shot.file);
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
    await context.close();
  }
  copyFileSync(join(outDir, 'dashboard-wide.png'), join(outDir, 'dashboard.png'));
  console.log(`wrote ${join(outDir, 'dashboard.png')}`);
} finally {
  await browser.close();
  await node.close();
}
