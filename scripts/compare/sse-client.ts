/**
 * A compare client over Server-Sent Events: `GET /sse?symbols=&channels=ticker&throttle=`,
 * events parsed from the stream and their JSON decoded; pings go to the session's control
 * path (`POST /sse/{session}`), the pong coming back as the response body. Bytes counted are
 * the event-stream text (HTTP chunk framing not included).
 */
import { request, type ClientRequest } from 'node:http';
import { wallNow } from '../bench/clock.js';
import type { Tally, UpdateMsg } from './tally.js';
import type { CompareClient } from './ws-client.js';

const EVENT_END = Buffer.from('\n\n');

/** The JSON of the `data:` lines of the event in buf[from, end), or undefined (comments, retry). */
function parseEvent(buf: Buffer, from: number, end: number): UpdateMsg | undefined {
  let text: string | undefined;
  for (let line = from; line < end; ) {
    let eol = buf.indexOf(0x0a, line);
    if (eol < 0 || eol > end) eol = end;
    // "data:" at the start of a line (d a t a :)
    if (buf[line] === 0x64 && buf[line + 1] === 0x61 && buf[line + 2] === 0x74 && buf[line + 3] === 0x61 && buf[line + 4] === 0x3a) {
      const start = buf[line + 5] === 0x20 ? line + 6 : line + 5;
      const part = buf.toString('utf8', start, eol);
      text = text === undefined ? part : `${text}\n${part}`;
    }
    line = eol + 1;
  }
  return text ? (JSON.parse(text) as UpdateMsg) : undefined;
}

export function openSse(baseUrl: string, symbols: string[], throttle: number, tally: Tally): Promise<CompareClient> {
  const url = `${baseUrl}/sse?symbols=${symbols.map(encodeURIComponent).join(',')}&channels=ticker&throttle=${throttle}`;
  return new Promise((resolve, reject) => {
    let control = '';
    const req: ClientRequest = request(url, { headers: { Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`GET /sse answered ${res.statusCode}`));
      }
      // Parsed as bytes: an event ends at a blank line; its `data:` lines hold the JSON.
      let pending: Buffer | undefined;
      res.on('data', (chunk: Buffer) => {
        const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
        let from = 0;
        let end: number;
        while ((end = buf.indexOf(EVENT_END, from)) >= 0) {
          const m = parseEvent(buf, from, end);
          const wire = end + 2 - from;
          from = end + 2;
          if (!m) continue;
          if (m.type === 'hello') {
            control = (m as { control?: string }).control ?? '';
            resolve(client);
          }
          tally.message(m, wire);
        }
        pending = from < buf.length ? buf.subarray(from) : undefined;
      });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end();
    const client: CompareClient = {
      ping() {
        if (!control) return;
        const sentAt = wallNow();
        fetch(baseUrl + control, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'ping', t: sentAt }) })
          .then((r) => r.json() as Promise<UpdateMsg>)
          .then((m) => {
            if (m.type === 'pong' && typeof m.t === 'number') tally.pong(sentAt, m.t, wallNow());
          })
          .catch(() => undefined);
      },
      close: () => req.destroy(),
    };
  });
}
