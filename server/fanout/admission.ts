/**
 * Admission of a session's control messages: a token bucket per session (a client that keeps
 * going past the refusals is closed 1008), validation, and one message handled at a time, in
 * order, answers and errors included (the close for too many refusals too, after the messages
 * admitted before it). With `turn`, every step starts on a turn shared by all
 * sessions (first come first served, a few ms of them per event-loop iteration: lib/turns.ts),
 * never in the frame's own I/O callback: 200 clients each within its rate cannot fill one
 * iteration with their work. A
 * session's steps still waiting are bounded (the bucket's size, 2 x rate): past it a message is
 * answered `unavailable` (the server is behind; not counted as a refusal). Refusals on streams
 * (`forbidden`) are counted and logged here too, at most one info line a second.
 */
import type { Decoded } from '../../shared/codec.js';
import { CLOSE, type ClientMessage, type ErrorCode } from '../../shared/protocol.js';
import type { Forbidden } from '../auth/session-rights.js';
import { QuietLog, type LineLogger } from '../lib/quiet-log.js';
import { TokenBucket } from '../lib/token-bucket.js';
import type { Reply } from './control-port.js';
import type { Session } from './session.js';
import { parseClientMessage } from './validate.js';

export interface AdmissionOptions {
  /** Control messages per second (limits.rate); the bucket holds twice as many. */
  rate: number;
  now: () => number;
  stats: { rateLimited: number; forbidden: number };
  /** Handles one valid message (control.ts through the hub's port). */
  handle: (s: Session, msg: ClientMessage, reply: Reply) => void | Promise<void>;
  /** Frees a session the admission closed. */
  close: (s: Session) => void;
  /** Where a failed step goes (its sender is answered `bad_request`). */
  log: (msg: string) => void;
  /** Where refusals go as info lines. */
  info: LineLogger;
  /** Resolves at the caller's next turn (Turns.next, shared with the hub's other control slices); none: steps start at once. */
  turn?: () => Promise<void>;
}

interface State {
  readonly bucket: TokenBucket;
  /** Messages refused in a row. */
  refusals: number;
  /** Serialises control handling (some steps wait for the bus). */
  queue: Promise<void>;
  /** Steps admitted and not yet done. */
  pending: number;
  /** The run of refusals has gone too far: the close is queued behind the steps before it, nothing more is taken. */
  closing: boolean;
}

/**
 * Holds the session's writes until the work of this tick is done (the step's synchronous part
 * and what it chains at once): its replies, `subscribed` and the snapshot frames, go to the
 * kernel in one write, not one syscall each (200 churning clients: writes were a sixth of the loop).
 */
function corkTick(s: Session): void {
  const t = s.transport;
  if (!t.cork || !t.uncork) return;
  t.cork();
  process.nextTick(() => t.uncork!());
}

export class Admission {
  readonly #o: AdmissionOptions;
  readonly #state = new WeakMap<Session, State>();
  readonly #refusals: QuietLog;

  constructor(o: AdmissionOptions) {
    this.#o = o;
    this.#refusals = new QuietLog(o.info, o.now);
  }

  /** A new session: its bucket starts full. */
  open(s: Session): void {
    const { rate, now } = this.#o;
    this.#state.set(s, { bucket: new TokenBucket(rate, rate * 2, now()), refusals: 0, queue: Promise.resolve(), pending: 0, closing: false });
  }

  /**
   * Takes one decoded client frame: applies the rate limit, validates it, handles it in order.
   * Every answer (errors included) goes to `reply`. Resolves when the message has been handled,
   * to whether this message was refused by the rate limit.
   */
  receive(s: Session, decoded: Decoded, reply: Reply): Promise<boolean> {
    const st = this.#state.get(s)!;
    if (st.closing) return Promise.resolve(true);
    const { now, log } = this.#o;
    const error = (code: ErrorCode, message: string, id?: number) => reply({ type: 'error', ...(id !== undefined ? { id } : {}), code, message, t: now() });
    const admitted = this.#admit(st, now());
    let step: () => void | Promise<void>;
    let id: number | undefined;
    if (admitted === null) {
      // In order: the messages admitted before the run of refusals are handled first.
      st.closing = true;
      step = () => {
        if (s.closed) return;
        s.error('rate_limited', 'closing: control messages kept coming past the rate limit', now());
        s.transport.close(CLOSE.policy, 'rate limit exceeded repeatedly');
        this.#o.close(s);
      };
    } else if (admitted !== true) step = () => void (admitted && error('rate_limited', admitted));
    else if (st.pending >= 2 * this.#o.rate) {
      const busy = decoded.ok ? parseClientMessage(decoded.value) : undefined;
      error('unavailable', 'the server is behind on this connection\'s control messages: retry later', busy?.ok ? busy.msg.id : busy?.id);
      return Promise.resolve(false);
    } else if (!decoded.ok) step = () => error('bad_request', decoded.error);
    else {
      const parsed = parseClientMessage(decoded.value);
      id = parsed.ok ? parsed.msg.id : parsed.id;
      step = parsed.ok ? () => this.#o.handle(s, parsed.msg, reply) : () => error('bad_request', parsed.message, parsed.id);
    }
    const turn = this.#o.turn;
    st.pending++;
    st.queue = st.queue
      .then(async () => {
        if (turn) await turn();
        corkTick(s);
        return step();
      })
      .catch((err: Error) => {
        log(`session ${s.id}: control step failed: ${err?.stack ?? String(err)}`);
        error('bad_request', 'request failed', id);
      })
      .finally(() => void st.pending--);
    return st.queue.then(() => admitted !== true);
  }

  /** True when admitted; else the refusal to report ('' when reported recently), or null: past 2 x rate refusals in a row, close. */
  #admit(st: State, now: number): true | string | null {
    if (st.bucket.take(now)) {
      st.refusals = 0;
      return true;
    }
    const rate = this.#o.rate;
    this.#o.stats.rateLimited++;
    if (++st.refusals > rate * 2) return null;
    return st.refusals === 1 || st.refusals % rate === 0 ? `more than ${rate} control messages per second` : '';
  }

  /** One `forbidden` refusal on streams: counted, and one info line naming the token's `sub` (a flood logs one line a second). */
  forbidden(s: Session, refused: Forbidden): void {
    this.#o.stats.forbidden++;
    this.#refusals.line({ session: s.id, sub: s.principal?.sub, ...refused }, 'stream request forbidden');
  }
}
