/**
 * Baseline (b): Socket.IO with one room per symbol, the library's own answer to fan-out: each
 * ticker event is one `io.to(symbol).emit(...)`, which Socket.IO encodes once per event and
 * writes to every socket in the room (one WebSocket frame per subscriber per event). The whole
 * current ticker per event, as the tutorial server sends. Same simulator as Tickwire (feed.ts).
 * Run: `PORT=8091 FEED_SYMBOLS=500 FEED_RATE=10 tsx bench/baselines/socketio-server.ts`.
 *
 * Protocol: Socket.IO v4 over WebSocket only (path /socket.io/, no long-polling).
 *   client emits "subscribe" {symbols: string[], throttle?: ms}
 *   server emits "subscribed" {symbols}, then "ticker" {symbol, last, bid, ..., ts}
 * A throttle T > 0 joins room `SYMBOL@T`; one server timer per throttle value emits, every T ms,
 * the latest ticker of each symbol that changed into those rooms (shared by all its clients).
 * GET /healthz answers 200.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { baselineFeed } from './feed.js';

const feed = baselineFeed();
const known = new Set(feed.symbols);
/** Per throttle value > 0: the symbols changed since its last emit, and its timer. */
const throttled = new Map<number, { changed: Set<string>; timer: NodeJS.Timeout }>();

const http = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ status: 'ok', clients: io.engine.clientsCount }));
  }
  res.writeHead(404).end();
});
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
const rooms = io.of('/').adapter.rooms;

io.on('connection', (socket) => {
  socket.on('subscribe', (msg: { symbols?: unknown; throttle?: unknown }) => {
    if (!msg || !Array.isArray(msg.symbols)) return;
    const throttle = typeof msg.throttle === 'number' && msg.throttle > 0 ? msg.throttle : 0;
    const symbols = msg.symbols.filter((s): s is string => typeof s === 'string' && known.has(s));
    if (throttle > 0 && !throttled.has(throttle)) {
      const changed = new Set<string>();
      const timer = setInterval(() => {
        for (const s of changed) io.to(`${s}@${throttle}`).emit('ticker', { symbol: s, ...feed.tickers.get(s) });
        changed.clear();
      }, throttle);
      throttled.set(throttle, { changed, timer });
    }
    socket.join(symbols.map((s) => (throttle > 0 ? `${s}@${throttle}` : s)));
    socket.emit('subscribed', { symbols });
  });
});

feed.start((symbol, ticker) => {
  if (rooms.has(symbol)) io.to(symbol).emit('ticker', { symbol, ...ticker });
  for (const [t, g] of throttled) if (rooms.has(`${symbol}@${t}`)) g.changed.add(symbol);
});

http.listen(Number(process.env.PORT ?? 8091), process.env.HOST ?? '127.0.0.1');

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    feed.stop();
    for (const g of throttled.values()) clearInterval(g.timer);
    io.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
