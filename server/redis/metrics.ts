/** A shard's Redis metrics, added to a node's registry: failovers, outages and the time without a usable master. */
import { Gauge, type Registry } from 'prom-client';
import { counterFrom } from '../http/metrics.js';
import type { RedisShard } from './connection.js';

export function registerRedisMetrics(registry: Registry, shard: RedisShard): void {
  counterFrom(registry, 'tickwire_redis_failovers_total', 'Times the Redis master moved to another server', () => shard.watch.failovers);
  counterFrom(registry, 'tickwire_redis_outages_total', 'Times a usable Redis master was lost (closed, or a probe went unanswered)', () => shard.watch.outages);
  counterFrom(registry, 'tickwire_redis_no_master_seconds_total', 'Seconds without a usable Redis master', () => shard.watch.downSeconds());
  new Gauge({
    name: 'tickwire_redis_master_ok',
    help: '1 while the Redis master answers in time',
    registers: [registry],
    collect() {
      this.set(shard.health().ok ? 1 : 0);
    },
  });
}
