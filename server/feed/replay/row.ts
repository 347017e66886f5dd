/**
 * One parsed line of a recording, whatever its format (formats.ts, fast-lines.ts). `recv`
 * orders the replay (Tardis `local_timestamp`, Binance `time`); `ts` is market time. Times are
 * ms since the epoch, fractional below the ms.
 */
export type Row =
  | { kind: 'trade'; symbol: string; recv: number; ts: number; id: string; side: 'buy' | 'sell' | 'unknown'; price: number; amount: number }
  | { kind: 'quote'; symbol: string; recv: number; ts: number; bid: number; bidSize: number; ask: number; askSize: number }
  | { kind: 'l2'; symbol: string; recv: number; ts: number; snapshot: boolean; side: 'bid' | 'ask'; price: number; amount: number }
  | { kind: 'snap'; symbol: string; recv: number; ts: number; bids: [number, number][]; asks: [number, number][] };
