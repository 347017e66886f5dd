/** A replaying node for tests, and a minute of recorded market to replay. */
import { loadConfig } from '../../server/config.js';
import { createReplayNode, type ReplayNode } from '../../server/node/replay-node.js';
import { L2_HEAD, T0_US, TRADES_HEAD, l2, tmpDir, trade, writeCsv } from './fixtures.js';

/** 60 s of market: a trade every 100 ms, a book snapshot then a delta per second. */
export function writeMinute(): string {
  const dir = tmpDir();
  const trades = [TRADES_HEAD];
  const book = [L2_HEAD, l2('BTCUSD', T0_US, T0_US, true, 'bid', '100', '1'), l2('BTCUSD', T0_US, T0_US, true, 'ask', '101', '1')];
  for (let k = 1; k <= 600; k++) {
    const t = T0_US + k * 100_000;
    trades.push(trade('BTCUSD', t - 5, t, `x${k}`, k % 2 ? 'buy' : 'sell', (100 + (k % 7) / 10).toFixed(1), '0.5'));
    if (k % 10 === 0) book.push(l2('BTCUSD', t - 3, t + 1, false, 'bid', '100', String(1 + (k % 4))));
  }
  writeCsv(dir, 'trades.csv.gz', trades);
  writeCsv(dir, 'book.csv', book);
  return dir;
}

export async function startReplay(env: Record<string, string>): Promise<{ node: ReplayNode; url: string }> {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', FEED: 'replay', ...env }), port: 0, host: '127.0.0.1' };
  const node = await createReplayNode(config);
  return { node, url: await node.start() };
}

