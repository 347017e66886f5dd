/**
 * The part of a subscribe, unsubscribe or snapshot request that can be served, read the same
 * way for all three: entitlements first (1.1 section 4: what the token does not cover is
 * `forbidden`, whether it exists or not; unsubscribing is always allowed), then unknown symbols
 * and channels. Refused parts become `error`s, sent by `flushErrors` after the handler's answer.
 */
import { isChannel, type Channel, type ClientMessage, type ServerMessage, type StreamPosition } from '../../shared/protocol.js';
import { entitledPart, forbiddenMessage, nameList as list } from '../auth/session-rights.js';
import { Unavailable, type ControlPort, type Reply } from './control-port.js';
import type { Session } from './session.js';
import { MAX_NAME } from './validate.js';

type RefusalCode = 'unknown_symbol' | 'unknown_channel' | 'limit_exceeded' | 'unavailable' | 'forbidden';

export interface ReadRequest {
  /** `{ id }` when the message had one, for every answer. */
  readonly id: { id?: number };
  /** Known symbols, in the order asked (over-long names never looked up). */
  readonly known: string[];
  /** The known channels asked; undefined: none named. */
  readonly channels?: Channel[];
  /** False when channels were named and none is known: nothing to do. */
  readonly usable: boolean;
  fail(code: RefusalCode, message: string, extra?: object): void;
  /** Waits for the source; false (with the error queued) when it did not answer in time. */
  ready(symbols: string[], since?: StreamPosition[]): Promise<boolean>;
  /** Sends the queued errors. */
  flushErrors(): void;
}

export function readRequest(port: ControlPort, s: Session, msg: Extract<ClientMessage, { symbols: string[] }>, reply: Reply): ReadRequest {
  const id = msg.id === undefined ? {} : { id: msg.id };
  const now = port.now();
  const errors: ServerMessage[] = [];
  const fail = (code: RefusalCode, message: string, extra: object = {}) => void errors.push({ type: 'error', ...id, code, message, ...extra, t: now });
  let asked = { symbols: msg.symbols, channels: msg.channels };
  const rights = s.principal?.rights;
  if (msg.type !== 'unsubscribe' && rights && !rights.full) {
    const e = entitledPart(rights, msg.symbols, msg.channels, msg.type === 'subscribe' ? ['ticker'] : undefined);
    if (e.forbidden) {
      port.forbidden(s, e.forbidden);
      fail('forbidden', forbiddenMessage(e.forbidden), e.forbidden);
    }
    asked = { symbols: e.symbols, channels: e.channels };
  }
  const known: string[] = [];
  const unknown: string[] = [];
  // Over-long names are refused without a lookup, echoed cut.
  for (const x of asked.symbols) (x.length <= MAX_NAME && port.isSymbol(x) ? known : unknown).push(x.length <= MAX_NAME ? x : x.slice(0, MAX_NAME));
  const badChannels = (asked.channels ?? []).filter((c) => !isChannel(c)).map((c) => c.slice(0, MAX_NAME));
  const channels = asked.channels?.filter(isChannel);
  if (unknown.length) fail('unknown_symbol', `unknown symbol(s): ${list(unknown)}`, { symbols: unknown });
  if (badChannels.length) fail('unknown_channel', `unknown channel(s): ${list(badChannels)}`, { channels: badChannels });
  return {
    id,
    known,
    channels,
    usable: asked.channels === undefined || (channels?.length ?? 0) > 0,
    fail,
    async ready(symbols, since) {
      try {
        await port.prepare(symbols, since);
        return true;
      } catch (err) {
        if (!(err instanceof Unavailable)) throw err;
        fail('unavailable', 'the market data bus is not answering: retry later', { symbols: symbols.slice(0, 10) });
        return false;
      }
    },
    flushErrors: () => errors.forEach((e) => reply(e)),
  };
}
