/**
 * ops/grafana/tickwire.json: every metric its queries name is exported by a live node (one
 * process, a gateway or the feed), and it has a panel for each thing an operator watches;
 * ops/prometheus.yml scrapes the jobs the dashboard's node picker selects.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { startNode, type Running } from '../helpers/node.js';

const ROOT = new URL('../..', import.meta.url);
const dashboard = JSON.parse(readFileSync(new URL('ops/grafana/tickwire.json', ROOT), 'utf8'));
const scrape = readFileSync(new URL('ops/prometheus.yml', ROOT), 'utf8');

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

/** Every PromQL expression: panel targets (rows included) and template variable queries. */
function expressions(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const walk = (ps: Panel[]) =>
    ps.forEach((p) => {
      for (const t of p.targets ?? []) out.push({ where: p.title, expr: t.expr });
      walk(p.panels ?? []);
    });
  walk(dashboard.panels);
  for (const v of dashboard.templating.list) {
    if (v.type === 'query') out.push({ where: `$${v.name}`, expr: typeof v.query === 'string' ? v.query : v.query.query });
  }
  return out;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/** The metric names a PromQL expression selects: identifiers that are not functions, keywords, label names or strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings (label values, Grafana variables)
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // label lists
  const names: string[] = [];
  for (const m of bare.matchAll(/(?<![\w$.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (!m[2] && !KEYWORDS.has(m[1])) names.push(m[1]);
  }
  return names;
}

/** Sample names of a Prometheus text exposition (histograms give their _bucket/_sum/_count). */
const exported = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[\w:]+/.exec(l)![0]);

describe('the Grafana dashboard', () => {
  let single: Running;
  let cluster: Cluster;
  const live = new Set<string>();
  beforeAll(async () => {
    [single, cluster] = await Promise.all([startNode({ FEED_SYMBOLS: '5' }), startCluster({ FEED_SYMBOLS: '5', FEED_RATE: '50' }, 1)]);
    for (const url of [single.url, cluster.gateways[0].url, cluster.feedUrl]) {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      exported(await res.text()).forEach((n) => live.add(n));
    }
  });
  afterAll(async () => {
    await Promise.all([single?.close(), cluster?.close()]);
  });

  it('reads PromQL metric names correctly', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(a_bucket{instance=~"$instance"}[$__rate_interval])))')).toEqual(['a_bucket']);
    expect(metricNames('sum by (reason) (rate(b_total[5m])) / on (instance) c + d{x="y{z}"}')).toEqual(['b_total', 'c', 'd']);
    expect(metricNames('label_values(process_start_time_seconds{job=~"tickwire.*"}, instance)')).toEqual(['process_start_time_seconds', 'instance']);
  });

  it('queries only metrics a live node exports', () => {
    const exprs = expressions();
    expect(exprs.length).toBeGreaterThan(15);
    for (const { where, expr } of exprs) {
      // label_values(metric, label): the second argument is a label name.
      const names = expr.startsWith('label_values(') ? metricNames(expr).slice(0, 1) : metricNames(expr);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const n of names) expect(live.has(n), `${where}: ${n} is not in any live /metrics`).toBe(true);
    }
  });

  it('has a panel for each thing an operator watches', () => {
    const used = new Set(expressions().flatMap((e) => metricNames(e.expr)));
    for (const n of [
      'tickwire_connections', // connections by transport
      'tickwire_subscriptions',
      'tickwire_update_items_total',
      'tickwire_sent_bytes_total',
      'tickwire_fanout_delay_seconds_bucket',
      'tickwire_slow_consumer_disconnects_total',
      'tickwire_rejected_total', // refusals by reason
      'tickwire_recoveries_total',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'tickwire_feed_batches_total',
      'tickwire_redis_up',
    ]) {
      expect(used.has(n), n).toBe(true);
    }
    const by = expressions().map((e) => e.expr).join('\n');
    expect(by).toMatch(/sum by \(transport\) \(tickwire_connections/);
    expect(by).toMatch(/sum by \(reason\) \(rate\(tickwire_rejected_total/);
    expect(by).toMatch(/sum by \(outcome\) \(rate\(tickwire_recoveries_total/);
  });

  it('lays panels out on Grafana\'s 24-column grid with unique ids', () => {
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    expect(dashboard.templating.list.find((v: { type: string }) => v.type === 'datasource')).toMatchObject({ name: 'datasource', query: 'prometheus' });
  });
});

describe('the Prometheus scrape example', () => {
  it('scrapes /metrics of the gateway job and the feed job, both picked by the dashboard', () => {
    const jobs = [...scrape.matchAll(/^\s*- job_name:\s*(\S+)/gm)].map((m) => m[1]);
    expect(jobs).toEqual(['tickwire', 'tickwire-feed']);
    expect([...scrape.matchAll(/^\s*metrics_path:\s*\/metrics\s*$/gm)]).toHaveLength(2);
    expect(scrape).not.toMatch(/\t/); // YAML refuses tabs
    const picker = dashboard.templating.list.find((v: { name: string }) => v.name === 'instance');
    const re = new RegExp(`^(?:${/job=~"([^"]+)"/.exec(picker.query.query)![1]})$`);
    for (const j of jobs) expect(j).toMatch(re);
  });
});
