/** How a control POST on an SSE session is answered (pure). */
import { describe, expect, it } from 'vitest';
import { controlAnswer } from '../../server/transports/sse-answer.js';

describe('controlAnswer', () => {
  const now = 1;
  const err = (code: 'unknown_symbol' | 'unknown_channel' | 'bad_request', extra = {}) => ({ type: 'error' as const, code, message: '', t: now, ...extra });
  it('takes the first non-error reply as the body and sends the rest on the stream', () => {
    const subscribed = { type: 'subscribed' as const, symbols: ['A'], channels: ['ticker' as const], throttle: 0, t: now };
    const e = err('unknown_symbol', { symbols: ['B'] });
    expect(controlAnswer({ type: 'subscribe' }, [subscribed, e], now)).toEqual({ status: 200, body: subscribed, onStream: [e] });
    expect(controlAnswer({ type: 'subscribe' }, [e], now)).toEqual({ status: 400, body: e, onStream: [] });
  });
  it('acknowledges a snapshot request with 202 unless nothing of it took effect', () => {
    expect(controlAnswer({ type: 'snapshot', id: 2, symbols: ['A'] }, [], now)).toEqual({ status: 202, body: { type: 'accepted', id: 2, t: now }, onStream: [] });
    const some = err('unknown_symbol', { symbols: ['B'] });
    expect(controlAnswer({ type: 'snapshot', symbols: ['A', 'B'] }, [some], now)).toMatchObject({ status: 202, onStream: [some] });
    expect(controlAnswer({ type: 'snapshot', symbols: ['B'] }, [some], now)).toMatchObject({ status: 400, body: some });
    const ch = err('unknown_channel', { channels: ['x'] });
    expect(controlAnswer({ type: 'snapshot', symbols: ['A'], channels: ['x'] }, [ch], now)).toMatchObject({ status: 400, body: ch });
    expect(controlAnswer({ type: 'snapshot', symbols: 'A' }, [err('bad_request')], now)).toMatchObject({ status: 400 });
  });
});
