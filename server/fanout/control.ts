/**
 * What each client message does to a session: subscribe (with 1.1 recovery), unsubscribe,
 * snapshot, ping. Partly bad requests take effect for their good part; the refused part gets its
 * `error`. Every step costs time linear in the message. The hub is seen only through
 * ControlPort.
 */
import { isChannel, type Channel, type ClientMessage, type Limits, type ServerMessage, type StreamName, type StreamPosition } from '../../shared/protocol.js';
import type { Recovery } from '../history/stream-history.js';
import type { Authenticator } from '../auth/authenticator.js';
import { entitledPart, forbiddenMessage, nameList as list, type Forbidden } from '../auth/session-rights.js';
import { handleRefresh } from './refresh.js';
import type { Session, Sub } from './session.js';
import type { StreamRecord } from './stream-record.js';
import { MAX_NAME } from './validate.js';
import type { Encoded } from './wire.js';

export type Reply = (msg: ServerMessage) => void;

/** What control needs of the hub. */
export interface ControlPort {
  readonly limits: Limits;
  now(): number;
  isSymbol(symbol: string): boolean;
  roundThrottle(ms: number): number;
  /** Readies these symbols' streams; rejects with `Unavailable` when the source does not answer in time. */
  prepare(symbols: string[], since?: StreamPosition[]): Promise<void> | void;
  record(symbol: string, ch: Channel): StreamRecord<Sub>;
  attach(sub: Sub): void;
  detach(sub: Sub): void;
  enqueue(sub: Sub): void;
  /** Whether a position is recovered (absent when the source keeps no history). */
  recover(p: StreamPosition): Recovery;
  /** Verifies `refresh` tokens; absent: this hub takes none. */
  readonly auth?: Authenticator;
  /** Moves a session's cutoff (token expiry plus leeway; undefined: never). */
  setCutoff(s: Session, at: number | undefined): void;
  /** Outcomes counted for /metrics. */
  readonly stats: { recovered: number; unrecovered: number };
  /** Counts and logs one `forbidden` refusal (the caller answers it). */
  forbidden(s: Session, refused: Forbidden): void;
}

/** A control step gave up waiting for the bus: answered `unavailable`. */
export class Unavailable extends Error {}

