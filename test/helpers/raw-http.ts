/** Raw HTTP/1.1 over a TCP socket, for requests that client libraries would normalise first. */
import net from 'node:net';

export interface RawAnswer {
  /** Status code of the answer, or 0 when the server closed without one. */
  status: number;
  head: string;
  body: string;
}

/** Sends `request` as is and reads one answer (its head, and the body up to `maxBody` bytes). */
export function rawRequest(port: number, request: string, o: { localAddress?: string; maxBody?: number; timeoutMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', ...(o.localAddress ? { localAddress: o.localAddress } : {}) }, () => s.write(request));
    let buf = '';
    const done = () => {
      s.destroy();
      clearTimeout(timer);
      const i = buf.indexOf('\r\n\r\n');
      const head = i >= 0 ? buf.slice(0, i) : buf;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: i >= 0 ? buf.slice(i + 4) : '' });
    };
    const timer = setTimeout(() => (buf ? done() : (s.destroy(), reject(new Error(`no answer to ${request.split('\r\n')[0]}`)))), o.timeoutMs ?? 5000);
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0);
      // 101 and event streams never end: the head (and the first bytes) are the answer.
      const len = Number(/\r\ncontent-length: (\d+)/i.exec(buf.slice(0, i))?.[1] ?? NaN);
      if (status === 101 || /text\/event-stream/i.test(buf.slice(0, i)) || buf.length - i - 4 >= (Number.isFinite(len) ? len : (o.maxBody ?? 0))) done();
    });
    s.on('close', () => (buf ? done() : resolve({ status: 0, head: '', body: '' })));
    s.on('error', (e) => (buf ? done() : reject(e)));
  });
}

/** A GET with `Host: 127.0.0.1` unless `headers` names another, and `Connection: close`. */
export const get = (target: string, headers: Record<string, string> = {}): string =>
  `GET ${target} HTTP/1.1\r\n${'Host' in headers ? '' : 'Host: 127.0.0.1\r\n'}Connection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

export const upgrade = (target: string, headers: Record<string, string> = {}): string =>
  get(target, { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', ...headers }).replace(
    'Connection: close\r\n',
    '',
  );
