/**
 * Real /sse events (JSON) validate against the schemas /asyncapi.json gives for their type
 * (operation sseSend), and control POST bodies against the operation sseControl's replies,
 * documented and closed; the POSTed requests against its messages. Covers hello, subscribed
 * (with recovered and unrecovered after a reconnect with `since` in the query), snapshot and
 * update items of every kind of channel, heartbeat, pong, error, unsubscribed and accepted.
 */
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage, SnapshotItem, StreamPosition } from '../../shared/protocol.js';
import { startNode, type Running } from '../helpers/node.js';
import { operationPayloads, parseAsyncApi, replyPayloads, SchemaCheck } from './doc-schemas.js';
import { EXPECTED, FrameCheck } from './frame-check.js';
import { httpGet } from './http-get.js';
import { until } from '../helpers/wait.js';

const TYPES = ['hello', 'subscribed', 'unsubscribed', 'snapshot', 'update', 'heartbeat', 'pong', 'error', 'refreshed'];

/** An EventSource recording every protocol event, with the event name it came under. */
class Recorder {
  readonly es: EventSource;
  readonly messages: ServerMessage[] = [];
  readonly misnamed: string[] = [];
  constructor(url: string) {
    this.es = new EventSource(url);
    for (const type of TYPES)
      this.es.addEventListener(type, (ev: MessageEvent) => {
        if (typeof ev.data !== 'string') return; // the EventSource's own error event
        const m = JSON.parse(ev.data) as ServerMessage;
        if (m.type !== type) this.misnamed.push(`${type}: ${ev.data.slice(0, 80)}`);
        this.messages.push(m);
      });
  }
  async next<T extends ServerMessage['type']>(type: T, pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true): Promise<Extract<ServerMessage, { type: T }>> {
    const find = () => this.messages.find((m) => m.type === type && pred(m as Extract<ServerMessage, { type: T }>)) as Extract<ServerMessage, { type: T }> | undefined;
    await until(`an SSE ${type}`, () => find() !== undefined);
    return find()!;
  }
}

let n: Running;
let streamSchemas: Map<string, object>;
let replySchemas: Map<string, object>;
let requestSchemas: Map<string, object>;
beforeAll(async () => {
  n = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '5', HEARTBEAT_MS: '300' });
  const { document } = await parseAsyncApi(JSON.parse((await httpGet(`${n.url}/asyncapi.json`)).text));
  streamSchemas = operationPayloads(document!, 'sseSend');
  replySchemas = replyPayloads(document!, 'sseControl');
  requestSchemas = operationPayloads(document!, 'sseControl');
}, 120_000);
afterAll(() => n.close());

describe('/sse events and control answers against /asyncapi.json', () => {
  it('every event of a stream, a reconnect with since, an idle stream and every control answer validates', async () => {
    const check = new SchemaCheck('draft-07');
    const replies = new FrameCheck(replySchemas, check);
    const requests: object[] = [];
    const control = async (path: string, body: object) => {
      requests.push(body);
      const r = await fetch(n.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await r.json()) as ServerMessage | { type: 'accepted'; id?: number; t: number };
      if (answer.type === 'accepted') {
        expect(check.check(replySchemas.get('accepted')!, answer)).toEqual([]);
        replies.seen.add('accepted');
      } else replies.apply(answer);
      return { status: r.status, answer };
    };

    const q = `symbols=AAPL,MSFT&channels=ticker,trades,candles:1s,book&throttle=0`;
    const a = new Recorder(`${n.url}/sse?${q}`);
    const hello = await a.next('hello');
    const path = hello.control!;
    const kinds = () => new Set(a.messages.flatMap((m) => (m.type === 'update' ? m.items.map((it) => (it.ch.startsWith('candles:') ? 'candles' : it.ch)) : [])));
    await until('updates of ticker, trades, candles and book', () => kinds().size === 4);
    expect((await control(path, { type: 'ping', id: 1, t: 42 })).answer).toMatchObject({ type: 'pong', id: 1, echo: 42 });
    expect((await control(path, { type: 'subscribe', id: 2, symbols: ['NOPE'] })).status).toBe(400);
    // Partly good: `subscribed` in the body, the refusal as an error event on the stream.
    expect((await control(path, { type: 'subscribe', id: 3, symbols: ['AAPL', 'NOPE2'], channels: ['ticker'] })).answer.type).toBe('subscribed');
    await a.next('error', (e) => e.id === 3);
    expect((await control(path, { type: 'snapshot', id: 4, symbols: ['MSFT'], channels: ['book'] })).status).toBe(202);
    const epochs = new Map<string, string>();
    const seqs = new Map<string, number>();
    for (const m of a.messages)
      if (m.type === 'snapshot' || m.type === 'update')
        for (const it of m.items) {
          if (m.type === 'snapshot') epochs.set(`${it.s}|${it.ch}`, (it as SnapshotItem).epoch!);
          seqs.set(`${it.s}|${it.ch}`, it.seq);
        }
    expect((await control(path, { type: 'unsubscribe', id: 5, symbols: ['AAPL', 'MSFT'] })).answer.type).toBe('unsubscribed');
    a.es.close();

    const since: StreamPosition[] = [
      { s: 'MSFT', ch: 'ticker', epoch: epochs.get('MSFT|ticker')!, seq: seqs.get('MSFT|ticker')! },
      { s: 'MSFT', ch: 'trades', epoch: 'not-this-one', seq: seqs.get('MSFT|trades')! },
    ];
    const b = new Recorder(`${n.url}/sse?symbols=MSFT&channels=ticker,trades&since=${encodeURIComponent(JSON.stringify(since))}`);
    const sub = await b.next('subscribed');
    expect(sub.recovered).toEqual([{ s: 'MSFT', ch: 'ticker' }]);
    expect(sub.unrecovered).toEqual([{ s: 'MSFT', ch: 'trades' }]);
    await b.next('snapshot');
    await b.next('update', (u) => u.items.some((it) => it.ch === 'ticker' && it.prev === since[0].seq));
    b.es.close();

    const idle = new Recorder(`${n.url}/sse`);
    await idle.next('heartbeat');
    idle.es.close();

    const events = new FrameCheck(streamSchemas, check);
    for (const m of [...a.messages, ...b.messages, ...idle.messages]) events.apply(m);
    expect([...a.misnamed, ...b.misnamed, ...idle.misnamed]).toEqual([]);
    expect([...events.problems, ...replies.problems]).toEqual([]);
    const seen = new Set([...events.seen, ...replies.seen]);
    expect(EXPECTED.filter((k) => !seen.has(k))).toEqual([]);
    expect(replies.seen).toEqual(new Set(['pong', 'error', 'subscribed', 'accepted', 'unsubscribed']));
    for (const m of requests) expect(check.check(requestSchemas.get((m as { type: string }).type)!, m), JSON.stringify(m)).toEqual([]);
  }, 60_000);
});
