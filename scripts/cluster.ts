/**
 * `npm run cluster`: a scaled-out Tickwire on this machine. Starts redis-server (unless one
 * already answers on the port of REDIS_URL), one feed and GATEWAYS gateways, each a
 * `tsx server/main.ts` child with ROLE/PORT/REDIS_URL set; prints their URLs; Ctrl-C stops all
 * (and the redis-server it started). Other variables (FEED_SYMBOLS, FEED_RATE, ...) pass through.
 *
 *   PORT      first gateway's port (default 8080); the others follow, the feed takes the next one
 *   GATEWAYS  how many gateways (default 2)
 *   REDIS_URL default redis://127.0.0.1:6379
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const basePort = Number(process.env.PORT || 8080);
const gateways = Math.max(1, Number(process.env.GATEWAYS || 2));
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const redis = new URL(redisUrl);
const redisPort = Number(redis.port || 6379);

interface Proc {
  name: string;
  child: ChildProcess;
  url?: string;
}
const procs: Proc[] = [];
let stopping = false;

function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    sock.setTimeout(500, () => (sock.destroy(), resolve(false)));
    sock.once('error', () => resolve(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => (sock.destroy(), resolve(/^\+PONG|^-NOAUTH/.test(d.toString()))));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (stopping) throw new Error('stopping');
    if (Date.now() > end) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs a child with its output prefixed by its name, one line at a time. */
function run(name: string, cmd: string, args: string[], env: Record<string, string> = {}, detached = false): Proc {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached });
  const p: Proc = { name, child };
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line) console.log(`[${name}] ${line}`);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) console.log(`[${name}] exited (${signal ?? code}); the others keep running`);
  });
  procs.push(p);
  return p;
}

/** Our child answers /healthz with its role (not some other server on that port). */
const healthy = (p: Proc, role: string) => async () => {
  if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${p.name} exited before serving`);
  const res = await fetch(`${p.url}/healthz`).catch(() => undefined);
  return res?.ok === true && ((await res.json()) as { role?: string }).role === role;
};
const tsxMain = ['--import', 'tsx', 'server/main.ts'];

async function main(): Promise<void> {
  if (await ping(redis.hostname, redisPort)) console.log(`using the Redis already running at ${redisUrl}`);
  else {
    // Its own process group: a terminal's Ctrl-C reaches the nodes, and Redis is stopped after them.
    run('redis', 'redis-server', ['--port', String(redisPort), '--bind', redis.hostname, '--save', '', '--appendonly', 'no'], {}, true);
    await waitFor('redis-server', () => ping(redis.hostname, redisPort), 10_000);
  }
  const env = { REDIS_URL: redisUrl, HOST: process.env.HOST || '127.0.0.1' };
  const feedPort = basePort + gateways;
  const feed = run('feed', process.execPath, tsxMain, { ...env, ROLE: 'feed', PORT: String(feedPort) });
  feed.url = `http://127.0.0.1:${feedPort}`;
  await waitFor('the feed', healthy(feed, 'feed'));
  for (let i = 0; i < gateways; i++) {
    const g = run(`gw${i + 1}`, process.execPath, tsxMain, { ...env, ROLE: 'gateway', PORT: String(basePort + i) });
    g.url = `http://127.0.0.1:${basePort + i}`;
  }
  for (const p of procs) if (p.name.startsWith('gw')) await waitFor(p.name, healthy(p, 'gateway'));
  console.log(`\nTickwire cluster up (Ctrl-C stops it):`);
  console.log(`  redis    ${redisUrl}`);
  console.log(`  feed     ${feed.url}/healthz  ${feed.url}/metrics`);
  for (const p of procs) if (p.name.startsWith('gw')) console.log(`  ${p.name.padEnd(8)} ${p.url}  (dashboard)  ${p.url!.replace('http', 'ws')}/ws`);
  console.log('');
}

/** Gateways and feed first (SIGTERM, then SIGKILL after 5 s), Redis last. */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const end = async (p: Proc) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  await Promise.all(procs.filter((p) => p.name !== 'redis').map(end));
  await Promise.all(procs.filter((p) => p.name === 'redis').map(end));
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((err: Error) => {
  if (!stopping) console.error(`cluster: ${err.message}`);
  void stop(1);
});
