/**
 * MarketClient on the Redis cluster (protocol 1.1 section 2): a client whose gateway dies moves
 * to the other one with `since` and resumes every stream there (the history is the stream's,
 * not the gateway's): `recovered`, trade ids contiguous, no snapshot after the move.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { MarketClient } from '../../shared/client/index.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { holes, makeClient } from './recorder.js';

const SYMBOLS = ['AAPL', 'BTC-USD'];
let c: Cluster | undefined;
const clients: MarketClient[] = [];
afterAll(async () => {
  for (const x of clients) x.close();
  await c?.close();
});

describe('MarketClient moving between gateways', () => {
  it('resumes every stream on the other gateway without loss', async () => {
    c = await startCluster({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000' });
    const r = makeClient({ urls: [c.gateways[0]!.url, c.gateways[1]!.url], transport: 'ws' }, clients);
    r.client.subscribe(SYMBOLS, { channels: ['ticker', 'trades'] });
    await r.until('trades on the first gateway', () => SYMBOLS.every((s) => r.tradeIds(s).length >= 3), 15_000);
    const snapshots = r.count((x) => x.kind === 'snapshot');

    await c.stopGateway(0);
    await r.until('recovered on the second gateway', () => r.recovered.length > 0, 15_000);
    expect(r.client.status).toMatchObject({ state: 'live', url: c.gateways[1]!.url });
    expect(r.recovered.flat().map((x) => `${x.symbol}|${x.channel}`).sort()).toEqual(SYMBOLS.flatMap((s) => [`${s}|ticker`, `${s}|trades`]).sort());
    const mark = r.changes.length;
    await r.until('trades after the move', () => SYMBOLS.every((s) => r.count((x) => x.symbol === s && x.channel === 'trades', mark) > 2), 15_000);
    expect(r.gaps).toEqual([]);
    expect(r.count((x) => x.kind === 'snapshot')).toBe(snapshots);
    for (const s of SYMBOLS) expect(holes(r.tradeIds(s)), s).toEqual([]);
  }, 60_000);
});
