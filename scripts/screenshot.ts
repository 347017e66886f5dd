/**
 * Takes docs/dashboard.png: the dashboard at 1440x900 against a fresh local node, after a few
 * seconds of live data. Usage: `npx tsx scripts/screenshot.ts [out.png] [--symbol BTC-USD]`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ensureWebBuilt, launchBrowser, until } from '../test/helpers/browser.js';
import { startNode } from '../test/helpers/node.js';

const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : def;
};
const symbol = flag('--symbol', 'NVDA');
const out = resolve(args[0] ?? 'docs/dashboard.png');

await ensureWebBuilt();
const node = await startNode({ FEED_RATE: '10' });
const browser = await launchBrowser();
try {
  // Reduced motion: no flashes caught mid-way, a calm picture.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(`${node.url}/?symbol=${encodeURIComponent(symbol)}`);
  await until('a live dashboard', async () => (await page.getByTestId('status-badge').getAttribute('data-state')) === 'live', 15_000);
  await until('the chart', async () => (await page.getByTestId('chart').getAttribute('data-phase')) === 'ready', 15_000);
  await until('a latency history', async () => Number(await page.getByTestId('latency-chart').getAttribute('data-points')) >= 12, 30_000);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await node.close();
}
