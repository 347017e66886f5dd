/**
 * One connection to one server over one transport, as the client core sees it: it delivers
 * decoded server messages and reports its end once. Opening never calls back synchronously.
 */
import type { ClientMessage, ServerMessage } from '../protocol.js';
import type { TransportKind } from './types.js';

export interface LinkHandlers {
  /** One server message, and its size on the wire (bytes for WebSocket, characters for SSE). */
  message(msg: ServerMessage, size: number): void;
  /** The link has ended (not called after the owner's own close()). */
  closed(reason: string): void;
}

export interface Link {
  readonly kind: TransportKind;
  /** Sends a client message; dropped when the link is not open. */
  send(msg: ClientMessage): void;
  /** Ends the link quietly: no further callbacks. */
  close(): void;
  /** The token the link was opened with (or last given by setToken), if any. */
  readonly token?: string;
  /** After a refresh: later requests of this link carry the new token (SSE control POSTs). */
  setToken?(token: string): void;
}

const SERVER_TYPES = new Set(['hello', 'subscribed', 'unsubscribed', 'snapshot', 'update', 'heartbeat', 'pong', 'error', 'refreshed', 'clock']);

/** True for a map with a known server message `type` (unknown types are skipped: extensions). */
export function isServerMessage(v: unknown): v is ServerMessage {
  return typeof v === 'object' && v !== null && SERVER_TYPES.has((v as { type?: unknown }).type as string);
}

export const SERVER_MESSAGE_TYPES = [...SERVER_TYPES] as ServerMessage['type'][];
