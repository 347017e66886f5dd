/** `/metrics`: Prometheus text with the node's connections, traffic, refusals and delays. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

const TOKEN = 'metrics-test-token';

/** The value of one sample line, e.g. `tickwire_connections{transport="ws"}`; undefined when absent. */
function sample(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    if (line.slice(0, i) === name) return Number(line.slice(i + 1));
  }
  return undefined;
}

const refusedStatus = (url: string) =>
  new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => reject(new Error('opened')));
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
  });

describe('/metrics', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ AUTH_TOKENS: TOKEN, LIMIT_CONNECTIONS_PER_IP: '3', LIMIT_RATE: '5', FEED_SYMBOLS: '5', FEED_RATE: '200', LIMIT_NEW_CONNECTIONS: '0' })));
  afterAll(() => n.close());

  it('counts connections by transport, traffic, conflation, drops, refusals and fan-out delay', async () => {
    const ws = await RawClient.open(`${n.wsUrl}?token=${TOKEN}`);
    ws.send({ type: 'subscribe', symbols: ['AAPL', 'MSFT'], channels: ['ticker'], throttle: 0 });
    ws.send({ type: 'subscribe', symbols: ['NVDA'], channels: ['ticker', 'trades'], throttle: 3000 });
    await ws.next('subscribed', (m) => m.throttle === 3000);
    const ac = new AbortController();
    const sse = await fetch(`${n.url}/sse?symbols=SPY&token=${TOKEN}`, { signal: ac.signal });
    expect(sse.status).toBe(200);

    expect(await refusedStatus(n.wsUrl)).toBe(401); // no token
    const flood = await RawClient.open(`${n.wsUrl}?token=${TOKEN}`);
    expect(await refusedStatus(`${n.wsUrl}?token=${TOKEN}`)).toBe(429); // a 4th from this address
    for (let i = 0; i < 40; i++) flood.send({ type: 'ping', id: i }); // past the burst: rate_limited, then 1008
    expect(await flood.closed()).toBe(1008);
    const scrape = () => fetch(`${n.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const res = await scrape();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    await res.text();
    // The first 3 s throttled flush carries ~300 trades of NVDA: beyond the 100 an item holds.
    const text = await until('a throttled flush that dropped trades', async () => {
      const t = await (await scrape()).text();
      return (sample(t, 'tickwire_dropped_trades_total') ?? 0) > 0 ? t : undefined;
    });
    expect(sample(text, 'tickwire_connections{transport="ws"}')).toBe(1);
    expect(sample(text, 'tickwire_connections{transport="sse"}')).toBe(1);
    expect(sample(text, 'tickwire_subscriptions')).toBe(5);
    expect(sample(text, 'tickwire_update_items_total')).toBeGreaterThan(100);
    expect(sample(text, 'tickwire_frames_sent_total')).toBeGreaterThan(50);
    expect(sample(text, 'tickwire_sent_bytes_total')).toBeGreaterThan(sample(text, 'tickwire_frames_sent_total')! * 10);
    expect(sample(text, 'tickwire_conflated_events_total')).toBeGreaterThan(50);
    expect(sample(text, 'tickwire_dropped_trades_total')).toBeGreaterThan(0);
    expect(sample(text, 'tickwire_slow_consumer_disconnects_total')).toBe(0);
    expect(sample(text, 'tickwire_rejected_total{reason="unauthorized"}')).toBe(1);
    expect(sample(text, 'tickwire_rejected_total{reason="connections_per_ip"}')).toBe(1);
    expect(sample(text, 'tickwire_rejected_total{reason="rate_limited"}')).toBe(n.node.hub.stats.rateLimited);
    expect(sample(text, 'tickwire_rejected_total{reason="origin"}')).toBe(0); // exported before the first refusal
    expect(sample(text, 'tickwire_recoveries_total{outcome="recovered"}')).toBe(0);
    expect(sample(text, 'tickwire_recoveries_total{outcome="unrecovered"}')).toBe(0);
    expect(n.node.hub.stats.rateLimited).toBeGreaterThan(0);
    expect(sample(text, 'tickwire_fanout_delay_seconds_count')).toBeGreaterThan(10);
    expect(sample(text, 'tickwire_fanout_delay_seconds_bucket{le="+Inf"}')).toBe(sample(text, 'tickwire_fanout_delay_seconds_count'));
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // Counters only grow between scrapes; gauges follow the sessions.
    ws.close();
    ac.abort();
    const again = await until('both sessions gone from the gauges', async () => {
      const t = await (await fetch(`${n.url}/metrics?token=${TOKEN}`)).text();
      return sample(t, 'tickwire_connections{transport="ws"}') === 0 && sample(t, 'tickwire_connections{transport="sse"}') === 0 ? t : undefined;
    });
    expect(sample(again, 'tickwire_connections{transport="ws"}')).toBe(0);
    expect(sample(again, 'tickwire_connections{transport="sse"}')).toBe(0);
    expect(sample(again, 'tickwire_update_items_total')).toBeGreaterThanOrEqual(sample(text, 'tickwire_update_items_total')!);
    expect(sample(again, 'tickwire_rejected_total{reason="unauthorized"}')).toBe(1);
  });

  it('exports the recovery outcomes of real subscribes with since, per node', async () => {
    const other = await startNode({ FEED_SYMBOLS: '2' });
    try {
      const before = await (await fetch(`${n.url}/metrics?token=${TOKEN}`)).text();
      const first = await RawClient.open(`${n.wsUrl}?token=${TOKEN}`);
      first.send({ type: 'subscribe', symbols: ['AAPL', 'MSFT'], channels: ['ticker'] });
      const snap = await first.next('snapshot', (m) => m.items.length === 2);
      first.close();
      await first.closed();
      const again = await RawClient.open(`${n.wsUrl}?token=${TOKEN}`);
      // Two positions the server holds, one from an epoch it never had.
      const since = snap.items.map((it) => ({ s: it.s, ch: it.ch, epoch: it.epoch!, seq: it.seq }));
      since.push({ s: 'NVDA', ch: 'ticker', epoch: 'no-such-epoch', seq: 5 });
      again.send({ type: 'subscribe', symbols: ['AAPL', 'MSFT', 'NVDA'], channels: ['ticker'], since });
      const sub = await again.next('subscribed');
      expect(sub.recovered).toHaveLength(2);
      expect(sub.unrecovered).toHaveLength(1);
      again.close();
      const text = await (await fetch(`${n.url}/metrics?token=${TOKEN}`)).text();
      const at = (t: string, o: string) => sample(t, `tickwire_recoveries_total{outcome="${o}"}`) ?? 0;
      expect(at(text, 'recovered') - at(before, 'recovered')).toBe(2);
      expect(at(text, 'unrecovered') - at(before, 'unrecovered')).toBe(1);
      const theirs = await (await fetch(`${other.url}/metrics`)).text();
      expect(at(theirs, 'recovered')).toBe(0);
    } finally {
      await other.close();
    }
  });
});
