/**
 * RedisShard (server/redis/connection.ts) against a real redis-server: the one command
 * connection its users share (the bus publishes on it, the feed store writes on it: commands
 * apply in the order sent), the key layout, and close() ending every connection it opened,
 * even when Redis dies as it closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from '../../server/bus/redis.js';
import { readWriter } from '../../server/cluster/feed-proof.js';
import { RedisShard } from '../../server/redis/connection.js';
import { Keys } from '../../server/redis/keys.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { until } from '../helpers/wait.js';

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

const target = () => ({ url: redis.url, sentinels: [], master: '' });

describe('RedisShard', () => {
  it('hands every user the same command connection and key layout, and ends all its connections on close', async () => {
    const keys = new Keys('t1:');
    const feed = new RedisShard(target(), { commandKind: 'publisher', keys });
    const gateway = new RedisShard(target(), { keys });
    const bus = new RedisBus({ shard: feed, persist: (tx) => void tx.hset(keys.writer, 'src', 'from-the-batch') });
    const reader = new RedisBus({ shard: gateway });
    expect(feed.commands).toBe(feed.commands);
    await Promise.all([feed.ready(), gateway.ready()]);
    expect([feed.up, gateway.up]).toEqual([true, true]);

    const got: string[] = [];
    reader.onEvents((events) => got.push(...events.map((e) => `${e.s}:${e.seq}`)));
    await reader.subscribe(['AAPL']);
    // A write sent on the shard's connection before the publish lands before it (one connection, in order).
    const write = feed.commands.hset(keys.writer, 'src', 'before');
    const publish = bus.publish([{ s: 'AAPL', ch: 'ticker', seq: 1, d: { last: 1 } }]);
    await Promise.all([write, publish]);
    expect(await readWriter(gateway)).toBe('from-the-batch');
    await until('the event on the reader', () => got.length === 1);
    expect(got).toEqual(['AAPL:1']);

    const conns = [feed.commands, gateway.commands];
    await Promise.all([bus.close(), reader.close()]);
    await Promise.all([feed.close(), gateway.close()]);
    await until('every connection ended', () => conns.every((c) => c.status === 'end'));
    expect(feed.health().ok).toBe(false);
  });

  it('closes when Redis is killed as it closes (QUIT sent, the connection gone before the reply)', async () => {
    const dying = await startRedis();
    const shard = new RedisShard({ url: dying.url, sentinels: [], master: '' }, { commandKind: 'publisher' });
    await shard.ready();
    const conn = shard.commands;
    const killed = dying.kill(); // SIGKILL goes out now; the socket's close arrives after close() sent QUIT
    let closed = false;
    const closing = shard.close().then(() => (closed = true));
    await killed;
    await until('close() to resolve', () => closed, 5000);
    await closing;
    expect(conn.status).toBe('end');
  });
});
