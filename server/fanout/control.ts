/**
 * What each client message does to a session: subscribe, unsubscribe, snapshot, ping.
 * Partly bad requests take effect for their good part; the refused part gets its `error`.
 */
import { isChannel, type Channel, type ClientMessage, type ServerMessage } from '../../shared/protocol.js';
import type { Hub } from './hub.js';
import type { Session, Sub } from './session.js';
import type { StreamRecord } from './stream-record.js';

export type Reply = (msg: ServerMessage) => void;

export async function handleControl(hub: Hub, s: Session, msg: ClientMessage, reply: Reply): Promise<void> {
  if (s.closed) return;
  const id = msg.id === undefined ? {} : { id: msg.id };
  if (msg.type === 'ping') {
    return reply({ type: 'pong', ...id, ...(msg.t !== undefined ? { echo: msg.t } : {}), t: hub.now() });
  }
  const now = hub.now();
  const known = msg.symbols.filter((x) => hub.isSymbol(x));
  const unknown = msg.symbols.filter((x) => !hub.isSymbol(x));
  const badChannels = (msg.channels ?? []).filter((c) => !isChannel(c));
  const channels = msg.channels?.filter(isChannel);
  const errors: ServerMessage[] = [];
  if (unknown.length)
    errors.push({ type: 'error', ...id, code: 'unknown_symbol', message: `unknown symbol(s): ${list(unknown)}`, symbols: unknown, t: now });
  if (badChannels.length)
    errors.push({ type: 'error', ...id, code: 'unknown_channel', message: `unknown channel(s): ${list(badChannels)}`, channels: badChannels, t: now });
  const usable = msg.channels === undefined || (channels?.length ?? 0) > 0;

  if (msg.type === 'subscribe') {
    const wanted = channels ?? (['ticker'] as Channel[]);
    let accepted: string[] = [];
    if (usable) {
      const have = new Set([...s.subs.values()].map((sub) => sub.rec.s));
      const refused: string[] = [];
      for (const sym of known) {
        if (have.has(sym) || have.size < hub.limits.symbols) {
          have.add(sym);
          accepted.push(sym);
        } else refused.push(sym);
      }
      if (refused.length)
        errors.push({ type: 'error', ...id, code: 'limit_exceeded', message: `at most ${hub.limits.symbols} symbols per connection`, symbols: refused, t: now });
      if (accepted.length) await hub.source.prepare?.(accepted);
      if (s.closed) return;
      accepted = accepted.filter((x) => hub.isSymbol(x));
    }
    const throttle = hub.roundThrottle(msg.throttle ?? 0);
    const recs: StreamRecord<Sub>[] = [];
    for (const sym of accepted) {
      for (const ch of wanted) {
        const rec = hub.record(sym, ch);
        let sub = s.subs.get(rec.key);
        if (!sub) {
          sub = { rec, session: s, throttle, sent: rec.seq, dirty: false };
          s.subs.set(rec.key, sub);
          hub.attach(sub);
        }
        sub.throttle = throttle;
        if (sub.dirty) hub.enqueue(sub);
        recs.push(rec);
      }
    }
    if (accepted.length) reply({ type: 'subscribed', ...id, symbols: accepted, channels: wanted, throttle, t: hub.now() });
    for (const e of errors) reply(e);
    s.sendSnapshots(recs, hub.now(), hub.policy);
    return;
  }

  if (msg.type === 'unsubscribe') {
    const removed = new Set<Channel>();
    for (const sym of known) {
      for (const ch of channels ?? s.channelsOf(sym)) {
        const sub = s.subs.get(`${sym}|${ch}`);
        if (!sub) continue;
        s.subs.delete(sub.rec.key);
        hub.detach(sub);
        sub.dirty = false;
        removed.add(ch);
      }
    }
    if (known.length && usable)
      reply({ type: 'unsubscribed', ...id, symbols: known, channels: channels ?? [...removed], t: hub.now() });
    for (const e of errors) reply(e);
    s.dirty = s.dirty.filter((sub) => s.subs.get(sub.rec.key) === sub);
    return;
  }

  // snapshot: fresh state for the streams named (default: the symbol's subscribed channels, or ticker)
  for (const e of errors) reply(e);
  if (!usable || known.length === 0) return;
  await hub.source.prepare?.(known);
  const recs: StreamRecord<Sub>[] = [];
  for (const sym of known) {
    const chs = channels ?? s.channelsOf(sym);
    for (const ch of chs.length ? chs : (['ticker'] as Channel[])) recs.push(hub.record(sym, ch));
  }
  s.sendSnapshots(recs, hub.now(), hub.policy);
}

const list = (xs: string[]) => xs.slice(0, 10).map((x) => JSON.stringify(x.slice(0, 32))).join(', ') + (xs.length > 10 ? ', …' : '');
