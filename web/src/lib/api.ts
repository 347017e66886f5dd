/** The REST calls the dashboard makes, same origin. Errors reject with the server's message. */
import type { Candle, Interval, SymbolInfo } from '../../../shared/protocol.js';

/** A 401 from the server: it wants a (valid) token. `code` is the protocol's: `unauthorized` or `token_expired`. */
export class UnauthorizedError extends Error {
  constructor(
    message: string,
    readonly code = 'unauthorized',
  ) {
    super(message);
  }
}

let token: string | undefined;

/** Sets the token sent (as a Bearer header) with every later call. */
export function setApiToken(t: string | undefined): void {
  token = t;
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { signal, headers });
  const body = (await res.json().catch(() => ({}))) as T & { message?: string; code?: string };
  if (res.status === 401) throw new UnauthorizedError(body.message ?? 'unauthorized', body.code);
  if (!res.ok) throw new Error(body.message ?? `${path}: HTTP ${res.status}`);
  return body;
}

export const fetchSymbols = (signal?: AbortSignal): Promise<SymbolInfo[]> => getJson<SymbolInfo[]>('/api/symbols', signal);

/** Bars oldest first; `time` in seconds. */
export async function fetchCandles(symbol: string, interval: Interval, limit: number, signal?: AbortSignal): Promise<Candle[]> {
  const q = new URLSearchParams({ symbol, interval, limit: String(limit) });
  return (await getJson<{ bars: Candle[] }>(`/api/candles?${q}`, signal)).bars;
}
