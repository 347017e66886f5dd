/**
 * What each client message does to a session: one handler per message type, beside this file
 * (subscribe.ts, unsubscribe.ts, snapshot.ts, refresh.ts; ping here). Partly bad requests take
 * effect for their good part; the refused part gets its `error` (request.ts). Every step costs
 * time linear in the message. The hub is seen only through a ControlPort (control-port.ts).
 */
import type { ClientMessage } from '../../shared/protocol.js';
import type { ControlPort, Reply } from './control-port.js';
import { handleRefresh } from './refresh.js';
import type { Session } from './session.js';
import { handleSnapshot } from './snapshot.js';
import { handleSubscribe } from './subscribe.js';
import { handleUnsubscribe } from './unsubscribe.js';


export async function handleControl(port: ControlPort, s: Session, msg: ClientMessage, reply: Reply): Promise<void> {
  if (s.closed) return;
  switch (msg.type) {
    case 'ping':
      return reply({ type: 'pong', ...(msg.id === undefined ? {} : { id: msg.id }), ...(msg.t !== undefined ? { echo: msg.t } : {}), t: port.now() });
    case 'refresh':
      return handleRefresh(port, s, msg, reply);
    case 'subscribe':
      return handleSubscribe(port, s, msg, reply);
    case 'unsubscribe':
      return handleUnsubscribe(port, s, msg, reply);
    case 'snapshot':
      return handleSnapshot(port, s, msg, reply);
  }
}
