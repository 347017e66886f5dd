/**
 * `snapshot`: fresh state for the streams named (default: the symbol's subscribed channels, or
 * ticker), for at most limits.symbols symbols, sent in parts (snapshot-parts.ts). Subscribes
 * nothing.
 */
import type { Channel, SnapshotRequestMsg } from '../../shared/protocol.js';
import type { ControlPort, Reply } from './control-port.js';
import { readRequest } from './request.js';
import type { Session } from './session.js';
import { sendParts } from './snapshot-parts.js';

export async function handleSnapshot(port: ControlPort, s: Session, msg: SnapshotRequestMsg, reply: Reply): Promise<void> {
  const req = readRequest(port, s, msg, reply);
  const { known, channels } = req;
  const cap = port.limits.symbols;
  const take = known.slice(0, cap);
  if (known.length > cap) req.fail('limit_exceeded', `at most ${cap} symbols per snapshot request`, { symbols: known.slice(cap) });
  if (!req.usable || take.length === 0) return req.flushErrors();
  if (!(await req.ready(take))) return req.flushErrors();
  req.flushErrors();
  if (s.closed) return;
  const rights = s.principal?.rights;
  await sendParts(port, s, take, (sym, each) => {
    if (!port.isSymbol(sym)) return;
    const held = channels ?? s.channelsOf(sym);
    const chs = held.length ? held : (['ticker'] as Channel[]);
    for (const ch of chs) if (channels || !rights || rights.allowsChannel(ch)) each(port.record(sym, ch), false);
  });
}
