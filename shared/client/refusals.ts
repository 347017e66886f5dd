/**
 * Which asked-for streams an `error` says will never come (pure), so that the client stops
 * asking for them on every reconnect: `unknown_symbol` (its `symbols`), `unknown_channel` (its
 * `channels`, on every symbol) and `forbidden` (v1.1: the token does not cover them). A
 * `forbidden` naming both symbols and channels refuses those channels of those symbols.
 */
import type { Channel, ErrorMsg } from '../protocol.js';

/** Removes the refused streams from `subs` (symbol → channel → throttle); returns them. */
export function dropRefused(subs: Map<string, Map<Channel, number>>, e: ErrorMsg): { symbol: string; channel: Channel }[] {
  const symbols = Array.isArray(e.symbols) ? e.symbols : [];
  const channels = Array.isArray(e.channels) ? (e.channels as Channel[]) : [];
  let refused: (symbol: string, channel: Channel) => boolean;
  if (e.code === 'unknown_symbol') refused = (s) => symbols.includes(s);
  else if (e.code === 'unknown_channel') refused = (_s, c) => channels.includes(c);
  else if (e.code === 'forbidden' && (symbols.length || channels.length))
    refused = (s, c) => (symbols.length === 0 || symbols.includes(s)) && (channels.length === 0 || channels.includes(c));
  else return [];
  const out: { symbol: string; channel: Channel }[] = [];
  for (const [symbol, chs] of subs) {
    for (const channel of [...chs.keys()]) {
      if (!refused(symbol, channel)) continue;
      chs.delete(channel);
      out.push({ symbol, channel });
    }
    if (chs.size === 0) subs.delete(symbol);
  }
  return out;
}
