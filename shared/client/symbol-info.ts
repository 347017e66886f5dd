/**
 * `/api/symbols` of a server, for the books' checksums (each symbol's `decimals` and
 * `sizeDecimals`). The token, when there is one, goes as a Bearer header.
 */
import { apiEndpoint } from './endpoints.js';
import type { FetchLike } from './sse-link.js';

/** Resolves with the parsed body; rejects on a network error, a status other than 200 or bad JSON. */
export async function fetchSymbols(fetchFn: FetchLike, base: string, token?: string): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetchFn(apiEndpoint(base, '/api/symbols'), { method: 'GET', headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/api/symbols answered ${res.status}`);
  return JSON.parse(text) as unknown;
}
