/**
 * The snapshot flood (issue 12): a client asks for snapshots of everything as fast as the rate
 * limit lets it and never reads. Measures the server's RSS growth (from /proc), when the flooder
 * was cut off (its session left /healthz) and closed, and whether a bystander's chain held.
 *
 *   npx tsx scripts/bench/snapshot-flood.ts [--repo /path/to/checkout] [--seconds 25]
 *
 * `--repo` runs that checkout's server/main.ts (to measure an older commit the same way).
 * `flood()` is also what test/continuity/snapshot-flood.test.ts runs against a child server.
 */
import { pathToFileURL } from 'node:url';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { decode, encode } from '../../shared/codec.js';
import type { ServerMessage } from '../../shared/protocol.js';
import { rssBytes, startServer } from './proc.js';

export interface FloodResult {
  rssBeforeMiB: number;
  rssMaxGrowthMiB: number;
  /** ms from the flood's start until the flooder's session was gone from the server (undefined: never, within the run). */
  cutAfterMs?: number;
  /** ms from the flood's start until the flooder's socket closed, and its close code. */
  closedAfterMs?: number;
  closeCode?: number;
  lastMessage?: unknown;
  requests: number;
  bystanderUpdates: number;
  bystanderBreaks: string[];
}

const sessions = async (url: string): Promise<number> => ((await (await fetch(`${url}/healthz`)).json()) as { sessions: number }).sessions;

/** Floods `url` (a server whose pid is `pid`) for at most `ms`, or until the flooder is closed. */
export async function flood(url: string, pid: number, ms: number, rate = 45): Promise<FloodResult> {
  const wsUrl = url.replace(/^http/, 'ws') + '/ws';
  const symbols = ((await (await fetch(`${url}/api/symbols`)).json()) as { symbol: string }[]).map((s) => s.symbol);
  const channels = ['ticker', 'trades', 'candles:1s', 'candles:1m', 'candles:5m', 'candles:1h'];

  // The bystander: every update chains on what it holds.
  const by = new WebSocket(wsUrl);
  const held = new Map<string, number>();
  const breaks: string[] = [];
  let updates = 0;
  by.on('message', (data: Buffer) => {
    const r = decode(data);
    if (!r.ok) return void breaks.push('undecodable');
    const m = r.value as ServerMessage;
    if (m.type === 'snapshot') for (const it of m.items) held.set(`${it.s}|${it.ch}`, it.seq);
    if (m.type === 'update')
      for (const it of m.items) {
        const k = `${it.s}|${it.ch}`;
        if (held.get(k) !== it.prev) breaks.push(`${k}: held ${held.get(k)} got prev ${it.prev}`);
        held.set(k, it.seq);
        updates++;
      }
  });
  await new Promise((r) => by.once('open', r));
  by.send(encode({ type: 'subscribe', symbols: symbols.slice(0, 3), channels: ['ticker', 'trades'] }));
  await new Promise((r) => setTimeout(r, 300));
  const base = await sessions(url);

  const fl = new WebSocket(wsUrl);
  const last: Buffer[] = [];
  fl.on('message', (d: Buffer) => void (last.push(d), last.length > 2 && last.shift()));
  await new Promise((r) => fl.once('open', r));
  const socket = (fl as unknown as { _socket: Socket })._socket;
  socket.pause(); // never reads again (until cut, to see the close)
  const closed = new Promise<number>((r) => fl.once('close', (code) => r(code)));

  const rssBefore = rssBytes(pid);
  let rssMax = rssBefore;
  const t0 = Date.now();
  let requests = 0;
  let cutAfterMs: number | undefined;
  let closedAfterMs: number | undefined;
  let closeCode: number | undefined;
  void closed.then((code) => ((closedAfterMs = Date.now() - t0), (closeCode = code)));
  const req = encode({ type: 'snapshot', symbols, channels });
  const sender = setInterval(() => {
    if (fl.readyState !== WebSocket.OPEN) return;
    fl.send(req);
    requests++;
  }, 1000 / rate);
  while (Date.now() - t0 < ms && closedAfterMs === undefined) {
    await new Promise((r) => setTimeout(r, 100));
    rssMax = Math.max(rssMax, rssBytes(pid));
    if (cutAfterMs === undefined && (await sessions(url)) < base + 1) {
      cutAfterMs = Date.now() - t0;
      clearInterval(sender);
      socket.resume(); // drain what was queued, to see the closing error and code
    }
  }
  clearInterval(sender);
  socket.resume();
  if (cutAfterMs !== undefined) await Promise.race([closed, new Promise((r) => setTimeout(r, 20_000))]);
  fl.terminate();
  by.close();
  const lastMessage = last.length ? (decode(last.at(-1)!) as { value?: unknown }).value : undefined;
  return {
    rssBeforeMiB: rssBefore / 2 ** 20,
    rssMaxGrowthMiB: (rssMax - rssBefore) / 2 ** 20,
    cutAfterMs,
    closedAfterMs,
    closeCode,
    lastMessage,
    requests,
    bystanderUpdates: updates,
    bystanderBreaks: breaks,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const repo = arg('repo') ?? new URL('../..', import.meta.url).pathname;
  const seconds = Number(arg('seconds') ?? 25);
  const server = await startServer({ script: `${repo.replace(/\/$/, '')}/server/main.ts`, env: { LIMIT_NEW_CONNECTIONS: '0', WEB_DIR: '/nonexistent' } });
  try {
    const r = await flood(server.url, server.pid, seconds * 1000);
    console.log(JSON.stringify({ repo, seconds, ...r, lastMessage: (r.lastMessage as { code?: string } | undefined)?.code, bystanderBreaks: r.bystanderBreaks.length }, null, 1));
  } finally {
    await server.stop();
  }
}
