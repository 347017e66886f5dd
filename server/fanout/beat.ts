/**
 * The hub's beat, besides pruning records: sessions whose token ran out are told and closed
 * (1.1 section 4), idle ones get a heartbeat, and gated ones are checked against their grace
 * even when nothing is written. Cutoffs are kept in one queue polled by the beat: no timer per
 * connection.
 */
import { CLOSE } from '../../shared/protocol.js';
import { ExpiryQueue } from '../auth/session-rights.js';
import type { Session } from './session.js';

export interface BeatOptions {
  heartbeatMs: number;
  stats: { tokenExpired: number };
  /** Frees a session the beat closed. */
  close: (s: Session) => void;
}

export class Beat {
  readonly #o: BeatOptions;
  readonly #cutoffs = new ExpiryQueue<Session>();

  constructor(o: BeatOptions) {
    this.#o = o;
  }

  /** When `s` is cut off: its token's expiry plus leeway; undefined: never. */
  setCutoff(s: Session, at: number | undefined): void {
    this.#cutoffs.set(s, at);
  }

  run(now: number, sessions: Iterable<Session>): void {
    for (const s of this.#cutoffs.due(now)) {
      this.#o.stats.tokenExpired++;
      s.error('token_expired', 'the token expired: reconnect with a new one, or send `refresh` before hello.expires', now);
      s.transport.close(CLOSE.policy, 'token expired');
      this.#o.close(s);
    }
    for (const s of sessions) {
      if (now - s.gate.lastSendAt >= this.#o.heartbeatMs) s.send({ type: 'heartbeat', t: now }, now);
      else if (s.gate.stalledSince) s.gated(now); // cuts a gated session past its grace even if nothing is written
    }
  }
}
