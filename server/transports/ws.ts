/**
 * WebSocket transport: binary MessagePack frames in both directions. A text frame gets an
 * error and close 1003; a frame over `limits.payload` is closed 1009 by ws itself. Liveness:
 * one timer pings every socket and terminates those that did not answer the previous ping.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { decode } from '../../shared/codec.js';
import { CLOSE } from '../../shared/protocol.js';
import { replayRight } from '../auth/replay-right.js';
import type { Hub } from '../fanout/hub.js';
import type { Transport } from '../fanout/session.js';
import { msgpackWire } from '../fanout/wire.js';
import { QuietLog } from '../lib/quiet-log.js';
import { frameWriter } from './ws-frame.js';

export interface WsOptions {
  /** Protocol-level ping period, ms; a socket silent for a whole period is terminated. */
  pingMs: number;
}

export function registerWs(app: FastifyInstance, hub: Hub, o: WsOptions): void {
  const alive = new Map<WebSocket, boolean>();
  const pinger = setInterval(() => {
    for (const [ws, ok] of alive) {
      if (!ok) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, o.pingMs);
  pinger.unref();
  app.addHook('onClose', async () => clearInterval(pinger));
  // A peer that breaks the protocol (bad frames, oversized payloads) is the peer's problem: one
  // line without a stack, and at most one a second however many peers do it.
  const peerErrors = new QuietLog((obj, msg) => app.log.info(obj, msg));

  app.get('/ws', { websocket: true }, (ws, req) => {
    releaseRequest(ws, req);
    // Frames with room in front go out as one buffer when that is safe (ws-frame.ts).
    const fast = frameWriter(ws);
    const transport: Transport = {
      wire: msgpackWire,
      send: (_type, data, room = 0) => {
        if (!(fast && room > 0 && typeof data !== 'string' && fast.write(data, room))) ws.send(data);
      },
      bufferedAmount: () => ws.bufferedAmount,
      ...(fast ? { cork: fast.cork, uncork: fast.uncork } : {}),
      close(code, reason) {
        ws.close(code, reason);
        // A peer that does not read never completes the closing handshake. A slow reader gets
        // time to drain what is queued and see the close code; nothing more is queued meanwhile.
        setTimeout(() => ws.terminate(), code === CLOSE.tryAgainLater ? 15_000 : 2000).unref();
      },
    };
    const session = hub.open(transport, req.principal);
    session.replay = replayRight(req, hub.auth?.enabled ?? false);
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('close', () => {
      alive.delete(ws);
      hub.close(session);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      peerErrors.line({ ip: req.ip, code: err.code ?? 'error', error: err.message }, 'websocket peer error');
      ws.terminate();
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        session.error('bad_request', 'text frames are not accepted: send binary MessagePack frames', hub.now());
        transport.close(CLOSE.unsupportedData, 'binary frames only');
        return hub.close(session);
      }
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      hub.receive(session, decode(bytes));
    });
    session.send(hub.hello(session), hub.now());
  });
}

/**
 * Lets the HTTP request that opened a socket be collected (about 2 KiB a connection): after the
 * upgrade, the socket still points at the response object (`_httpMessage`) and @fastify/websocket's
 * error listener holds the request and reply. Errors are logged and end the socket, as there.
 */
function releaseRequest(ws: WebSocket, req: FastifyRequest): void {
  const res = (req.raw.socket as { _httpMessage?: { detachSocket?(s: unknown): void } | null } | null)?._httpMessage;
  res?.detachSocket?.(req.raw.socket);
  ws.removeAllListeners('error');
}
