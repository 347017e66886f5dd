/**
 * A gateway that starts before any feed has written the symbol list answers REST honestly:
 * 503 `unavailable`, never an empty 200 or a 404 for what will be served; once a feed has
 * written the list, the same requests answer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../server/config.js';
import { createFeedNode, type FeedNode } from '../../server/node/feed.js';
import { createGatewayNode, type GatewayNode } from '../../server/node/gateway.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { until } from '../helpers/wait.js';

describe('a gateway before the feed', () => {
  let redis: RedisProcess | undefined;
  let gateway: GatewayNode | undefined;
  let feed: FeedNode | undefined;
  afterAll(async () => {
    await Promise.allSettled([gateway?.close(), feed?.close()]);
    await redis?.stop();
  });

  it('answers /api/symbols 503 unavailable until a feed wrote the list, then the list', async () => {
    redis = await startRedis();
    const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', FEED_SYMBOLS: '5' }), port: 0, host: '127.0.0.1', redisUrl: redis.url };
    gateway = await createGatewayNode({ ...config, role: 'gateway' }, { lingerMs: 300 });
    const url = await gateway.start();

    const before = await fetch(`${url}/api/symbols`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ type: 'error', code: 'unavailable' });

    feed = await createFeedNode({ ...config, role: 'feed' });
    await feed.start();
    let list: { symbol: string }[] = [];
    await until('the gateway serves the feed symbol list', async () => {
      const res = await fetch(`${url}/api/symbols`);
      if (res.status === 200) list = (await res.json()) as { symbol: string }[];
      return list.length > 0;
    }, 20_000);
    expect(list).toHaveLength(5);
  });
});
