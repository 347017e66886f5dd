/**
 * `GET /metrics` of a feed node (Prometheus text): process metrics and what the feed published.
 * Gateways and single-process nodes use http/metrics.ts, which reads a hub; a feed has none.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface FeedStats {
  /** Stream events published. */
  events: number;
  /** Ticks published (one Redis transaction each). */
  batches: number;
  /** Batches Redis did not take (down or failing). */
  lost: number;
  /** Whole rewrites of Redis after a loss or a reconnect. */
  rewrites: number;
  /** Symbols whose state a previous feed left in Redis, continued at start. */
  restored: number;
}

export function registerFeedMetrics(app: FastifyInstance, stats: FeedStats, redisUp: () => boolean): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const total = (name: string, help: string, key: keyof FeedStats) => {
    let last = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        if (stats[key] > last) this.inc(stats[key] - last);
        last = stats[key];
      },
    });
  };
  total('tickwire_feed_events_total', 'Stream events published to Redis', 'events');
  total('tickwire_feed_batches_total', 'Ticks published (one Redis transaction each)', 'batches');
  total('tickwire_feed_lost_batches_total', 'Batches Redis did not take', 'lost');
  total('tickwire_feed_rewrites_total', 'Whole rewrites of the Redis state', 'rewrites');
  new Gauge({
    name: 'tickwire_redis_up',
    help: '1 when the Redis connection is ready',
    registers: [registry],
    collect() {
      this.set(redisUp() ? 1 : 0);
    },
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.header('Content-Type', registry.contentType).header('Cache-Control', 'no-store').send(text);
  });
  return registry;
}
