/** `unsubscribe`: ends the named streams (default: every channel held of each symbol); always allowed. */
import type { Channel, UnsubscribeMsg } from '../../shared/protocol.js';
import type { ControlPort, Reply } from './control-port.js';
import { readRequest } from './request.js';
import type { Session, Sub } from './session.js';

export function handleUnsubscribe(port: ControlPort, s: Session, msg: UnsubscribeMsg, reply: Reply): void {
  const req = readRequest(port, s, msg, reply);
  const { known, channels } = req;
  const ended: Sub[] = [];
  const removed = new Set<Channel>();
  for (const sym of known) {
    for (const ch of channels ?? s.channelsOf(sym)) {
      const sub = s.subs.get(`${sym}|${ch}`);
      if (!sub) continue;
      ended.push(sub);
      removed.add(ch);
    }
  }
  s.drop(ended);
  if (known.length && req.usable) reply({ type: 'unsubscribed', ...req.id, symbols: known, channels: channels ?? [...removed], t: port.now() });
  req.flushErrors();
}
