/**
 * Assembles one Tickwire node: feed → market state → bus → hub → transports, plus REST and the
 * dashboard. `start()` listens and returns the URL; `close()` stops everything. This is ROLE=all;
 * the feed and gateway roles (server/node/) reuse createHub, serveClients and listen from here.
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
import { newEpoch } from './history/epoch.js';
import type { HistoryLimits } from './history/stream-history.js';
import { LocalSource } from './node/local-source.js';
import { Warmup } from './node/warmup.js';
import { BackfillPool } from './work/backfill-pool.js';
import { SimSource } from './feed/sim-source.js';
import type { TickSource } from './feed/tick-source.js';
import { connectionLimits, registerAccess } from './http/access.js';
import type { MarketView } from './http/market-view.js';
import { registerApiDocs } from './http/api-docs.js';
import { registerMetrics } from './http/metrics.js';
import type { Registry } from 'prom-client';
import { registerRest } from './http/rest.js';
import { registerSecurityHeaders } from './http/security.js';
import { MarketState, SNAPSHOT_TRADES } from './market/market-state.js';
import type { StreamEvent } from './market/stream-event.js';
import { registerSse } from './transports/sse.js';
import { registerWs } from './transports/ws.js';
import { serverFactory } from './tls.js';
import { clientErrorHandler, frameworkErrors, registerNotFound } from './http/framework-errors.js';
import { authenticatorFromConfig } from './auth/index.js';
import { originRule } from './http/origin.js';
import { guardSockets, type SocketGuard } from './http/socket-guard.js';
import { registerReplayRoutes, type ReplayControl, type ReplayMirror } from './http/replay-routes.js';
import { recorderFor } from './record/from-config.js';
import type { Recorder } from './record/recorder.js';

/**
 * A symbol whose last snapshot is this old and that no stream record holds (records linger 10 s
 * after their last subscriber) goes quiet again; swept every QUIET_SWEEP_MS: within 45 s.
 */
export const QUIET_AFTER_MS = 30_000;
const QUIET_SWEEP_MS = 5_000;

/** Keep-alive connections idle this long between requests are closed, ms (Node's own default). */
export const KEEP_ALIVE_MS = 5000;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every TCP connection of a client-facing node (server/http/socket-guard.ts). */
    sockets?: SocketGuard;
  }
}

export interface Node {
  app: FastifyInstance;
  hub: Hub;
  feed: TickSource;
  market: MarketState;
  /** The hub's state source: the market state's epoch, recovery history and watch (local-source.ts). */
  source: LocalSource;
  /** Listens on config.port (0: a free port); resolves to the base URL, e.g. http://127.0.0.1:8080. */
  start(): Promise<string>;
  close(): Promise<void>;
}

export async function createNode(config: Config): Promise<Node> {
  const feed: TickSource = new SimSource({ symbols: config.feedSymbols, rate: config.feedRate, seed: config.feedSeed, bookDepth: config.bookDepth });
  // One process: every position comes from a snapshot, and the simulator holds every book as it stands.
  const market = new MarketState({ bookDepth: config.bookDepth, quiet: { bookOf: (s) => feed.history(s).book! } });
  for (const inst of feed.instruments) market.addSymbol(inst.symbol, feed.history(inst.symbol));
  const bus: Bus = new MemoryBus();
  const recorder = recorderFor(config, feed); // RECORD_DIR (docs/replay.md)

  // One process keeps no state across restarts: each start is a new epoch.
  const source = new LocalSource(market, feed.instruments.map((i) => i.symbol), newEpoch(Date.now(), Math.random), historyLimits(config), Date.now);
  const sim = feed as SimSource;
  const pool = config.backfillWorkers > 0 ? new BackfillPool(sim.recipe, { workers: config.backfillWorkers }) : undefined;
  source.warmup = new Warmup(sim, (s) => market.loaded(s), pool);
  const hub = createHub(config, source);
  bus.onEvents((events) => {
    source.record(events);
    hub.publish(events);
  });

  const symbols = feed.instruments.map(({ symbol, name, kind, decimals, tickSize, currency, sizeDecimals }) => ({ symbol, name, kind, decimals, tickSize, currency, sizeDecimals, source: 'sim' as const }));
  const view: MarketView = {
    symbols: () => symbols,
    snapshot: (s, ch) => source.snapshot(s, ch),
    candles: (s, iv, limit) => market.candles(s, iv, limit),
    warm: (syms, owner) => source.warmup?.warm(syms, owner, 64) ?? Promise.resolve(),
    done: (syms) => source.quietNow(syms, (s) => hub.streams.inUse(s)),
  };
  // Watching ends: symbols nobody holds go quiet again (QUIET_AFTER_MS after their last snapshot).
  const quieter = setInterval(() => source.quietIdle(Date.now(), QUIET_AFTER_MS, (s) => hub.streams.inUse(s)), QUIET_SWEEP_MS);
  quieter.unref();

  // feedRate: so that a tool measuring this node (npm run compare --url) can report it.
  const app = await serveClients(config, hub, view, () => ({ symbols: symbols.length, feedRate: config.feedRate }));
  hub.setLog((msg) => app.log.error(msg), (obj, msg) => app.log.info(obj, msg));

  return {
    app,
    hub,
    feed,
    market,
    source,
    async start() {
      pump(feed, () => market, bus, recorder);
      hub.start();
      return listen(app, config);
    },
    async close() {
      feed.stop();
      hub.stop();
      await recorder?.close();
      clearInterval(quieter);
      await app.close();
      await bus.close();
      await source.warmup?.close();
    },
  };
}

