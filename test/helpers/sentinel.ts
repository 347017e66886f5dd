/**
 * A real Redis Sentinel set-up for a test: one master and two replicas (Debian's redis-server on
 * free ports, no persistence) and three `redis-server --sentinel`, each with its own writable
 * config file in a temporary folder, `down-after-milliseconds` short. Servers can be killed
 * (SIGKILL), frozen (SIGSTOP) and started again; the sentinels say which one is the master.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, redisServer } from './redis.js';
import { until } from './wait.js';


export const MASTER_NAME = 'tw';

export interface RedisNode {
  port: number;
  /** SIGKILL, waits for the exit. */
  kill(): Promise<void>;
  /** Starts it (again: empty, as a replica of `replicaOf` when given). */
  start(replicaOf?: number): Promise<void>;
  freeze(): void;
  thaw(): void;
}

export interface Sentinels {
  /** For REDIS_SENTINELS. */
  env: Record<string, string>;
  nodes: RedisNode[];
  sentinelPorts: number[];
  /** The master's port as the first sentinel that answers says. */
  masterPort(): Promise<number>;
  /** Waits until the sentinels name a master other than `port` and it answers as master. */
  switched(from: number, timeoutMs?: number): Promise<number>;
  /** Waits until every sentinel knows the others and at least `replicas` healthy replicas. */
  settled(replicas?: number, timeoutMs?: number): Promise<void>;
  /** A plain connection to one server (closed by `close`). */
  admin(port: number): Redis;
  close(): Promise<void>;
}

export async function startSentinels(downAfterMs = 1000): Promise<Sentinels> {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-sentinel-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const sentinelPorts = [await freePort(), await freePort(), await freePort()];
  const children = new Set<ChildProcess>();
  const admins: Redis[] = [];
  const track = (c: ChildProcess) => {
    children.add(c);
    c.once('exit', () => children.delete(c));
  };

  const nodes: RedisNode[] = ports.map((port, i) => {
    const d = join(dir, String(port));
    mkdirSync(d);
    const conf = join(d, 'redis.conf');
    const lines = [`port ${port}`, 'bind 127.0.0.1', 'save ""', 'appendonly no', `dir ${d}`, ...(i ? [`replicaof 127.0.0.1 ${ports[0]}`] : [])];
    writeFileSync(conf, lines.join('\n') + '\n');
    const server = redisServer(port, [conf], track);
    return {
      port,
      start: (replicaOf) => server.start(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : []),
      kill: server.kill,
      freeze: () => server.signal('SIGSTOP'),
      thaw: () => server.signal('SIGCONT'),
    };
  });
  for (const n of nodes) await n.start();

  for (const port of sentinelPorts) {
    const conf = join(dir, `sentinel-${port}.conf`);
    const lines = [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${ports[0]} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${downAfterMs}`,
      `sentinel failover-timeout ${MASTER_NAME} ${downAfterMs * 3}`,
      `sentinel parallel-syncs ${MASTER_NAME} 2`,
    ];
    writeFileSync(conf, lines.join('\n') + '\n');
    await redisServer(port, [conf, '--sentinel'], track).start();
  }

  const byPort = new Map<number, Redis>();
  const admin = (port: number) => {
    const had = byPort.get(port);
    if (had && had.status !== 'end') return had;
    const r = new Redis({ port, host: '127.0.0.1', retryStrategy: () => null, maxRetriesPerRequest: 0, commandTimeout: 1000 });
    r.on('error', () => {});
    admins.push(r);
    byPort.set(port, r);
    return r;
  };
  const sentinelAdmins = sentinelPorts.map(admin);
  const ask = async <T>(...args: string[]): Promise<T[]> => (await Promise.all(sentinelAdmins.map((s) => s.call('SENTINEL', ...args).catch(() => undefined)))).filter((v) => v !== undefined) as T[];
  const masterPort = async () => {
    const [addr] = await ask<[string, string]>('get-master-addr-by-name', MASTER_NAME);
    return Number(addr?.[1]);
  };
  const isMaster = async (port: number) => ((await admin(port).call('ROLE').catch(() => undefined)) as unknown[] | undefined)?.[0] === 'master';

  const s: Sentinels = {
    env: { REDIS_SENTINELS: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','), REDIS_SENTINEL_MASTER: MASTER_NAME },
    nodes,
    sentinelPorts,
    masterPort,
    async switched(from, timeoutMs = 15_000) {
      let to = from;
      await until('the sentinels to switch the master', async () => {
        const named = await ask<[string, string]>('get-master-addr-by-name', MASTER_NAME);
        to = Number(named[0]?.[1]);
        return named.length === 3 && named.every((a) => Number(a[1]) === to) && to !== from && (await isMaster(to));
      }, timeoutMs);
      return to;
    },
    async settled(replicas = 2, timeoutMs = 20_000) {
      await until('the sentinels to see a master with two healthy replicas', async () => {
        const views = await ask<string[][]>('replicas', MASTER_NAME);
        const others = await ask<unknown[]>('sentinels', MASTER_NAME);
        const pairs = (r: string[]) => Object.fromEntries(r.flatMap((k, i) => (i % 2 ? [] : [[k, r[i + 1]]])));
        const healthy = (v: string[][]) => v.map(pairs).filter((r) => r.flags === 'slave' && r['master-link-status'] === 'ok').length;
        return views.length === 3 && views.every((v) => healthy(v) >= replicas) && others.every((o) => o.length === 2);
      }, timeoutMs);
    },
    admin,
    async close() {
      for (const a of admins) a.disconnect();
      const exits = [...children].map((c) => new Promise((r) => c.once('exit', r)));
      for (const c of children) c.kill('SIGCONT'), c.kill('SIGKILL');
      await Promise.all(exits);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await s.settled().catch(async (err: Error) => {
    await s.close(); // no servers left behind when the set-up fails
    throw err;
  });
  return s;
}
