/** POST /api/replay (protocol 1.2 section 3), with the dashboard's token. Rejects with the server's message. */
import type { ReplaySpeed } from '../../../shared/protocol.js';
import { getClientToken } from './client.js';

export type ReplayAction = { action: 'pause' } | { action: 'resume' } | { action: 'seek'; at: number } | { action: 'speed'; speed: ReplaySpeed };

export async function replayControl(a: ReplayAction): Promise<void> {
  const token = getClientToken();
  const res = await fetch('/api/replay', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(a),
  });
  if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { message?: string }).message ?? `HTTP ${res.status}`);
}

/** Market time as the badge shows it: `2025-01-01 00:00:12 UTC`. */
export const marketTimeText = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
