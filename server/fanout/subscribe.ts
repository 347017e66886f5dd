/**
 * `subscribe`, with 1.1 recovery: the symbols within the per-connection limit are readied, then
 * the streams with a position are decided (recovered: an update from the history; else a
 * snapshot) before `subscribed`, which lists those outcomes; the rest get their snapshots in
 * parts (snapshot-parts.ts), each stream subscribed in the slice that writes its snapshot.
 */
import type { Channel, StreamName, StreamPosition, SubscribeMsg } from '../../shared/protocol.js';
import type { ControlPort, Reply } from './control-port.js';
import { readRequest } from './request.js';
import type { Session, Sub } from './session.js';
import { sendParts, WARM_INLINE } from './snapshot-parts.js';
import type { StreamRecord } from './stream-record.js';
import type { Encoded } from './wire.js';

export async function handleSubscribe(port: ControlPort, s: Session, msg: SubscribeMsg, reply: Reply): Promise<void> {
  const req = readRequest(port, s, msg, reply);
  const { id, channels } = req;
  const wanted = channels ?? (['ticker'] as Channel[]);
  let accepted: string[] = [];
  if (req.usable) {
    const have = new Set<string>();
    for (const sub of s.subs.values()) have.add(sub.rec.s);
    const refused: string[] = [];
    for (const sym of req.known) {
      if (have.has(sym) || have.size < port.limits.symbols) {
        have.add(sym);
        accepted.push(sym);
      } else refused.push(sym);
    }
    if (refused.length) req.fail('limit_exceeded', `at most ${port.limits.symbols} symbols per connection`, { symbols: refused });
    if (accepted.length && !(await req.ready(accepted, msg.since))) accepted = [];
    if (s.closed) return;
    accepted = accepted.filter((x) => port.isSymbol(x));
  }
  const throttle = port.roundThrottle(msg.throttle ?? 0);
  const named = new Set<string>();
  for (const p of msg.since ?? []) named.add(p.s);
  const coldNamed = port.warm && named.size ? accepted.filter((x) => named.has(x) && port.cold!(x)) : [];
  if (coldNamed.length) await port.warm!(coldNamed, s, WARM_INLINE);
  if (s.closed) return;
  const r = recover(port, s, accepted, wanted, named, msg.since ?? [], throttle);
  port.stats.recovered += r.recovered.length;
  port.stats.unrecovered += r.unrecovered.length;
  if (accepted.length) {
    const outcomes = msg.since ? { recovered: r.recovered, unrecovered: r.unrecovered } : {};
    reply({ type: 'subscribed', ...id, symbols: accepted, channels: wanted, throttle, ...outcomes, t: port.now() });
  }
  req.flushErrors();
  s.sendRecovery(r.updates, r.snaps, port.now());
  await sendParts(port, s, r.parts, (entry, each) => {
    const bar = entry.indexOf('|');
    if (bar >= 0) return each(port.record(entry.slice(0, bar), entry.slice(bar + 1) as Channel), true);
    for (const ch of wanted) each(port.record(entry, ch), true);
  }, (rec) => s.subscribe(rec, throttle));
}

interface Recovered {
  /** Recovery items to send, and the streams that get a snapshot now instead. */
  updates: { sub: Sub; item: Encoded; seq: number }[];
  snaps: StreamRecord<Sub>[];
  recovered: StreamName[];
  unrecovered: StreamName[];
  /** What is left for the parts: whole symbols, or `symbol|channel` keys of named symbols. */
  parts: string[];
}

/** Subscribes the streams that have a position (of the symbols `named` in `since`) and decides each (1.1 section 2). */
function recover(port: ControlPort, s: Session, accepted: string[], wanted: Channel[], named: Set<string>, since: StreamPosition[], throttle: number): Recovered {
  const out: Recovered = { updates: [], snaps: [], recovered: [], unrecovered: [], parts: [] };
  const at = new Map<string, StreamPosition>();
  for (const p of since) at.set(`${p.s}|${p.ch}`, p);
  const wire = s.transport.wire;
  for (const sym of accepted) {
    if (!named.has(sym)) {
      out.parts.push(sym);
      continue;
    }
    for (const ch of wanted) {
      const pos = at.get(`${sym}|${ch}`);
      if (!pos) {
        out.parts.push(`${sym}|${ch}`);
        continue;
      }
      const rec = port.record(sym, ch);
      const sub = s.subscribe(rec, throttle);
      // A position at the stream's current seq is always recovered: nothing was missed (1.1 §2),
      // even with HISTORY_MS=0.
      const r = pos.epoch === rec.epoch ? (pos.seq === rec.seq ? { ok: true as const } : port.recover(pos)) : undefined;
      if (!r?.ok) {
        out.unrecovered.push({ s: sym, ch });
        out.snaps.push(rec);
        continue;
      }
      out.recovered.push({ s: sym, ch });
      if (r.item) out.updates.push({ sub, item: rec.recoveryItem(wire, r.item), seq: r.item.seq });
      else (sub.sent = pos.seq), (sub.epoch = pos.epoch);
      // The record moved past what the history answered: the next flush chains on from there.
      if ((r.item?.seq ?? pos.seq) !== rec.seq) s.markDirty(sub);
    }
  }
  return out;
}
