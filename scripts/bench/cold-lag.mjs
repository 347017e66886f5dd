/**
 * The event loop during a cold subscribe, measured inside the server's process (no probe, no
 * second process to starve): a compiled node (DIST, default dist) with FEED_SYMBOLS symbols, a
 * 5 ms interval timer recording how late it runs, one client subscribing every symbol's ticker
 * at once. Prints the time to the last snapshot item, the worst lateness and every lateness
 * over 50 ms. `node scripts/bench/cold-lag.mjs [DIST] [SYMBOLS]` after `npm run build`;
 * DIST may be another build's dist folder (a before/after on the same machine, same minute).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';

const dist = pathToFileURL(resolve(process.argv[2] ?? 'dist')).href;
const symbols = process.argv[3] ?? '500';
const { createNode } = await import(`${dist}/server/node/all.js`);
const { loadConfig } = await import(`${dist}/server/config.js`);
const { encode, decode } = await import(`${dist}/shared/codec.js`);
const node = await createNode({ ...loadConfig({ LOG_LEVEL: 'silent', FEED_SYMBOLS: symbols }), port: 0, host: '127.0.0.1' });
const url = await node.start();
let last = performance.now();
let worst = 0;
const lags = [];
setInterval(() => {
  const now = performance.now();
  const late = now - last - 5;
  if (late > 50) lags.push(Math.round(late));
  worst = Math.max(worst, late);
  last = now;
}, 5);
await new Promise((r) => setTimeout(r, 2000));
const ws = new WebSocket(url.replace('http', 'ws') + '/ws');
await new Promise((r) => ws.once('open', r));
const all = node.feed.instruments.map((i) => i.symbol);
let got = 0;
const t0 = performance.now();
ws.on('message', (data) => {
  const m = decode(data).value;
  if (m.type !== 'snapshot') return;
  got += m.items.length;
  if (got < all.length) return;
  console.log(JSON.stringify({ dist, symbols: all.length, allSnapshotsMs: Math.round(performance.now() - t0), worstLateMs: Math.round(worst), over50ms: lags.length, lags }));
  process.exit(0);
});
ws.send(encode({ type: 'subscribe', id: 1, symbols: all, channels: ['ticker'] }));
