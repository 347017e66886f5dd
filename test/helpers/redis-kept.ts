/**
 * A real redis-server whose data survives a restart (an RDB file in a temporary folder, written
 * by SHUTDOWN SAVE, so it holds every write Redis acknowledged): a production Redis with
 * persistence restarted. (A crash that loses writes after the last save: test/cluster/redis-failover.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, redisArgs, redisServer } from './redis.js';

export interface KeptRedis {
  url: string;
  /** SHUTDOWN SAVE, start again on the same port with the saved data; resolves once it answers PING. */
  restartKeepingData(): Promise<void>;
  /** SAVE now (a snapshot that later writes are not in). */
  save(): Promise<void>;
  /** SIGKILL (writes after the last save are lost); `start` brings it back from the last save. */
  crash(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startKeptRedis(): Promise<KeptRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-redis-'));
  const server = redisServer(port, redisArgs(port, ['--dir', dir, '--dbfilename', 'dump.rdb']));
  await server.start();
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    async restartKeepingData() {
      const exited = server.exited();
      const admin = new Redis(url, { retryStrategy: () => null, maxRetriesPerRequest: 0 });
      admin.on('error', () => {});
      void admin.call('SHUTDOWN', 'SAVE').catch(() => {}); // no reply: the server exits
      await exited;
      admin.disconnect();
      await server.start();
    },
    async save() {
      const admin = new Redis(url);
      await admin.save();
      admin.disconnect();
    },
    crash: server.kill,
    start: () => server.start(),
    async stop() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
