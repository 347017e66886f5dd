/**
 * Assembles one Tickwire node: feed → market state → bus → hub → transports, plus REST and the
 * dashboard. `start()` listens and returns the URL; `close()` stops everything.
 */
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { CHANNELS, type Channel } from '../shared/protocol.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory.js';
import type { Config } from './config.js';
import { Hub, type StateSource } from './fanout/hub.js';
import { SimSource } from './feed/sim-source.js';
import type { TickSource } from './feed/tick-source.js';
import type { MarketView } from './http/market-view.js';
import { registerRest } from './http/rest.js';
import { MarketState, SNAPSHOT_TRADES } from './market/market-state.js';
import type { StreamEvent } from './market/stream-event.js';
import { registerWs } from './transports/ws.js';

export interface Node {
  app: FastifyInstance;
  hub: Hub;
  feed: TickSource;
  market: MarketState;
  /** Listens on config.port (0: a free port); resolves to the base URL, e.g. http://127.0.0.1:8080. */
  start(): Promise<string>;
  close(): Promise<void>;
}

export async function createNode(config: Config): Promise<Node> {
  const feed: TickSource = new SimSource({ symbols: config.feedSymbols, rate: config.feedRate, seed: config.feedSeed });
  const market = new MarketState();
  for (const inst of feed.instruments) market.addSymbol(inst.symbol, feed.history(inst.symbol));
  const bus: Bus = new MemoryBus();

  const source: StateSource = {
    isSymbol: (s) => market.has(s),
    snapshot: (s, ch) => market.snapshot(s, ch),
  };
  const hub = new Hub({
    source,
    limits: {
      symbols: config.limitSymbols,
      throttle: { min: 0, max: 60000 },
      rate: config.limitRate,
      payload: config.limitPayload,
    },
    heartbeatMs: config.heartbeatMs,
    policy: { highWater: config.slowConsumerBytes, graceMs: config.slowConsumerGraceMs, snapshotTrades: SNAPSHOT_TRADES },
  });
  bus.onEvents((events) => hub.publish(events));

  const symbols = feed.instruments.map(({ symbol, name, kind, decimals, tickSize, currency }) => ({ symbol, name, kind, decimals, tickSize, currency }));
  const view: MarketView = {
    symbols: () => symbols,
    snapshot: (s, ch) => market.snapshot(s, ch),
    candles: (s, iv, limit) => market.candles(s, iv, limit),
  };

  const app = Fastify({ logger: config.logLevel === 'silent' ? false : { level: config.logLevel }, logController: new LogController({ disableRequestLogging: true }) });
  await app.register(fastifyWebsocket, { options: { maxPayload: config.limitPayload } });
  registerWs(app, hub, { pingMs: config.wsPingMs });
  const started = Date.now();
  registerRest(app, view, () => ({
    uptime: (Date.now() - started) / 1000,
    sessions: hub.sessions.size,
    symbols: symbols.length,
    channels: CHANNELS as readonly Channel[],
  }));
  if (existsSync(config.webDir)) await app.register(fastifyStatic, { root: config.webDir, prefix: '/' });

  const out: StreamEvent[] = [];
  return {
    app,
    hub,
    feed,
    market,
    async start() {
      feed.start((events) => {
        out.length = 0;
        for (const e of events) market.apply(e, out);
        if (out.length) bus.publish(out.slice());
      });
      hub.start();
      await app.listen({ port: config.port, host: config.host });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      return `http://${host}:${port}`;
    },
    async close() {
      feed.stop();
      hub.stop();
      await app.close();
      await bus.close();
    },
  };
}
