/**
 * Event-loop delay as a Prometheus histogram, `tickwire_event_loop_delay_seconds`: Node's
 * perf_hooks.monitorEventLoopDelay samples the loop every RESOLUTION_MS; at each scrape its
 * distribution since the last (read as percentiles: the HDR histogram keeps no buckets Node
 * exposes) is added to the Prometheus buckets, each sample counted at the upper value of its
 * percentile step (the buckets lean high, never low), and the monitor is reset. The default
 * `nodejs_eventloop_lag_*` gauges show the same source as one number each.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Histogram, type Registry } from 'prom-client';

const RESOLUTION_MS = 10;

/**
 * Samples per value from an HDR percentile map (percentile -> ns) and its count, as
 * [seconds, samples] pairs; `offsetNs` is taken off every value (the monitor's values include its
 * own resolution: an idle loop reads about RESOLUTION_MS).
 */
export function samplesOf(percentiles: ReadonlyMap<number, number>, count: number, offsetNs = 0): [number, number][] {
  const out: [number, number][] = [];
  let given = 0;
  for (const [p, ns] of [...percentiles].sort((a, b) => a[0] - b[0])) {
    const n = Math.min(count, Math.round((count * p) / 100)) - given;
    if (n <= 0) continue;
    out.push([Math.max(0, ns - offsetNs) / 1e9, n]);
    given += n;
  }
  return out;
}

export function registerLoopDelay(registry: Registry): IntervalHistogram {
  const monitor = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  monitor.enable();
  new Histogram({
    name: 'tickwire_event_loop_delay_seconds',
    help: `Event-loop delay (perf_hooks.monitorEventLoopDelay, sampled every ${RESOLUTION_MS} ms, that period taken off): how late the loop ran a due timer`,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
    collect() {
      const count = monitor.count;
      if (count > 0) for (const [v, n] of samplesOf(monitor.percentiles, count, RESOLUTION_MS * 1e6)) for (let i = 0; i < n; i++) this.observe(v);
      monitor.reset();
    },
  });
  return monitor;
}
