/** A compare client over WebSocket: decodes every frame (MessagePack) and tallies it. */
import { unpack } from 'msgpackr';
import { encode } from '../../shared/codec.js';
import { wallNow } from '../bench/clock.js';
import { RawWs } from '../bench/raw-ws.js';
import type { Tally, UpdateMsg } from './tally.js';

export interface CompareClient {
  ping(): void;
  close(): void;
}

export async function openWs(baseUrl: string, symbols: string[], throttle: number, tally: Tally): Promise<CompareClient> {
  let pingId = 0;
  const ws = await RawWs.open(baseUrl.replace(/^http/, 'ws') + '/ws', {
    message(payload, _binary, wire) {
      const m = unpack(payload) as UpdateMsg;
      if (m.type === 'pong' && typeof m.echo === 'number' && typeof m.t === 'number') tally.pong(m.echo, m.t, wallNow());
      tally.message(m, wire);
    },
  });
  ws.send(Buffer.from(encode({ type: 'subscribe', id: 1, symbols, channels: ['ticker'], throttle })));
  return {
    ping: () => ws.send(Buffer.from(encode({ type: 'ping', id: ++pingId, t: wallNow() }))),
    close: () => ws.close(),
  };
}
