/**
 * The Redis reads behind the feed's continuity proof (feed-generations.ts): which server this is
 * (its run id changes on every restart, its replication id on every promotion), the writer
 * marker a feed left, and every symbol's stored generation marker.
 */
import type { RedisLink } from '../redis/connection.js';

/** The writer marker of a feed that stopped cleanly after its last write. */
export const STOPPED = 'stopped';

/** `<run_id>/<master_replid>` of the server behind this connection. */
export async function identify({ commands: redis }: RedisLink): Promise<string> {
  const [server, repl] = await Promise.all([redis.info('server'), redis.info('replication')]);
  const field = (text: string, name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(text)?.[1] ?? '?';
  return `${field(server, 'run_id')}/${field(repl, 'master_replid')}`;
}

/** The writer marker (`src`), undefined when absent. */
export async function readWriter({ commands, keys }: RedisLink): Promise<string | undefined> {
  return (await commands.hget(keys.writer, 'src')) ?? undefined;
}

/** A clean stop: after the feed's last write, Redis holds all it published. */
export async function markStopped({ commands, keys }: RedisLink): Promise<void> {
  await commands.hset(keys.writer, 'src', STOPPED);
}

/** Every symbol's stored `gen` marker, sent at once (so the read is ordered before later writes). */
export async function readMarkers({ commands, keys }: RedisLink, symbols: readonly string[]): Promise<Map<string, string | undefined>> {
  const p = commands.pipeline();
  for (const s of symbols) p.hget(keys.state(s), 'gen');
  const replies = (await p.exec()) ?? [];
  const out = new Map<string, string | undefined>();
  symbols.forEach((s, i) => {
    const [err, v] = replies[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    out.set(s, (v as string | null) ?? undefined);
  });
  return out;
}
