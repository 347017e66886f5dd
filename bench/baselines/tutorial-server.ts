/**
 * Baseline (a): the server a WebSocket tutorial builds. `ws`, JSON text, and for every ticker
 * event one `JSON.stringify` and one `send` per subscriber of the symbol; the whole current
 * ticker each time (no deltas, no seq). Fed by the same simulator and market state as
 * Tickwire (feed.ts). Run: `PORT=8090 FEED_SYMBOLS=500 FEED_RATE=10 tsx bench/baselines/tutorial-server.ts`.
 *
 * Protocol (a minimal subset of Tickwire's, as JSON text frames on any path):
 *   client -> {"type":"subscribe","symbols":["AAPL",...],"throttle":0}
 *   server -> {"type":"subscribed","symbols":[...]}, then per event
 *             {"type":"ticker","symbol":"AAPL","last":..,"bid":..,...,"ts":..}
 * A throttle T > 0 is done the tutorial way: one timer per client, which every T ms sends the
 * latest ticker of each symbol that changed (one message each). No backpressure handling.
 * GET /healthz answers 200.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { baselineFeed, type TickerView } from './feed.js';

interface Client {
  ws: WebSocket;
  throttle: number;
  changed: Set<string>;
  timer?: NodeJS.Timeout;
}

const feed = baselineFeed();
const known = new Set(feed.symbols);
const subscribers = new Map<string, Set<Client>>();

const http = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'ok', clients: wss.clients.size }));
});
const wss = new WebSocketServer({ server: http });

function message(symbol: string, t: TickerView): string {
  return JSON.stringify({ type: 'ticker', symbol, ...t });
}

wss.on('connection', (ws) => {
  const client: Client = { ws, throttle: 0, changed: new Set() };
  ws.on('message', (data) => {
    let msg: { type?: string; symbols?: unknown; throttle?: unknown };
    try {
      msg = JSON.parse(String(data));
    } catch {
      return;
    }
    if (msg.type !== 'subscribe' || !Array.isArray(msg.symbols)) return;
    client.throttle = typeof msg.throttle === 'number' && msg.throttle > 0 ? msg.throttle : 0;
    const symbols = msg.symbols.filter((s): s is string => typeof s === 'string' && known.has(s));
    for (const s of symbols) {
      let set = subscribers.get(s);
      if (!set) subscribers.set(s, (set = new Set()));
      set.add(client);
    }
    ws.send(JSON.stringify({ type: 'subscribed', symbols }));
    clearInterval(client.timer);
    if (client.throttle > 0) {
      client.timer = setInterval(() => {
        for (const s of client.changed) ws.send(message(s, feed.tickers.get(s)!));
        client.changed.clear();
      }, client.throttle);
    }
  });
  ws.on('close', () => {
    clearInterval(client.timer);
    for (const set of subscribers.values()) set.delete(client);
  });
  ws.on('error', () => ws.terminate());
});

feed.start((symbol, ticker) => {
  const set = subscribers.get(symbol);
  if (!set) return;
  for (const c of set) {
    if (c.throttle > 0) c.changed.add(symbol);
    else c.ws.send(message(symbol, ticker));
  }
});

http.listen(Number(process.env.PORT ?? 8090), process.env.HOST ?? '127.0.0.1');

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    feed.stop();
    for (const c of wss.clients) c.terminate();
    http.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
