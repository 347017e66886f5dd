/**
 * Reconnect delays (pure): exponential backoff with full jitter, as in the AWS architecture
 * blog's "Exponential Backoff And Jitter": a uniform delay in [0, min(max, base * 2^attempt)).
 * Full jitter spreads the reconnects of many clients after a server restart.
 */

/** The delay before retry number `attempt` (0 for the first retry), ms. `random` returns [0, 1). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

/**
 * Which server to try next and after what delay, given how many attempts have failed in a
 * row since the last live connection. A failure moves on to the next URL at once; only when
 * every URL of a round has failed does the client back off (so one dead server costs nothing
 * while another is up).
 */
export function nextAttempt(
  failures: number,
  urlCount: number,
  backoff: (attempt: number) => number,
): { advance: boolean; delayMs: number } {
  if (failures === 0) return { advance: false, delayMs: backoff(0) };
  const roundDone = failures % urlCount === 0;
  return { advance: true, delayMs: roundDone ? backoff(failures / urlCount) : 0 };
}
