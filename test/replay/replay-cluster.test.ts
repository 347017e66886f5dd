/**
 * FEED=replay in a cluster (ROLE=feed and a gateway over a real redis-server): the recording's
 * symbols, trades with `xid` and its book reach a gateway's clients; REPLAY_LOOP gives a new
 * epoch, which the gateway's subscribers get as a snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotItem } from '../../shared/protocol.js';
import { startCluster, until, type Cluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/node.js';
import { writeMinute } from './replay-node.js';

describe('replay on a feed node', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ FEED: 'replay', REPLAY_FILES: writeMinute(), REPLAY_SPEED: '300', REPLAY_LOOP: 'true' }, 1);
  });
  afterAll(() => c?.close());

  it('serves the recording through a gateway, and each loop under a new epoch', async () => {
    const gw = c.gateways[0]!;
    const symbols = (await (await fetch(`${gw.url}/api/symbols`)).json()) as { symbol: string; exchange: string; source: string }[];
    expect(symbols).toMatchObject([{ symbol: 'BTCUSD', exchange: 'deribit', source: 'replay' }]);
    const ws = await RawClient.open(gw.wsUrl);
    ws.send({ type: 'subscribe', symbols: ['BTCUSD'], channels: ['trades', 'book'] });
    const first = await ws.next('snapshot');
    const epoch = first.items.find((i: SnapshotItem) => i.ch === 'trades')!.epoch;
    await ws.next('update', (m) => m.items.some((i) => i.ch === 'trades' && (i.d as { xid?: string }[]).every((t) => /^x\d+$/.test(t.xid ?? ''))));
    // 60 s of market at 300x: a loop every 0.2 s; the next snapshot is of another epoch
    await ws.next('snapshot', (m) => m.items.some((i) => i.ch === 'trades' && i.epoch !== epoch), 15_000);
    await until(() => ws.of('update').length > 3, 'updates after the loop');
    ws.close();
  });
});
