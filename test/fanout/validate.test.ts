/** Validation of decoded client messages (validate.ts, pure). */
import { describe, expect, it } from 'vitest';
import { MAX_NAME, parseClientMessage } from '../../server/fanout/validate.js';

const bad = (v: unknown) => {
  const r = parseClientMessage(v);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(v)}`);
  return [r.id, r.message];
};

describe('parseClientMessage', () => {
  it('accepts each message type, dropping duplicate names and null optionals', () => {
    expect(parseClientMessage({ type: 'subscribe', id: 1, symbols: ['A', 'A', 'B'], channels: ['ticker'], throttle: 100, since: [{ s: 'A', ch: 'ticker', epoch: 'e', seq: 3 }] })).toEqual({
      ok: true,
      msg: { type: 'subscribe', id: 1, symbols: ['A', 'B'], channels: ['ticker'], throttle: 100, since: [{ s: 'A', ch: 'ticker', epoch: 'e', seq: 3 }] },
    });
    expect(parseClientMessage({ type: 'unsubscribe', id: null, symbols: ['A'], channels: null })).toEqual({ ok: true, msg: { type: 'unsubscribe', symbols: ['A'] } });
    expect(parseClientMessage({ type: 'snapshot', symbols: ['A'] })).toEqual({ ok: true, msg: { type: 'snapshot', symbols: ['A'] } });
    expect(parseClientMessage({ type: 'ping', t: 5 })).toEqual({ ok: true, msg: { type: 'ping', t: 5 } });
  });

  it('refuses malformed messages with what is wrong, keeping a readable id', () => {
    expect(bad([1])).toEqual([undefined, 'a message must be a map']);
    expect(bad({ type: 'ping', id: 1.5 })).toEqual([undefined, '`id` must be an integer']);
    expect(bad({ id: 3 })).toEqual([3, '`type` must be a string']);
    expect(bad({ type: 'x'.repeat(100), id: 4 })).toEqual([4, `unknown type ${JSON.stringify('x'.repeat(MAX_NAME))}`]);
    expect(bad({ type: 'ping', t: 'now' })[1]).toBe('`t` must be a number');
    expect(bad({ type: 'subscribe', symbols: [] })[1]).toMatch(/`symbols` must be a non-empty array/);
    expect(bad({ type: 'snapshot', symbols: ['A'], channels: [1] })[1]).toMatch(/`channels` must be/);
    expect(bad({ type: 'subscribe', symbols: ['A'], throttle: -1 })[1]).toMatch(/`throttle` must be/);
    expect(bad({ type: 'subscribe', symbols: ['A'], since: [{ s: 'A', ch: 'ticker', epoch: 'e', seq: -1 }] })[1]).toMatch(/`since` must be/);
  });

  it('cuts over-long names in positions so they cost nothing later', () => {
    const r = parseClientMessage({ type: 'subscribe', symbols: ['A'], since: [{ s: 'S'.repeat(99), ch: 'C'.repeat(99), epoch: 'E'.repeat(99), seq: 0 }] });
    expect(r.ok && r.msg.type === 'subscribe' && r.msg.since![0]).toEqual({ s: 'S'.repeat(MAX_NAME + 1), ch: 'C'.repeat(MAX_NAME + 1), epoch: 'E'.repeat(64), seq: 0 });
  });
});
