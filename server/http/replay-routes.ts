/**
 * `GET /api/replay` and `POST /api/replay` (protocol 1.2 section 3): the replay clock, and
 * pause / resume / seek / speed for a caller with the replay right (auth/replay-right.ts).
 * Without a replay both answer 404 `not_found`. Errors are the REST shape
 * `{type: "error", code, message, t}`. Extension: the answer carries `control`, whether the
 * caller holds the replay right (what the dashboard shows its controls by).
 * A gateway serves a ReplayMirror: GET answers its feed's clock (`control: false`), POST 403
 * `forbidden` for everyone (control is on the feed node), both 404 while the feed is not replaying.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ErrorCode, ReplaySpeed } from '../../shared/protocol.js';
import type { ReplayClockState } from '../feed/replay/clock.js';
import { parseSpeed } from '../feed/replay/clock.js';
import { replayRight } from '../auth/replay-right.js';
import { REPLAY_BODY, REPLAY_RESPONSES } from '../docs/replay-schemas.js';
import { replyError } from '../lib/error-reply.js';

/** What the routes drive: the replay source. */
export interface ReplayControl {
  clock(): ReplayClockState;
  pause(): ReplayClockState;
  resume(): ReplayClockState;
  setSpeed(speed: ReplaySpeed): ReplayClockState;
  seek(at: number): Promise<ReplayClockState>;
}

/** A gateway's read-only view of its feed node's clock: undefined while the feed is not replaying. */
export interface ReplayMirror {
  readonly mirror: true;
  clock(): ReplayClockState | undefined;
}

export interface ReplayRoutesOptions {
  /** Whether tokens are checked (else only loopback peers hold the right). */
  authEnabled: boolean;
  /** Called when a caller without the right is refused (metric reason `forbidden`). */
  onForbidden?: () => void;
  now?: () => number;
}

type Action = { action: 'pause' } | { action: 'resume' } | { action: 'seek'; at: number } | { action: 'speed'; speed: ReplaySpeed };

/** The action a body names, or what is wrong with it. */
export function parseAction(body: unknown, clock: ReplayClockState): Action | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object with an `action`';
  const b = body as Record<string, unknown>;
  if (b.action === 'pause' || b.action === 'resume') return { action: b.action };
  if (b.action === 'seek') {
    const at = b.at;
    if (typeof at !== 'number' || !Number.isFinite(at)) return '`at` must be a market time in ms';
    if (at < clock.from || at > clock.to) return `\`at\` must be within ${clock.from}..${clock.to}`;
    return { action: 'seek', at };
  }
  if (b.action === 'speed') {
    const speed = typeof b.speed === 'number' || b.speed === 'max' ? parseSpeed(b.speed) : undefined;
    return speed === undefined ? '`speed` must be a number > 0 or "max"' : { action: 'speed', speed };
  }
  return '`action` must be one of pause, resume, seek, speed';
}

export function registerReplayRoutes(app: FastifyInstance, source: ReplayControl | ReplayMirror | undefined, o: ReplayRoutesOptions): void {
  const now = o.now ?? Date.now;
  const fail = (reply: FastifyReply, status: number, code: ErrorCode, message: string) => replyError(reply, status, code, message, now());
  const NOT_REPLAYING = 'this server is not replaying (FEED=sim)';
  const mirror = source && 'mirror' in source ? source : undefined;
  const control = mirror ? undefined : (source as ReplayControl | undefined);

  app.register(async (scope) => {
    scope.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) =>
      fail(reply, err.statusCode === 413 ? 413 : 400, err.statusCode === 413 ? 'limit_exceeded' : 'bad_request', 'the body must be a JSON object with an `action`'),
    );
    scope.get('/api/replay', { schema: { response: REPLAY_RESPONSES } }, async (req, reply) => {
      const c = mirror ? mirror.clock() : control?.clock();
      if (!c) return fail(reply, 404, 'not_found', NOT_REPLAYING);
      reply.header('Cache-Control', 'no-store');
      return { ...c, t: now(), control: !mirror && replayRight(req, o.authEnabled) };
    });
    scope.post('/api/replay', { schema: { body: REPLAY_BODY, response: REPLAY_RESPONSES }, attachValidation: true, bodyLimit: 4096 }, async (req, reply) => {
      if (mirror?.clock()) {
        o.onForbidden?.();
        return fail(reply, 403, 'forbidden', 'a gateway cannot control the replay: control is on the feed node');
      }
      if (!control) return fail(reply, 404, 'not_found', NOT_REPLAYING);
      if (!replayRight(req, o.authEnabled)) {
        o.onForbidden?.();
        return fail(reply, 403, 'forbidden', 'this token does not hold the replay right');
      }
      const action = parseAction(req.body, control.clock());
      if (typeof action === 'string') return fail(reply, 400, 'bad_request', action);
      const c =
        action.action === 'pause' ? control.pause()
        : action.action === 'resume' ? control.resume()
        : action.action === 'speed' ? control.setSpeed(action.speed)
        : await control.seek(action.at);
      reply.header('Cache-Control', 'no-store');
      return { ...c, t: now(), control: true };
    });
  });
}
