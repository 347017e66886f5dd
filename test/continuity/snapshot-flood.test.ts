/**
 * A client that floods `snapshot` requests and never reads, against a real server process (RSS
 * read from /proc): cut off within the grace (plus the time its kernel buffers take to fill) and
 * closed within the close wait, the server's RSS grows less than 100 MiB, a bystander stays
 * gap-free. (scripts/bench/snapshot-flood.ts runs the same flood for the figures.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flood } from '../../scripts/bench/snapshot-flood.js';
import { startServer, type ServerProc } from '../../scripts/bench/proc.js';

const GRACE_MS = 2000;
/** The WebSocket transport's wait before it terminates a slow consumer that does not close. */
const CLOSE_WAIT_MS = 15_000;
/** Filling the kernel's socket buffers before the server's own queue grows: seconds on a busy box. */
const FILL_MS = 15_000;

let server: ServerProc;
beforeAll(async () => {
  server = await startServer({
    script: 'server/main.ts',
    env: { SLOW_CONSUMER_GRACE_MS: String(GRACE_MS), LIMIT_NEW_CONNECTIONS: '0', WEB_DIR: '/nonexistent', FEED_RATE: '20' },
  });
});
afterAll(() => server.stop());

describe('a snapshot flood by a client that never reads', () => {
  it('is cut off with slow_consumer and 1013, with bounded server memory and an undisturbed bystander', async () => {
    const r = await flood(server.url, server.pid, GRACE_MS + FILL_MS + CLOSE_WAIT_MS);
    console.info(`snapshot flood: cut after ${r.cutAfterMs} ms, closed after ${r.closedAfterMs} ms, RSS +${r.rssMaxGrowthMiB.toFixed(1)} MiB, ${r.requests} requests`);
    expect(r.cutAfterMs).toBeDefined();
    expect(r.cutAfterMs!).toBeLessThan(GRACE_MS + FILL_MS);
    expect(r.closedAfterMs).toBeDefined();
    expect(r.closedAfterMs! - r.cutAfterMs!).toBeLessThan(CLOSE_WAIT_MS);
    expect(r.closeCode).toBe(1013);
    expect(r.lastMessage).toMatchObject({ type: 'error', code: 'slow_consumer' });
    expect(r.rssMaxGrowthMiB).toBeLessThan(100);
    expect(r.bystanderBreaks).toEqual([]);
    expect(r.bystanderUpdates).toBeGreaterThan(10);
  }, 60_000);
});
