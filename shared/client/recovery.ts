/**
 * Recovery on reconnect (pure, v1.1 sections 1-2): the `subscribe` messages a new session
 * needs to get back every stream asked for, each carrying `since` with the positions held for
 * its own streams, and what the `subscribed` replies say came of those positions.
 */
import { streamKey, type Channel, type SubscribedMsg } from '../protocol.js';
import type { Position } from './stream-store.js';
import type { GapInfo } from './types.js';

export interface ResubscribeMsg {
  type: 'subscribe';
  symbols: string[];
  channels: Channel[];
  throttle: number;
  since?: Position[];
}

/** Streams (symbol × channel) per `subscribe` sent when resubscribing: keeps a frame with its `since` far below `limits.payload`. */
export const STREAMS_PER_SUBSCRIBE = 400;

/**
 * Streams are grouped by (throttle, channels) and chunked so that no message is large.
 * `subs`: symbol → channel → throttle. `positions` gives the held positions of some streams
 * (those it returns nothing for get no `since` entry); pass undefined for a server without
 * recovery (no `hello.history`).
 */
export function resubscribeMessages(
  subs: ReadonlyMap<string, ReadonlyMap<Channel, number>>,
  positions?: (streams: { symbol: string; channel: Channel }[]) => Position[],
): ResubscribeMsg[] {
  const groups = new Map<string, { channels: Channel[]; throttle: number; symbols: string[] }>();
  for (const [symbol, chs] of subs) {
    const byThrottle = new Map<number, Channel[]>();
    for (const [ch, t] of chs) byThrottle.set(t, [...(byThrottle.get(t) ?? []), ch]);
    for (const [throttle, channels] of byThrottle) {
      const key = `${throttle}|${channels.join(',')}`;
      const g = groups.get(key) ?? { channels, throttle, symbols: [] };
      g.symbols.push(symbol);
      groups.set(key, g);
    }
  }
  const out: ResubscribeMsg[] = [];
  for (const { channels, throttle, symbols } of groups.values()) {
    const per = Math.max(1, Math.floor(STREAMS_PER_SUBSCRIBE / channels.length));
    for (let i = 0; i < symbols.length; i += per) {
      const chunk = symbols.slice(i, i + per);
      const since = positions?.(chunk.flatMap((symbol) => channels.map((channel) => ({ symbol, channel })))) ?? [];
      out.push({ type: 'subscribe', symbols: chunk, channels, throttle, ...(since.length ? { since } : {}) });
    }
  }
  return out;
}

/** The seq sent for each stream (by stream key) in these messages' `since`. */
export function sentPositions(msgs: ResubscribeMsg[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of msgs) for (const p of m.since ?? []) out.set(streamKey(p.s, p.ch as Channel), p.seq);
  return out;
}

/**
 * What a `subscribed` reply says of the positions sent: the streams resumed, and a gap (reason
 * `unrecovered`, `have` the seq sent) for each one the server answers with a snapshot instead.
 */
export function recoveryReport(m: SubscribedMsg, sent: ReadonlyMap<string, number>): { recovered: { symbol: string; channel: Channel }[]; unrecovered: GapInfo[] } {
  const named = (list: unknown) =>
    (Array.isArray(list) ? list : []).filter((x): x is { s: string; ch: Channel } => typeof x?.s === 'string' && typeof x?.ch === 'string');
  return {
    recovered: named(m.recovered).map((x) => ({ symbol: x.s, channel: x.ch })),
    unrecovered: named(m.unrecovered).map(({ s, ch }) => ({ symbol: s, channel: ch, have: sent.get(streamKey(s, ch)) ?? -1, prev: -1, reason: 'unrecovered' as const })),
  };
}
