/**
 * `refresh` (protocol 1.1 section 4): a new token replaces the connection's principal. A token
 * that does not verify, or is for another `sub`, is answered `error` `unauthorized` and changes
 * nothing (the connection lives on until its current cutoff). A good one moves the cutoff,
 * answers `refreshed`, and unsubscribes what its rights no longer cover, with `error`
 * `forbidden` listing those streams. The deciding is server/auth/session-rights.ts's.
 */
import type { RefreshMsg } from '../../shared/protocol.js';
import { forbiddenMessage, refreshOutcome } from '../auth/session-rights.js';
import type { ControlPort, Reply } from './control-port.js';
import type { Session } from './session.js';

export async function handleRefresh(port: ControlPort, s: Session, msg: RefreshMsg, reply: Reply): Promise<void> {
  const id = msg.id === undefined ? {} : { id: msg.id };
  if (!port.auth) return reply({ type: 'error', ...id, code: 'bad_request', message: 'this server does not take tokens', t: port.now() });
  const held = [...s.subs.values()].map((sub) => ({ s: sub.rec.s, ch: sub.rec.ch, sub }));
  const r = await refreshOutcome(port.auth, s.principal, msg.token, held);
  if (s.closed) return;
  if (!r.ok) return reply({ type: 'error', ...id, code: 'unauthorized', message: r.message, t: port.now() });
  s.principal = r.principal;
  port.setCutoff(s, r.cutoff);
  s.drop(r.drop.map((d) => d.sub));
  reply({ type: 'refreshed', ...id, ...(r.principal.expires !== undefined ? { expires: r.principal.expires } : {}), t: port.now() });
  if (r.forbidden) {
    port.forbidden(s, r.forbidden);
    reply({ type: 'error', ...id, code: 'forbidden', message: forbiddenMessage(r.forbidden), ...r.forbidden, t: port.now() });
  }
}
