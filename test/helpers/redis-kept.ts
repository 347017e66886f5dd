/**
 * A real redis-server whose data survives a restart (an RDB file in a temporary folder, written
 * by SHUTDOWN SAVE, so it holds every write Redis acknowledged): a production Redis with
 * persistence restarted. (A crash that loses writes after the last save: test/cluster/redis-failover.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitForPing } from './redis.js';

export interface KeptRedis {
  url: string;
  /** SHUTDOWN SAVE, start again on the same port with the saved data; resolves once it answers PING. */
  restartKeepingData(): Promise<void>;
  /** SAVE now (a snapshot that later writes are not in). */
  save(): Promise<void>;
  /** SIGKILL (writes after the last save are lost), then start again from the last save. */
  crash(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startKeptRedis(): Promise<KeptRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-redis-'));
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', 'dump.rdb'], { stdio: 'ignore' });
    await waitForPing(port);
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await launch();
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    async restartKeepingData() {
      const c = child!;
      const exited = new Promise((r) => c.once('exit', r));
      const admin = new Redis(url, { retryStrategy: () => null, maxRetriesPerRequest: 0 });
      admin.on('error', () => {});
      void admin.call('SHUTDOWN', 'SAVE').catch(() => {}); // no reply: the server exits
      await exited;
      admin.disconnect();
      child = undefined;
      await launch();
    },
    async save() {
      const admin = new Redis(url);
      await admin.save();
      admin.disconnect();
    },
    crash: kill,
    start: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
