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
import type { SliceBudget } from './turns.js';
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
  /** Whether a symbol's first snapshot needs work first (a back-fill); absent: never. */
  cold?(symbol: string): boolean;
  /** Does that work off the event loop, `owner` taking turns with others; never rejects. */
  warm?(symbols: string[], owner: object): Promise<void>;
  /** Resolves at this session's next turn (turns.ts): a large request is built in slices. */
  turn(): Promise<void>;
  /** A fresh budget for one slice of snapshot items. */
  budget(): SliceBudget;
}

/** Symbols readied together before their part of a subscribe is built: small requests stay one frame. */
const WARM_GROUP = 128;
/** At most this many cold symbols in a request are read in-thread rather than by the back-fill pool. */
const WARM_INLINE = 64;

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
    // Streams with a position are decided before `subscribed` (it lists the outcomes); the rest
    // are built afterwards in slices (`parts`), each slice's subs attached and snapshotted at once.
    const named = new Set<string>();
    for (const p of msg.since ?? []) named.add(p.s);
    const coldNamed = port.warm && named.size ? accepted.filter((x) => named.has(x) && port.cold!(x)) : [];
    if (coldNamed.length > WARM_INLINE) await port.warm!(coldNamed, s);
    if (s.closed) return;
    const subOf = (rec: StreamRecord<Sub>): Sub => {
      let sub = s.subs.get(rec.key);
      if (!sub) {
        sub = { rec, session: s, throttle, sent: rec.seq, epoch: rec.epoch, dirty: false };
        s.subs.set(rec.key, sub);
        port.attach(sub);
      }
      sub.throttle = throttle;
      if (sub.dirty) port.enqueue(sub);
      return sub;
    };
    const parts: string[] = [];
    for (const sym of accepted) {
      if (!named.has(sym)) {
        parts.push(sym);
        continue;
      }
      for (const ch of wanted) {
        const key = `${sym}|${ch}`;
        if (!since.has(key)) {
          parts.push(`${key}`);
          continue;
        }
        const rec = port.record(sym, ch);
        const sub = subOf(rec);
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
    await sendParts(port, s, parts, (sym, each) => {
      if (sym.includes('|')) return each(port.record(sym.slice(0, sym.indexOf('|')), sym.slice(sym.indexOf('|') + 1) as Channel), true);
      for (const ch of wanted) each(port.record(sym, ch), true);
    }, subOf);
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
  await sendParts(port, s, take, (sym, each) => {
    if (!port.isSymbol(sym)) return;
    const held = channels ?? s.channelsOf(sym);
    const chs = held.length ? held : (['ticker'] as Channel[]);
    for (const ch of chs) if (channels || !rights || rights.allowsChannel(ch)) each(port.record(sym, ch), false);
  });
}

/**
 * Sends the snapshots of `entries` (symbols, or `symbol|channel` keys: see `streams`) in parts
 * (protocol 1.2 section 1): groups of WARM_GROUP symbols are readied off the loop (all asked at
 * once, waited for in order), then built in slices, one `snapshot` frame per slice, a turn
 * between slices. With `subOf`, each stream marked `sub` is subscribed in the same slice as its
 * snapshot is written: no update of a stream can come before its snapshot item.
 */
async function sendParts(
  port: ControlPort,
  s: Session,
  entries: string[],
  streams: (entry: string, each: (rec: StreamRecord<Sub>, sub: boolean) => void) => void,
  subOf?: (rec: StreamRecord<Sub>) => Sub,
): Promise<void> {
  if (entries.length === 0) return;
  const symbolOf = (e: string) => (e.includes('|') ? e.slice(0, e.indexOf('|')) : e);
  let cold = port.warm ? [...new Set(entries.map(symbolOf))].filter((x) => port.cold!(x)) : [];
  // A few are computed in-thread as before (a few ms each): a small request stays one frame and
  // starts no worker.
  if (cold.length <= WARM_INLINE) cold = [];
  const coldSet = new Set(cold);
  const warming = new Map<string, Promise<void>>();
  // Asked in groups, in order: the pool serves each owner's groups first come, first served.
  for (let i = 0; i < cold.length; i += WARM_GROUP) {
    const group = cold.slice(i, i + WARM_GROUP);
    const ready = port.warm!(group, s);
    for (const x of group) warming.set(x, ready);
  }
  const budget = port.budget();
  let recs: StreamRecord<Sub>[] = [];
  const send = () => {
    if (recs.length) s.sendSnapshots(recs, port.now());
    recs = [];
  };
  // Chunks of WARM_GROUP symbols: each waits for its cold symbols before any of its streams is
  // built (a stream is subscribed only in the slice that writes its snapshot), then goes out.
  for (let i = 0; i < entries.length; ) {
    const chunk: string[] = [];
    const syms = new Set<string>();
    for (; i < entries.length; i++) {
      const sym = symbolOf(entries[i]!);
      if (!syms.has(sym) && syms.size === WARM_GROUP) break;
      syms.add(sym);
      chunk.push(entries[i]!);
    }
    const waits = [...syms].filter((x) => coldSet.has(x) && port.cold!(x)).map((x) => warming.get(x)!);
    if (waits.length) await Promise.all(new Set(waits));
    if (s.closed) return;
    budget.begin();
    for (const entry of chunk) {
      let over = false;
      streams(entry, (rec, sub) => {
        if (sub && subOf) subOf(rec);
        recs.push(rec);
        over = budget.spend() || over;
      });
      if (over) {
        send();
        await port.turn();
        if (s.closed) return;
        budget.begin();
      }
    }
    send();
  }
}

