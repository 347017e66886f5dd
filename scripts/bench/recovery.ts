/**
 * Recovery at scale (issue 12): N clients (default 1,000) x 20 streams each (10 symbols x ticker
 * and trades) subscribe, all disconnect, wait, then all reconnect at once with `since`. Prints
 * the time until every client has its `subscribed` (every stream recovered) and its recovery
 * `update`, with per-client percentiles. A real server process (server/main.ts).
 *
 *   npx tsx scripts/bench/recovery.ts [--clients 1000] [--away 2000] [--rate 5]
 */
import { decode, encode } from '../../shared/codec.js';
import type { ServerMessage, SnapshotItem, StreamPosition } from '../../shared/protocol.js';
import { startServer } from './proc.js';
import { RawWs } from './raw-ws.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('clients', 1000);
// A reset socket of one client (the burst overruns the accept backlog) is that client's problem, not the run's.
let resets = 0;
process.on('uncaughtException', (err: NodeJS.ErrnoException) => {
  if ((err.code !== 'ECONNRESET' && err.code !== 'EPIPE') || !err.syscall) {
    console.error(err);
    process.exit(1);
  }
  resets++;
});
const AWAY = arg('away', 2000);
/** --since 0: reconnect with plain subscribes (snapshots), the baseline measured in the same run. */
const SINCE = arg('since', 1) !== 0;
const channels = ['ticker', 'trades'];

const server = await startServer({
  script: new URL('../../server/main.ts', import.meta.url).pathname,
  env: { FEED_RATE: String(arg('rate', 5)), LIMIT_NEW_CONNECTIONS: '0', LIMIT_CONNECTIONS_PER_IP: '0', LIMIT_SOCKETS_PER_IP: '0', WEB_DIR: '/nonexistent' },
});
const wsUrl = server.url.replace(/^http/, 'ws') + '/ws';
try {
  const all = ((await (await fetch(`${server.url}/api/symbols`)).json()) as { symbol: string }[]).map((s) => s.symbol);
  const symbolsOf = (i: number) => Array.from({ length: 10 }, (_, k) => all[(i * 7 + k) % all.length]);

  /** One client's positions, kept from what it was sent. */
  type Pos = Map<string, { epoch: string; seq: number }>;
  const positions: Pos[] = Array.from({ length: N }, () => new Map());
  const track = (pos: Pos, m: ServerMessage) => {
    if (m.type !== 'snapshot' && m.type !== 'update') return;
    for (const it of m.items) {
      const k = `${it.s}|${it.ch}`;
      const epoch = m.type === 'snapshot' ? (it as SnapshotItem).epoch! : pos.get(k)!.epoch;
      pos.set(k, { epoch, seq: it.seq });
    }
  };

  // Phase 1: everyone subscribes and follows the streams for a while.
  const first: RawWs[] = [];
  for (let i = 0; i < N; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, N - i) }, (_, j) =>
        RawWs.open(wsUrl, { message: (p) => track(positions[i + j], (decode(Buffer.from(p)) as { value: ServerMessage }).value) }),
      ),
    );
    first.push(...batch);
  }
  console.error(`${first.length} connected`);
  first.forEach((ws, i) => ws.send(Buffer.from(encode({ type: 'subscribe', symbols: symbolsOf(i), channels }))));
  const deadline = Date.now() + 60_000;
  while (positions.some((p) => p.size < 20) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000));
  console.error(`${positions.filter((p) => p.size === 20).length} hold 20 positions; disconnecting`);
  for (const ws of first) ws.close();
  await new Promise((r) => setTimeout(r, AWAY));

  /** A connection refused under load is retried (its time counts). */
  async function open(url: string, h: Parameters<typeof RawWs.open>[1]): Promise<RawWs> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await RawWs.open(url, h);
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  // Phase 2: everyone reconnects (in bursts of 100: a burst of 1,000 SYNs overruns the accept
  // backlog and measures the kernel's SYN retries), then all send their subscribe with `since` at once.
  const c0 = performance.now();
  const done: number[] = new Array(N).fill(0);
  let recovered = 0;
  let unrecovered = 0;
  let finished = 0;
  let t0 = 0;
  const second: RawWs[] = [];
  for (let i = 0; i < N; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, N - i) }, (_, j) => {
        const k = i + j;
        let gotSub = false;
        let gotData = false;
        return open(wsUrl, {
          message: (p) => {
            const m = (decode(Buffer.from(p)) as { value: ServerMessage }).value;
            if (m.type === 'subscribed') {
              recovered += m.recovered?.length ?? 0;
              unrecovered += m.unrecovered?.length ?? 0;
              gotSub = true;
            }
            if (m.type === 'update' || m.type === 'snapshot') gotData = true;
            if (gotSub && gotData && !done[k]) (done[k] = performance.now() - t0), finished++;
          },
        });
      }),
    );
    second.push(...batch);
  }
  const connectMs = performance.now() - c0;
  const requests = second.map((_, i) => {
    const since: StreamPosition[] = [...positions[i]].map(([k, v]) => ({ s: k.split('|')[0], ch: k.split('|')[1], ...v }));
    return Buffer.from(encode({ type: 'subscribe', symbols: symbolsOf(i), channels, ...(SINCE ? { since } : {}) }));
  });
  t0 = performance.now();
  second.forEach((w, i) => w.send(requests[i]));
  while (finished < N && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
  const total = performance.now() - t0;
  const sorted = done.filter(Boolean).sort((a, b) => a - b);
  const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(0);
  console.log(
    JSON.stringify(
      { clients: N, streamsEach: 20, since: SINCE, resets, awayMs: AWAY, reconnectMs: Math.round(connectMs), allRecoveredMs: Math.round(total), finished, recovered, unrecovered, p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: sorted.at(-1)?.toFixed(0) },
      null,
      1,
    ),
  );
  for (const w of second) w.close();
} finally {
  await server.stop();
}
