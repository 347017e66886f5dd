/** Recovery over SSE (protocol 1.1): `since` in the GET /sse query and in the control POST's subscribe. */
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage, SnapshotItem, StreamPosition, SubscribedMsg, Trade, UpdateMsg } from '../../shared/protocol.js';
import { startNode, type Running } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

const TYPES = ['hello', 'subscribed', 'snapshot', 'update', 'error'] as const;

/** An EventSource recording every message, and the positions and trade ids they bring. */
class Sse {
  readonly es: EventSource;
  readonly messages: ServerMessage[] = [];
  constructor(url: string, readonly pos = new Map<string, { epoch: string; seq: number }>(), readonly ids: number[] = []) {
    this.es = new EventSource(url);
    for (const t of TYPES)
      this.es.addEventListener(t, (ev: MessageEvent) => {
        if (typeof ev.data !== 'string') return;
        const m = JSON.parse(ev.data) as ServerMessage;
        this.messages.push(m);
        if (m.type !== 'snapshot' && m.type !== 'update') return;
        for (const it of m.items) {
          const k = `${it.s}|${it.ch}`;
          this.pos.set(k, { epoch: m.type === 'snapshot' ? (it as SnapshotItem).epoch! : this.pos.get(k)!.epoch, seq: it.seq });
          if (it.ch === 'trades') {
            if (m.type === 'snapshot') this.ids.length = 0;
            this.ids.push(...(it.d as Trade[]).map((x) => x.id));
          }
        }
      });
  }
  async first<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
    await until(`an SSE ${type}`, () => this.messages.some((m) => m.type === type));
    return this.messages.find((m) => m.type === type) as Extract<ServerMessage, { type: T }>;
  }
  positions(): StreamPosition[] {
    return [...this.pos].map(([k, v]) => ({ s: k.split('|')[0], ch: k.split('|')[1], ...v }));
  }
}

let n: Running;
beforeAll(async () => (n = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '6', LIMIT_NEW_CONNECTIONS: '0' })));
afterAll(() => n.close());

const tradesSeq = async () => ((await (await fetch(`${n.url}/api/snapshot?symbols=AAPL&channels=trades`)).json()) as { items: { seq: number }[] }).items[0].seq;

async function disconnected(): Promise<{ held: StreamPosition[]; ids: number[] }> {
  const a = new Sse(`${n.url}/sse?symbols=AAPL&channels=ticker,trades`);
  await until('trades before the disconnect', () => a.ids.length > 3);
  a.es.close();
  const held = a.positions();
  const t = held.find((p) => p.ch === 'trades')!.seq;
  await until('trades while away', async () => (await tradesSeq()) > t + 5);
  return { held, ids: a.ids };
}

function contiguous(ids: number[]): void {
  expect(ids.length).toBeGreaterThan(8);
  ids.forEach((id, i) => i && expect(id).toBe(ids[i - 1] + 1));
}

describe('SSE recovery', () => {
  it('resumes with since in the GET /sse query', async () => {
    const { held, ids } = await disconnected();
    const q = `symbols=AAPL&channels=ticker,trades&since=${encodeURIComponent(JSON.stringify(held))}`;
    const b = new Sse(`${n.url}/sse?${q}`, new Map(held.map((p) => [`${p.s}|${p.ch}`, { epoch: p.epoch, seq: p.seq }])), [...ids]);
    const sub = (await b.first('subscribed')) as SubscribedMsg;
    expect(sub.recovered).toHaveLength(2);
    expect(sub.unrecovered).toEqual([]);
    const upd = (await b.first('update')) as UpdateMsg;
    expect(b.messages.indexOf(upd)).toBeLessThan(b.messages.findIndex((m) => m.type === 'snapshot') >>> 0);
    for (const it of upd.items) expect(it.prev).toBe(held.find((p) => p.ch === it.ch)!.seq);
    await until('live trades after', () => b.ids.length > ids.length + 3);
    contiguous(b.ids);
    b.es.close();
  });

  it('resumes with since in the control POST subscribe', async () => {
    const { held, ids } = await disconnected();
    const b = new Sse(`${n.url}/sse`, new Map(held.map((p) => [`${p.s}|${p.ch}`, { epoch: p.epoch, seq: p.seq }])), [...ids]);
    const hello = await b.first('hello');
    const res = await fetch(n.url + hello.control!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'subscribe', id: 3, symbols: ['AAPL'], channels: ['ticker', 'trades'], since: held }),
    });
    expect(res.status).toBe(200);
    const sub = (await res.json()) as SubscribedMsg;
    expect(sub).toMatchObject({ type: 'subscribed', id: 3 });
    expect(sub.recovered).toHaveLength(2);
    const upd = (await b.first('update')) as UpdateMsg;
    for (const it of upd.items) expect(it.prev).toBe(held.find((p) => p.ch === it.ch)!.seq);
    await until('live trades after', () => b.ids.length > ids.length + 3);
    contiguous(b.ids);
    expect(b.messages.filter((m) => m.type === 'snapshot')).toEqual([]);
    b.es.close();
  });
});
