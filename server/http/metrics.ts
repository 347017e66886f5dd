/**
 * `GET /metrics`: Prometheus text format from a registry of this node's own (several nodes may
 * share a process in tests). Most values are read from the hub's counters at scrape time, in
 * collect() callbacks, so the hot path pays nothing; only the fan-out delay is observed live,
 * once per unthrottled flush pass. Default process metrics (event-loop lag, heap, GC) included.
 * Names follow Prometheus conventions (counters end in `_total`, units are base units in the
 * name: `_seconds`, `_bytes`); ops/grafana/tickwire.json queries them (test/ops checks it).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerLoopDelay } from './loop-delay.js';
import type { Hub, HubStats } from '../fanout/hub.js';
import type { RejectReason } from './access.js';

export interface Metrics {
  readonly registry: Registry;
  /** Requests refused before a session exists (access and connection limits). */
  reject(reason: RejectReason): void;
}

type Total = Exclude<keyof HubStats, 'sessions'>;

export type RecoveryOutcome = 'recovered' | 'unrecovered';
/** How many streams a `since` was answered for, by outcome (protocol 1.1 section 2). */
export type RecoveryCounts = Record<RecoveryOutcome, number>;

/** Refusal reasons exported at 0 from the start, so that rate() and the dashboard see them before the first refusal. */
const KNOWN_REFUSALS: readonly (RejectReason | 'rate_limited')[] = ['unauthorized', 'origin', 'connections_per_ip', 'connection_rate', 'rate_limited'];

export function registerMetrics(app: FastifyInstance, hub: Hub): Metrics {
  const registry = newRegistry();

  new Gauge({
    name: 'tickwire_connections',
    help: 'Open sessions by transport',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      let ws = 0;
      let sse = 0;
      for (const s of hub.sessions) {
        if (s.transport.wire.index === 0) ws++;
        else sse++;
      }
      this.set({ transport: 'ws' }, ws);
      this.set({ transport: 'sse' }, sse);
    },
  });
  new Gauge({
    name: 'tickwire_subscriptions',
    help: 'Subscribed streams (symbol, channel) summed over sessions',
    registers: [registry],
    collect() {
      let n = 0;
      for (const s of hub.sessions) n += s.subs.size;
      this.set(n);
    },
  });

  const total = (name: string, help: string, key: Total) => counterFrom(registry, name, help, () => hub.stats[key]);
  total('tickwire_update_items_total', 'Update items sent (one per stream per update)', 'items');
  total('tickwire_frames_sent_total', 'Messages sent (WebSocket frames, SSE events)', 'frames');
  total('tickwire_sent_bytes_total', 'Encoded bytes of the messages sent', 'bytes');
  total('tickwire_conflated_events_total', 'State events folded into a later item instead of sent on their own', 'conflated');
  total('tickwire_dropped_trades_total', 'Trades left out of items (counted in their `dropped`)', 'dropped');
  total('tickwire_slow_consumer_disconnects_total', 'Sessions cut off as slow consumers (close 1013)', 'slowConsumers');

  let lastRated = 0;
  const lastHub = { forbidden: 0, tokenExpired: 0 };
  const rejected = new Counter({
    name: 'tickwire_rejected_total',
    help: 'Requests and messages refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const v = hub.stats.rateLimited;
      if (v > lastRated) this.inc({ reason: 'rate_limited' }, v - lastRated);
      lastRated = v;
      // Refusals on streams, counted by the hub: `forbidden` errors and cuts at token expiry.
      for (const [reason, key] of [['forbidden', 'forbidden'], ['token_expired', 'tokenExpired']] as const) {
        const n = hub.stats[key];
        if (n > lastHub[key]) this.inc({ reason }, n - lastHub[key]);
        lastHub[key] = n;
      }
    },
  });
  for (const reason of KNOWN_REFUSALS) rejected.inc({ reason }, 0);

  const counts = hub.stats;
  const last: RecoveryCounts = { recovered: 0, unrecovered: 0 };
  new Counter({
    name: 'tickwire_recoveries_total',
    help: 'Streams a subscribe with `since` asked to recover, by outcome (recovered: every missed event sent; unrecovered: a fresh snapshot)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      for (const outcome of ['recovered', 'unrecovered'] as const) {
        const v = counts[outcome];
        this.inc({ outcome }, Math.max(0, v - last[outcome]));
        last[outcome] = v;
      }
    },
  });

  const delay = new Histogram({
    name: 'tickwire_fanout_delay_seconds',
    help: 'Sampled age of the newest event at an unthrottled flush: event ts to write',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  hub.onDelay((ms) => delay.observe(Math.max(0, ms) / 1000));

  serveMetrics(app, registry);
  return { registry, reject: (reason) => rejected.inc({ reason }) };
}

/** A registry of this node's own, with Node's default process metrics. */
export function newRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerLoopDelay(registry);
  return registry;
}

/**
 * Exports a monotonic counter kept elsewhere (read at scrape time) as a Prometheus counter, by
 * adding what it grew since the last scrape.
 */
export function counterFrom(registry: Registry, name: string, help: string, read: () => number): void {
  let last = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const v = read();
      if (v > last) this.inc(v - last);
      last = v;
    },
  });
}

/** `GET /metrics` answering with the registry's text. */
export function serveMetrics(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.header('Content-Type', registry.contentType).header('Cache-Control', 'no-store').send(text);
  });
}
