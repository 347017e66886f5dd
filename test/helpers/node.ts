/** Starts a real Tickwire node on a free port for a test, and a raw WebSocket protocol client. */
import WebSocket from 'ws';
import { createNode, type Node } from '../../server/node/all.js';
import { loadConfig, type Config } from '../../server/config.js';
import { decode, encode } from '../../shared/codec.js';
import type { ServerMessage, SnapshotItem } from '../../shared/protocol.js';
import { until } from './wait.js';

export interface Running {
  node: Node;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** A node on 127.0.0.1 with a free port; `env` uses the same names as the real environment. */
export async function startNode(env: Record<string, string> = {}, overrides: Partial<Config> = {}): Promise<Running> {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', ...env }), port: 0, host: '127.0.0.1', ...overrides };
  const node = await createNode(config);
  const url = await node.start();
  return { node, url, wsUrl: url.replace(/^http/, 'ws') + '/ws', close: () => node.close() };
}

/** A raw protocol client: sends maps as binary MessagePack, records every decoded message. */
export class RawClient {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  closeCode?: number;
  readonly #waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer) => {
      const r = decode(data);
      if (!r.ok) throw new Error(`server sent undecodable frame: ${r.error}`);
      const m = r.value as ServerMessage;
      this.messages.push(m);
      for (const w of [...this.#waiters]) {
        if (w.pred(m)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    this.ws.on('close', (code) => (this.closeCode = code));
  }

  static async open(url: string): Promise<RawClient> {
    const c = new RawClient(url);
    await c.next('hello');
    return c;
  }

  send(msg: unknown): void {
    this.ws.send(encode(msg));
  }

  /** Resolves with the first message (already received or future) of this type matching `pred`. */
  next<T extends ServerMessage['type']>(type: T, pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, timeoutMs = 10_000): Promise<Extract<ServerMessage, { type: T }>> {
    const match = (m: ServerMessage) => m.type === type && pred(m as Extract<ServerMessage, { type: T }>);
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen as Extract<ServerMessage, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ pred: match, resolve: (m) => (clearTimeout(timer), resolve(m as Extract<ServerMessage, { type: T }>)) });
    });
  }

  /**
   * Snapshot items gathered across parts (protocol 1.2: a request may be answered in several
   * `snapshot` frames): those of the `snapshot` messages from index `from` of `messages` on,
   * once they number at least `count`.
   */
  snapshotItems(count: number, from = 0, timeoutMs = 10_000): Promise<SnapshotItem[]> {
    const items = () => this.messages.slice(from).flatMap((m) => (m.type === 'snapshot' ? m.items : []));
    return until(`${count} snapshot items`, () => (items().length >= count ? items() : undefined), timeoutMs);
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  closed(): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((r) => this.ws.once('close', (code) => r(code)));
  }

  close(): void {
    this.ws.close();
  }
}

