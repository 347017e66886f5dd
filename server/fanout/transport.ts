/** What a session writes to (ws.ts, sse.ts). Nothing above the transports branches on which one it is. */
import type { ServerMessage } from '../../shared/protocol.js';
import type { Encoded, Wire } from './wire.js';

export interface Transport {
  readonly wire: Wire;
  /**
   * Sends one encoded message; `type` names it (SSE uses it as the event name). `room`: bytes
   * free in front of `data` that the transport may overwrite (`wire.room` for a frame() result,
   * else 0).
   */
  send(type: ServerMessage['type'], data: Encoded, room?: number): void;
  /** Bytes accepted by send() but not yet handed to the kernel: what the write gate counts. */
  bufferedAmount(): number;
  close(code: number, reason: string): void;
  /** Between cork() and uncork(), sends are held and then written together (one syscall). */
  cork?(): void;
  uncork?(): void;
}
