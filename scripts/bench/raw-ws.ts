/**
 * A minimal WebSocket client over a raw TCP socket, for load tests: thousands of them in one
 * process cost little. It parses frames straight from the socket's chunks and hands each
 * message's payload over as a view into that chunk (valid only during the callback), so a
 * caller that only counts never copies or decodes. No extensions (no permessage-deflate),
 * no TLS; answers pings; client frames are masked as RFC 6455 requires.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawWsHandlers {
  /**
   * One whole message: `payload` is a view that is reused after the call; `wireBytes` includes
   * the frame header. May come before open() resolves (data sent right after the handshake).
   */
  message(payload: Buffer, binary: boolean, wireBytes: number, ws: RawWs): void;
  close?(code: number): void;
}

export class RawWs {
  readonly socket: Socket;
  #h: RawWsHandlers;
  #pending: Buffer[] = [];
  #pendingLen = 0;
  #open = false;
  #fragments: Buffer[] = [];
  #fragBinary = false;
  #closed = false;

  private constructor(socket: Socket, h: RawWsHandlers) {
    this.socket = socket;
    this.#h = h;
  }

  /** Connects and completes the upgrade handshake; rejects on anything but 101. */
  static open(url: string, h: RawWsHandlers, timeoutMs = 15_000): Promise<RawWs> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: u.hostname, port: Number(u.port || 80), noDelay: true });
      const ws = new RawWs(socket, h);
      const timer = setTimeout(() => (socket.destroy(), reject(new Error(`handshake timeout: ${url}`))), timeoutMs);
      socket.once('error', (e) => (clearTimeout(timer), reject(e)));
      socket.on('connect', () => {
        const key = randomBytes(16).toString('base64');
        socket.write(
          `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        if (ws.#open) return ws.#feed(chunk);
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        clearTimeout(timer);
        if (!/^HTTP\/1\.1 101/.test(head)) {
          socket.destroy();
          return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        }
        ws.#open = true;
        socket.removeAllListeners('error');
        socket.on('error', () => socket.destroy());
        socket.on('close', () => ws.#onClose(1006));
        resolve(ws);
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length) ws.#feed(rest);
      });
    });
  }

  /** Sends one message (binary for a Buffer, text for a string). */
  send(data: Buffer | string, opcode?: number): void {
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    const op = opcode ?? (typeof data === 'string' ? 1 : 2);
    const len = payload.length;
    const hl = len < 126 ? 2 : len < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(hl + 4 + len);
    frame[0] = 0x80 | op;
    if (hl === 2) frame[1] = 0x80 | len;
    else if (hl === 4) (frame[1] = 0x80 | 126), frame.writeUInt16BE(len, 2);
    else (frame[1] = 0x80 | 127), frame.writeBigUInt64BE(BigInt(len), 2);
    const mask = randomBytes(4);
    mask.copy(frame, hl);
    for (let i = 0; i < len; i++) frame[hl + 4 + i] = payload[i] ^ mask[i & 3];
    if (!this.socket.destroyed) this.socket.write(frame);
  }

  /** Starts the closing handshake; the socket is destroyed shortly after in any case. */
  close(code = 1000): void {
    if (this.socket.destroyed) return;
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16BE(code, 0);
    this.send(b, 8);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  #onClose(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#h.close?.(code);
  }

  #feed(chunk: Buffer): void {
    let buf = chunk;
    if (this.#pendingLen) {
      this.#pending.push(chunk);
      this.#pendingLen += chunk.length;
      if (this.#pendingLen < this.#needed()) return;
      buf = Buffer.concat(this.#pending, this.#pendingLen);
      this.#pending = [];
      this.#pendingLen = 0;
    }
    let o = 0;
    const n = buf.length;
    while (n - o >= 2) {
      const b1 = buf[o + 1] & 0x7f;
      let hl = 2;
      let len = b1;
      if (b1 === 126) {
        if (n - o < 4) break;
        len = buf.readUInt16BE(o + 2);
        hl = 4;
      } else if (b1 === 127) {
        if (n - o < 10) break;
        len = Number(buf.readBigUInt64BE(o + 2));
        hl = 10;
      }
      if (n - o < hl + len) break;
      this.#frame(buf[o], buf.subarray(o + hl, o + hl + len), hl + len);
      o += hl + len;
    }
    if (o < n) {
      this.#pending.push(buf.subarray(o));
      this.#pendingLen = n - o;
    }
  }

  /** Bytes the pending partial frame needs in all (a lower bound while its header is incomplete). */
  #needed(): number {
    const first = this.#pending[0];
    if (first.length < 10 && this.#pending.length > 1) {
      this.#pending = [Buffer.concat(this.#pending, this.#pendingLen)];
      return this.#needed();
    }
    if (first.length < 2) return 2;
    const b1 = first[1] & 0x7f;
    if (b1 < 126) return 2 + b1;
    if (b1 === 126) return first.length < 4 ? 4 : 4 + first.readUInt16BE(2);
    return first.length < 10 ? 10 : 10 + Number(first.readBigUInt64BE(2));
  }

  #frame(b0: number, payload: Buffer, wire: number): void {
    const op = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if (op === 9) return this.send(Buffer.from(payload), 10);
    if (op === 10) return;
    if (op === 8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.close(code === 1005 ? 1000 : code);
      return this.#onClose(code);
    }
    if (op === 0 || !fin) {
      // Fragmented message (rare here): keep copies until the final fragment.
      if (op !== 0) this.#fragBinary = op === 2;
      this.#fragments.push(Buffer.from(payload));
      if (!fin) return;
      const whole = Buffer.concat(this.#fragments);
      this.#fragments = [];
      return this.#h.message(whole, this.#fragBinary, wire, this);
    }
    this.#h.message(payload, op === 2, wire, this);
  }
}
