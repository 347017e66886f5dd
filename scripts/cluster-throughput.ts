/**
 * Updates delivered per second by one gateway versus two behind the same feed and Redis:
 *
 *   npx tsx scripts/cluster-throughput.ts [--clients 400] [--symbols 20] [--rate 50] [--seconds 10]
 *
 * For each gateway count it starts redis-server, a feed and the gateways as real processes,
 * spreads raw WebSocket clients evenly over the gateways (each subscribes to every symbol's
 * ticker and trades, throttle 0), warms up 2 s, then counts update items and bytes received
 * for `--seconds`, with the CPU seconds each process used meanwhile. A benchmark, not a test:
 * it prints figures; everything runs on this machine, so the cores are shared by all.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { peek } from './bench/msgpack-peek.js';
import { cpuSeconds, freePort, startServer, type ServerProc } from './bench/proc.js';
import { RawWs } from './bench/raw-ws.js';
import { encode } from '../shared/codec.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '400' },
    symbols: { type: 'string', default: '20' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    gateways: { type: 'string', default: '1,2' },
  },
});
const clients = Number(values.clients);
const symbols = Number(values.symbols);
const rate = Number(values.rate);
const seconds = Number(values.seconds);

interface Row {
  gateways: number;
  itemsPerSec: number;
  mbPerSec: number;
  lagMs: number;
  cpu: Record<string, number>;
}

async function startRedis(): Promise<{ url: string; pid: number; stop(): void }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 300));
  return { url, pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

async function measure(n: number): Promise<Row> {
  const redis = await startRedis();
  const procs: ServerProc[] = [];
  try {
    const env = { REDIS_URL: redis.url, FEED_SYMBOLS: String(symbols), FEED_RATE: String(rate), LIMIT_CONNECTIONS_PER_IP: '0', LIMIT_NEW_CONNECTIONS: '0' };
    const feed = await startServer({ script: 'server/main.ts', env: { ...env, ROLE: 'feed' } });
    procs.push(feed);
    const gws: ServerProc[] = [];
    for (let i = 0; i < n; i++) gws.push(await startServer({ script: 'server/main.ts', env: { ...env, ROLE: 'gateway' } }));
    procs.push(...gws);
    const names = (await (await fetch(`${gws[0].url}/api/symbols`)).json()) as { symbol: string }[];
    const sub = encode({ type: 'subscribe', symbols: names.map((s) => s.symbol), channels: ['ticker', 'trades'], throttle: 0 }) as Buffer;

    let counting = false;
    let items = 0;
    let bytes = 0;
    let lagSum = 0;
    let frames = 0;
    const sockets: RawWs[] = [];
    for (let i = 0; i < clients; i++) {
      const gw = gws[i % n];
      const ws = await RawWs.open(gw.url.replace('http', 'ws') + '/ws', {
        message(payload, _binary, wire) {
          if (!counting) return;
          const p = peek(payload);
          if (p?.type !== 'update') return;
          items += p.items;
          bytes += wire;
          frames++;
          lagSum += Date.now() - p.t;
        },
      });
      ws.send(sub);
      sockets.push(ws);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const pids: [string, number][] = [['feed', feed.pid], ...gws.map((g, i) => [`gw${i + 1}`, g.pid] as [string, number]), ['redis', redis.pid], ['clients', process.pid]];
    const cpu0 = pids.map(([, pid]) => cpuSeconds(pid));
    counting = true;
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    counting = false;
    const dt = (Date.now() - t0) / 1000;
    const cpu = Object.fromEntries(pids.map(([name, pid], i) => [name, (cpuSeconds(pid) - cpu0[i]) / dt]));
    for (const ws of sockets) ws.close();
    return { gateways: n, itemsPerSec: items / dt, mbPerSec: bytes / dt / 1e6, lagMs: frames ? lagSum / frames : NaN, cpu };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    redis.stop();
  }
}

console.log(`${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${clients} clients x ${symbols} symbols (ticker+trades, throttle 0), feed ${rate} events/s/symbol, ${seconds} s`);
console.log(`offered: ~${Math.round(clients * symbols * rate * 1.5)} items/s (every client gets every ticker event and every trade)`);
for (const n of values.gateways!.split(',').map(Number)) {
  const r = await measure(n);
  const cpu = Object.entries(r.cpu).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ');
  console.log(`${n} gateway(s): ${Math.round(r.itemsPerSec)} items/s, ${r.mbPerSec.toFixed(1)} MB/s, mean lag ${r.lagMs.toFixed(0)} ms; CPU ${cpu}`);
}
process.exit(0);
