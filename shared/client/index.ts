/** The public surface of the TypeScript client: the only list of its exports. */
export { MarketClient } from './market-client.js';
export { StreamStore, type StreamState, type UpdateResult, type Position } from './stream-store.js';
export { applyBookUpdate, bookFromSnapshot, verifyBook, type BookState } from '../book.js';
export { refreshDelay } from './token-refresh.js';
export { backoffDelay } from './backoff.js';
export { wsEndpoint, sseEndpoint } from './endpoints.js';
export type { WebSocketLike, WebSocketCtor } from './ws-link.js';
export type { EventSourceLike, EventSourceCtor, FetchLike } from './sse-link.js';
export type * from './types.js';
