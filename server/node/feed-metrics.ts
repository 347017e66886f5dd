/**
 * `GET /metrics` of a feed node (Prometheus text): process metrics and what the feed published.
 * Gateways and single-process nodes use http/metrics.ts, which reads a hub; a feed has none.
 */
import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { counterFrom, newRegistry, serveMetrics } from '../http/metrics.js';

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
  /** Symbols given a new epoch because Redis could not be shown to hold what they last published. */
  renewed: number;
}

export function registerFeedMetrics(app: FastifyInstance, stats: FeedStats, redisUp: () => boolean): Registry {
  const registry = newRegistry();
  const total = (name: string, help: string, key: keyof FeedStats) => counterFrom(registry, name, help, () => stats[key]);
  total('tickwire_feed_events_total', 'Stream events published to Redis', 'events');
  total('tickwire_feed_batches_total', 'Ticks published (one Redis transaction each)', 'batches');
  total('tickwire_feed_lost_batches_total', 'Batches Redis did not take', 'lost');
  total('tickwire_feed_rewrites_total', 'Whole rewrites of the Redis state', 'rewrites');
  total('tickwire_feed_renewed_epochs_total', 'Symbols given a new epoch: Redis did not hold what they last published', 'renewed');
  new Gauge({
    name: 'tickwire_redis_up',
    help: '1 when the Redis connection is ready',
    registers: [registry],
    collect() {
      this.set(redisUp() ? 1 : 0);
    },
  });
  serveMetrics(app, registry);
  return registry;
}