/** HISTORY_MS and HISTORY_TRADES. */
export const historyLimits = (config: Config): HistoryLimits => ({ ms: config.historyMs, trades: config.historyTrades });

/** The fan-out with the configured limits (roles `all` and `gateway`). */
export function createHub(config: Config, source: StateSource): Hub {
  return new Hub({
    source,
    history: historyLimits(config),
    limits: {
      symbols: config.limitSymbols,
      throttle: { min: 0, max: 60000 },
      rate: config.limitRate,
      payload: config.limitPayload,
      ...connectionLimits(config),
    },
    heartbeatMs: config.heartbeatMs,
    policy: { highWater: config.slowConsumerBytes, graceMs: config.slowConsumerGraceMs, snapshotTrades: SNAPSHOT_TRADES },
    // One Authenticator per node: the access guard (serveClients) and `refresh` share it.
    auth: authenticatorFromConfig(config),
    book: { depth: config.bookDepth },
  });
}

/**
 * Feed -> market -> bus in one process (ROLE=all, a replay): each batch is applied to the
 * market state (`market()`, read per batch: a replay swaps it between runs), recorded when
 * RECORD_DIR is set, and its stream events published.
 */
export function pump(feed: TickSource, market: () => MarketState, bus: Bus, recorder?: Recorder): void {
  const out: StreamEvent[] = [];
  feed.start((events) => {
    out.length = 0;
    const m = market();
    for (const e of events) {
      m.apply(e, out);
      recorder?.add(e, m.seq(e.symbol, 'trades')!);
    }
    if (out.length) bus.publish(out.slice());
  });
}

/** Extras a role adds: replay control (FEED=replay), its own metrics (Redis on a gateway). */
export interface ClientExtras {
  replay?: ReplayControl | ReplayMirror;
  moreMetrics?: (registry: Registry) => void;
}

/**
 * The client-facing HTTP server (roles `all` and `gateway`): WebSocket, SSE, REST, health and the
 * dashboard. `health` adds the node's own fields to /healthz.
 */
export async function serveClients(config: Config, hub: Hub, view: MarketView, health: () => Record<string, unknown>, { replay, moreMetrics }: ClientExtras = {}): Promise<FastifyInstance> {
  const authenticator = hub.auth ?? authenticatorFromConfig(config);
  const server = serverFactory({ certPath: config.tlsCert, keyPath: config.tlsKey, headersTimeoutMs: config.headersTimeoutMs, keepAliveMs: KEEP_ALIVE_MS });
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    serverFactory: server.factory,
    clientErrorHandler,
    frameworkErrors,
  });
  registerNotFound(app);
  const metrics = registerMetrics(app, hub);
  moreMetrics?.(metrics.registry);
  app.decorate('sockets', guardSockets(app.server, { perIp: config.limitSocketsPerIp, headersTimeoutMs: config.headersTimeoutMs, tls: server.tls, onRefuse: () => metrics.reject('sockets_per_ip') }));
  await app.register(fastifyWebsocket, { options: { maxPayload: config.limitPayload } });
  // Hooks before routes: headers, then origins, CORS, tokens and limits (before any upgrade).
  registerSecurityHeaders(app, { tls: server.tls });
  await registerAccess(app, {
    authenticator,
    origins: originRule(config.allowedOrigins),
    tls: server.tls,
    connectionsPerIp: config.limitConnectionsPerIp,
    newConnections: config.limitNewConnections,
    onReject: metrics.reject,
  });
  await registerApiDocs(app, { page: config.docs !== 'off', tls: server.tls }); // before the routes it documents
  registerWs(app, hub, { pingMs: config.wsPingMs });
  registerSse(app, hub);
  const started = Date.now();
  registerRest(app, view, () => ({
    uptime: (Date.now() - started) / 1000,
    sessions: hub.sessions.size,
    channels: CHANNELS as readonly Channel[],
    ...health(),
  }), { maxSymbols: config.limitSymbols, onForbidden: () => metrics.reject('forbidden') });
  registerReplayRoutes(app, replay, { authEnabled: authenticator.enabled, onForbidden: () => metrics.reject('forbidden') }); // protocol 1.2: 404 not_found without a replay
  if (existsSync(config.webDir)) await app.register(fastifyStatic, { root: config.webDir, prefix: '/' });
  return app;
}

/** Listens on config.port (0: a free port) and resolves to the base URL, e.g. http://127.0.0.1:8080. */
export async function listen(app: FastifyInstance, config: Config): Promise<string> {
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `${config.tlsCert ? 'https' : 'http'}://${host}:${port}`;
}
