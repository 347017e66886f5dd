/**
 * The one HTTP set-up of every node: the Fastify instance (logging as LOG_LEVEL says), the
 * client-facing server of roles `all` and `gateway` (WebSocket, SSE, REST, health, API docs and
 * the dashboard, behind the access guards), and `listen`.
 */
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import type { Registry } from 'prom-client';
import { CHANNELS, type Channel } from '../../shared/protocol.js';
import { authenticatorFromConfig } from '../auth/index.js';
import type { Config } from '../config.js';
import type { Hub } from '../fanout/hub.js';
import { registerAccess } from '../http/access.js';
import { registerApiDocs } from '../http/api-docs.js';
import { clientErrorHandler, frameworkErrors, registerNotFound } from '../http/framework-errors.js';
import type { MarketView } from '../http/market-view.js';
import { registerMetrics } from '../http/metrics.js';
import { originRule } from '../http/origin.js';
import { registerReplayRoutes, type ReplayControl, type ReplayMirror } from '../http/replay-routes.js';
import { registerRest } from '../http/rest.js';
import { registerSecurityHeaders } from '../http/security.js';
import { guardSockets, type SocketGuard } from '../http/socket-guard.js';
import { serverFactory } from '../tls.js';
import { registerSse } from '../transports/sse.js';
import { registerWs } from '../transports/ws.js';
import { addAcceptHandles, type AcceptHandles } from './accept-handles.js';

/** Keep-alive connections idle this long between requests are closed, ms (Node's own default). */
export const KEEP_ALIVE_MS = 5000;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every TCP connection of a client-facing node (server/http/socket-guard.ts). */
    sockets?: SocketGuard;
  }
}

/** A Fastify instance logging at LOG_LEVEL, without a line per request; `server`: a client-facing node's (TLS, timeouts). */
export function newFastify(config: Config, server?: ReturnType<typeof serverFactory>): FastifyInstance {
  return Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    ...(server ? { trustProxy: config.trustProxy, serverFactory: server.factory, clientErrorHandler, frameworkErrors } : {}),
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
  const app = newFastify(config, server);
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

/**
 * Connections the kernel may hold for accept() (the system caps it at net.core.somaxconn).
 * Node 20's libuv accepts one connection per event-loop iteration, so a storm of connections
 * waits in this queue while the loop works: past it the kernel drops their handshakes and
 * clients retry after 1, 3, 7 s. Node's default is 511, under a 1,000-client reconnect.
 */
export const LISTEN_BACKLOG = 4096;

/**
 * Listens on config.port (0: a free port) and resolves to the base URL, e.g. http://127.0.0.1:8080.
 * More descriptors join the listening socket in the background (up to ACCEPT_HANDLES accepts an
 * iteration in a burst); they stop accepting when the app starts to close, before its own handle does.
 */
export async function listen(app: FastifyInstance, config: Config): Promise<string> {
  let handles: AcceptHandles | undefined;
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    // Every descriptor stops accepting now, the server's own too (Fastify's server.close() that
    // follows still waits for the connections): a client reconnecting while the echo children
    // exit would else be taken, and hold the close open.
    const gone = handles?.close();
    if (app.server.listening) app.server.close();
    await gone;
  });
  await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
  if (!closing) handles = addAcceptHandles(app.server, { most: config.acceptHandles, backlog: LISTEN_BACKLOG, onError: (err) => app.log.warn(`fewer accepts per event-loop iteration: ${err.message}`) });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `${config.tlsCert ? 'https' : 'http'}://${host}:${port}`;
}
