/**
 * A gateway node (ROLE=gateway): serves clients (WebSocket, SSE, REST, dashboard) from Redis.
 * It runs no market: stream states and candles come from what the feed keeps in Redis, live
 * events from the Redis bus, subscribed only for the symbols its clients hold. With a replaying
 * feed it mirrors the feed's clock (cluster/replay-clock-relay.ts): hello.clock with
 * `control: false`, the `clock` message, GET /api/replay; POST /api/replay is 403 `forbidden`.
 */
import type { FastifyInstance } from 'fastify';
import { RedisBus } from '../bus/redis.js';
import { GatewaySource, type GatewaySourceOptions } from '../cluster/gateway-source.js';
import { RedisView } from '../cluster/redis-view.js';
import type { Config } from '../config.js';
import type { Hub } from '../fanout/hub.js';
import { RedisShard, redisTarget } from '../redis/connection.js';
import { redisHealth } from '../redis/health.js';
import { registerRedisMetrics } from '../redis/metrics.js';
import { ClockMirror } from '../cluster/replay-clock-relay.js';
import { listen, serveClients } from './http-server.js';
import { historyLimits, hubFor, sendClock } from './wiring.js';

export interface GatewayNode {
  readonly role: 'gateway';
  app: FastifyInstance;
  hub: Hub;
  source: GatewaySource;
  bus: RedisBus;
  /** Listens once Redis answered; the symbol list may still be on its way (read when the feed writes it). */
  start(): Promise<string>;
  close(): Promise<void>;
}

/** How often a gateway that found no symbol list in Redis looks again, ms. */
const SYMBOLS_RETRY_MS = 1000;

export async function createGatewayNode(config: Config, o: GatewaySourceOptions = {}): Promise<GatewayNode> {
  let warn = (_msg: string): void => {};
  const shard = new RedisShard(redisTarget(config), { log: (msg) => warn(msg) });
  const bus = new RedisBus({ shard, onError: (err) => warn(`redis: ${err.message}`) });
  const view = new RedisView(shard);
  const source = new GatewaySource(bus, view, { history: historyLimits(config), ...o });
  const hub = hubFor(config, source);
  const clock = new ClockMirror(shard, () => {
    hub.setClock(() => ({ ...clock.clock(hub.now())!, control: false }));
    sendClock(hub, (t) => clock.clock(t)!);
  }, (err) => warn(`redis: ${err.message}`));
  const loadClock = () =>
    clock.load().then(() => void (clock.current || hub.setClock(undefined)), (err: Error) => warn(`redis: the replay clock was not read: ${err.message}`));
  const app = await serveClients(config, hub, view, () => ({
    ...redisHealth(shard),
    role: 'gateway',
    symbols: view.symbols().length,
    redis: bus.status(),
    bus: { ...source.stats },
  }), { moreMetrics: (registry) => registerRedisMetrics(registry, shard), replay: { mirror: true, clock: () => clock.clock(Date.now()) } });
  warn = (msg) => app.log.warn(msg);
  hub.setLog((msg) => app.log.error(msg), (obj, msg) => app.log.info(obj, msg));

  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const loadSymbols = async (): Promise<void> => {
    clearTimeout(retry);
    const ok = await view.loadSymbols().catch(() => false);
    if (!ok && !closed) retry = setTimeout(loadSymbols, SYMBOLS_RETRY_MS);
  };
  // The list changes when the feed (re)writes it, and Redis may have been emptied meanwhile.
  bus.onResubscribed(() => void loadSymbols());
  bus.onResubscribed(() => void loadClock());

  return {
    role: 'gateway',
    app,
    hub,
    source,
    bus,
    async start() {
      await shard.ready();
      await bus.watchFeed(() => void loadSymbols());
      await bus.watchClock((b) => clock.apply(b));
      await loadClock();
      await loadSymbols();
      hub.start();
      return listen(app, config);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      hub.stop();
      source.close();
      await app.close();
      await bus.close();
      await shard.close(); // stops watching first: the connections closing now are no outage
    },
  };
}
