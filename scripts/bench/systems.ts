/**
 * The systems a bench run compares, as the load client sees them: how to start each server,
 * where to connect, how to subscribe, and how to count the updates in a message cheaply.
 * Counting never decodes: Tickwire's MessagePack header is peeked for the item count, the
 * baselines' JSON text is recognised by a byte at a fixed offset. Only sampled messages are
 * decoded, to read each update's source time `ts` (data age).
 */
import { unpack } from 'msgpackr';
import { encode } from '../../shared/codec.js';
import { peek } from './msgpack-peek.js';
import type { RawWs } from './raw-ws.js';

export type SystemName = 'tickwire' | 'tutorial' | 'socketio';

/** One connection's view of its subscription. */
export interface Conn {
  ws: RawWs;
  symbols: string[];
  throttle: number;
  /** Set once the server confirmed the subscription. */
  subscribed: boolean;
}

export interface System {
  name: SystemName;
  script: string;
  /** Path (and query) of the WebSocket endpoint. */
  path: string;
  /** Called once the socket is open. */
  open(c: Conn): void;
  /**
   * One message: returns how many updates it carries (0 for anything else). When `sample`,
   * calls `ts(x)` with the source time of each update it carries.
   */
  message(c: Conn, payload: Buffer, binary: boolean, sample: boolean, ts: (x: number) => void): number;
}

const C_T = 0x74; // 't'
const C_S = 0x73; // 's'

export const tickwire: System = {
  name: 'tickwire',
  script: 'server/main.ts',
  path: '/ws',
  open(c) {
    c.ws.send(Buffer.from(encode({ type: 'subscribe', id: 1, symbols: c.symbols, channels: ['ticker'], throttle: c.throttle })));
  },
  message(c, payload, _binary, sample, ts) {
    const p = peek(payload);
    if (!p) return 0;
    if (p.type === 'update') {
      if (sample) {
        const m = unpack(payload) as { items: { d: { ts?: number } }[] };
        for (const it of m.items) if (typeof it.d.ts === 'number') ts(it.d.ts);
      }
      return p.items;
    }
    if (p.type === 'subscribed') c.subscribed = true;
    return 0;
  },
};

/** bench/baselines/tutorial-server.ts: `{"type":"ticker",...}` per update; byte 9 tells the type. */
export const tutorial: System = {
  name: 'tutorial',
  script: 'bench/baselines/tutorial-server.ts',
  path: '/',
  open(c) {
    c.ws.send(JSON.stringify({ type: 'subscribe', symbols: c.symbols, throttle: c.throttle }));
  },
  message(c, payload, _binary, sample, ts) {
    if (payload[9] === C_T) {
      if (sample) ts(JSON.parse(payload.toString()).ts);
      return 1;
    }
    if (payload[9] === C_S) c.subscribed = true;
    return 0;
  },
};

/**
 * bench/baselines/socketio-server.ts over raw Engine.IO v4 packets: `0` open (answer `40`:
 * join the namespace), `40` joined (then subscribe), `2` ping (answer `3`), `42[...]` events.
 */
export const socketio: System = {
  name: 'socketio',
  script: 'bench/baselines/socketio-server.ts',
  path: '/socket.io/?EIO=4&transport=websocket',
  open() {
    // wait for the Engine.IO open packet
  },
  message(c, payload, _binary, sample, ts) {
    const p0 = payload[0];
    if (p0 === 0x34 && payload[1] === 0x32) {
      // 42["ticker",{...}] / 42["subscribed",{...}]: byte 4 tells the event
      if (payload[4] === C_T) {
        if (sample) ts(JSON.parse(payload.toString('utf8', 2))[1].ts);
        return 1;
      }
      if (payload[4] === C_S) c.subscribed = true;
      return 0;
    }
    if (p0 === 0x32 && payload.length === 1) c.ws.send('3');
    else if (p0 === 0x30) c.ws.send('40');
    else if (p0 === 0x34 && payload[1] === 0x30) c.ws.send(`42${JSON.stringify(['subscribe', { symbols: c.symbols, throttle: c.throttle }])}`);
    return 0;
  },
};

export const SYSTEMS: Record<SystemName, System> = { tickwire, tutorial, socketio };
