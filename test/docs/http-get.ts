/**
 * A GET on a fresh connection (`agent: false`), for tests that pause between requests longer
 * than the server's keep-alive (a parser run on a loaded machine): fetch would reuse a pooled
 * socket the server may be closing at that moment (ECONNRESET).
 */
import { get } from 'node:http';

export interface Answer {
  status: number;
  type: string;
  text: string;
}

export function httpGet(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
