/**
 * Stream epochs (protocol 1.1 section 1): a short string naming one numbering of a stream's
 * seqs. A new one is drawn whenever numbering starts again (a single-process server's start, a
 * feed finding no state in Redis). Seqs of different epochs are never compared.
 */

/** Base-36 time (ms) then 4 base-36 random characters, e.g. `mih3k2x1-4fz0`. Pure: time and randomness come in. */
export function newEpoch(nowMs: number, random: () => number): string {
  const r = Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${Math.floor(nowMs).toString(36)}-${r}`;
}

/** Whether a value can be an epoch a client sent back (a short non-empty string). */
export const isEpoch = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 32;
