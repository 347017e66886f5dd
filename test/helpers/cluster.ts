/**
 * A scaled-out Tickwire for a test, in one process: a real redis-server on a free port, one feed
 * node and N gateway nodes on free ports, each of which can be stopped and started again.
 */
import { loadConfig, type Config } from '../../server/config.js';
import { createFeedNode, type FeedNode } from '../../server/node/feed.js';
import { createGatewayNode, type GatewayNode } from '../../server/node/gateway.js';
import type { GatewaySourceOptions } from '../../server/cluster/gateway-source.js';
import { startRedis, type RedisProcess } from './redis.js';
import { until } from './wait.js';

export interface RunningGateway {
  node: GatewayNode;
  url: string;
  wsUrl: string;
}

export interface Cluster {
  redis: RedisProcess;
  config: Config;
  feed: FeedNode;
  feedUrl: string;
  gateways: RunningGateway[];
  /** Stops the feed node (as a crash would: no goodbye to Redis beyond closing the connection). */
  stopFeed(): Promise<void>;
  /** Starts a new feed node on the same Redis (it restores from what the last one left). */
  startFeed(): Promise<FeedNode>;
  stopGateway(i: number): Promise<void>;
  close(): Promise<void>;
}

/** `env` uses the real environment's names; gateways unsubscribe idle symbols after `lingerMs`. */
export async function startCluster(env: Record<string, string> = {}, gateways = 2, o: GatewaySourceOptions = { lingerMs: 300 }): Promise<Cluster> {
  const redis = await startRedis();
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', ...env }), port: 0, host: '127.0.0.1', redisUrl: redis.url };
  const startFeed = async () => {
    const feed = await createFeedNode({ ...config, role: 'feed' });
    c.feedUrl = await feed.start();
    c.feed = feed;
    return feed;
  };
  const c: Cluster = {
    redis,
    config,
    feed: undefined as unknown as FeedNode,
    feedUrl: '',
    gateways: [],
    stopFeed: () => c.feed.close(),
    startFeed,
    stopGateway: (i) => c.gateways[i].node.close(),
    async close() {
      await Promise.allSettled([c.feed.close(), ...c.gateways.map((g) => g.node.close())]);
      await redis.stop();
    },
  };
  await startFeed();
  for (let i = 0; i < gateways; i++) {
    const node = await createGatewayNode({ ...config, role: 'gateway' }, o);
    const url = await node.start();
    c.gateways.push({ node, url, wsUrl: url.replace(/^http/, 'ws') + '/ws' });
  }
  return c;
}

/** `read()` once two reads in a row agree: the feed's last publish (async, through Redis) has landed. */
export async function settled<T>(read: () => Promise<T>): Promise<T> {
  let last = JSON.stringify(await read());
  let value: T | undefined;
  await until('the stores to settle', async () => {
    value = await read();
    const now = JSON.stringify(value);
    const same = now === last;
    last = now;
    return same;
  });
  return value!;
}