export async function handleControl(port: ControlPort, s: Session, msg: ClientMessage, reply: Reply): Promise<void> {
  if (s.closed) return;
  const id = msg.id === undefined ? {} : { id: msg.id };
  const now = port.now();
  if (msg.type === 'ping') return reply({ type: 'pong', ...id, ...(msg.t !== undefined ? { echo: msg.t } : {}), t: now });
  if (msg.type === 'refresh') return handleRefresh(port, s, msg, reply);
  const errors: ServerMessage[] = [];
  const fail = (code: 'unknown_symbol' | 'unknown_channel' | 'limit_exceeded' | 'unavailable' | 'forbidden', message: string, extra: object = {}) =>
    errors.push({ type: 'error', ...id, code, message, ...extra, t: now });
  // Entitlements first (1.1 section 4): what the token does not cover is `forbidden`, whether it
  // exists or not; the covered part goes on as if asked alone. Unsubscribing is always allowed.
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
  const usable = asked.channels === undefined || (channels?.length ?? 0) > 0;

  /** Waits for the source; false (with the error queued) when it did not answer in time. */
  const ready = async (symbols: string[], since?: StreamPosition[]): Promise<boolean> => {
    try {
      await port.prepare(symbols, since);
      return true;
    } catch (err) {
      if (!(err instanceof Unavailable)) throw err;
      fail('unavailable', 'the market data bus is not answering: retry later', { symbols: symbols.slice(0, 10) });
      return false;
    }
  };
  const flushErrors = () => errors.forEach((e) => reply(e));

  if (msg.type === 'subscribe') {
    const wanted = channels ?? (['ticker'] as Channel[]);
    let accepted: string[] = [];
    if (usable) {
      const have = new Set<string>();
      for (const sub of s.subs.values()) have.add(sub.rec.s);
      const refused: string[] = [];
      for (const sym of known) {
        if (have.has(sym) || have.size < port.limits.symbols) {
          have.add(sym);
          accepted.push(sym);
        } else refused.push(sym);
      }
      if (refused.length) fail('limit_exceeded', `at most ${port.limits.symbols} symbols per connection`, { symbols: refused });
      if (accepted.length && !(await ready(accepted, msg.since))) accepted = [];
      if (s.closed) return;
      accepted = accepted.filter((x) => port.isSymbol(x));
    }
    const throttle = port.roundThrottle(msg.throttle ?? 0);
    const since = new Map<string, StreamPosition>();
    for (const p of msg.since ?? []) since.set(`${p.s}|${p.ch}`, p);
    const wire = s.transport.wire;
    const snaps: StreamRecord<Sub>[] = [];
    const updates: { sub: Sub; item: Encoded; seq: number }[] = [];
    const recovered: StreamName[] = [];
    const unrecovered: StreamName[] = [];
    for (const sym of accepted) {
      for (const ch of wanted) {
        const rec = port.record(sym, ch);
        let sub = s.subs.get(rec.key);
        if (!sub) {
          sub = { rec, session: s, throttle, sent: rec.seq, epoch: rec.epoch, dirty: false };
          s.subs.set(rec.key, sub);
          port.attach(sub);
        }
        sub.throttle = throttle;
        if (sub.dirty) port.enqueue(sub);
        const pos = since.get(rec.key);
        // A position at the stream's current seq is always recovered: nothing was missed (1.1 §2),
        // even with HISTORY_MS=0.
        const r = pos && pos.epoch === rec.epoch ? (pos.seq === rec.seq ? { ok: true as const } : port.recover(pos)) : undefined;
        if (!pos) snaps.push(rec);
        else if (!r?.ok) unrecovered.push({ s: sym, ch }), snaps.push(rec);
        else {
          recovered.push({ s: sym, ch });
          if (r.item) updates.push({ sub, item: rec.recoveryItem(wire, r.item), seq: r.item.seq });
          else (sub.sent = pos.seq), (sub.epoch = pos.epoch);
          // The record moved past what the history answered: the next flush chains on from there.
          if ((r.item?.seq ?? pos.seq) !== rec.seq && !sub.dirty) {
            sub.dirty = true;
            s.dirty.push(sub);
            port.enqueue(sub);
          }
        }
      }
    }
    port.stats.recovered += recovered.length;
    port.stats.unrecovered += unrecovered.length;
    if (accepted.length) {
      const rec = msg.since ? { recovered, unrecovered } : {};
      reply({ type: 'subscribed', ...id, symbols: accepted, channels: wanted, throttle, ...rec, t: port.now() });
    }
    flushErrors();
    s.sendRecovery(updates, snaps, port.now());
    return;
  }

  if (msg.type === 'unsubscribe') {
    const removed = new Set<Channel>();
    for (const sym of known) {
      for (const ch of channels ?? s.channelsOf(sym)) {
        const sub = s.subs.get(`${sym}|${ch}`);
        if (!sub) continue;
        s.subs.delete(sub.rec.key);
        port.detach(sub);
        sub.dirty = false;
        removed.add(ch);
      }
    }
    if (known.length && usable) reply({ type: 'unsubscribed', ...id, symbols: known, channels: channels ?? [...removed], t: port.now() });
    flushErrors();
    s.dirty = s.dirty.filter((sub) => s.subs.get(sub.rec.key) === sub);
    return;
  }

  // snapshot: fresh state for the streams named (default: the symbol's subscribed channels, or
  // ticker), for at most limits.symbols symbols.
  const cap = port.limits.symbols;
  const take = known.slice(0, cap);
  if (known.length > cap) fail('limit_exceeded', `at most ${cap} symbols per snapshot request`, { symbols: known.slice(cap) });
  if (!usable || take.length === 0) return flushErrors();
  if (!(await ready(take))) return flushErrors();
  flushErrors();
  if (s.closed) return;
  const recs: StreamRecord<Sub>[] = [];
  for (const sym of take) {
    if (!port.isSymbol(sym)) continue;
    const held = channels ?? s.channelsOf(sym);
    const chs = held.length ? held : (['ticker'] as Channel[]);
    for (const ch of chs) if (channels || !rights || rights.allowsChannel(ch)) recs.push(port.record(sym, ch));
  }
  s.sendSnapshots(recs, port.now());
}

