/** The hello (hello.ts): pure, fields by protocol version. */
import { describe, expect, it } from 'vitest';
import { CHANNELS, PROTOCOL_MINOR, PROTOCOL_VERSION } from '../../shared/protocol.js';
import { hello } from '../../server/fanout/hello.js';
import { TEST_LIMITS } from '../helpers/hub.js';

const FULL = { allowsChannel: () => true } as never;

describe('hello', () => {
  it('names the session, heartbeat, channels, limits and history (zeros when none is kept)', () => {
    expect(hello({ heartbeatMs: 15000, limits: TEST_LIMITS }, { id: 'x' }, 123)).toEqual({
      type: 'hello',
      v: PROTOCOL_VERSION,
      minor: PROTOCOL_MINOR,
      session: 'x',
      t: 123,
      heartbeat: 15000,
      channels: [...CHANNELS],
      limits: TEST_LIMITS,
      history: { ms: 0, trades: 0 },
    });
  });

  it('adds book depth, the token expiry, the market clock and a transport\'s fields only when there are some', () => {
    const clock = { state: 'playing', speed: 2, at: 5, control: false } as never;
    const h = hello({ heartbeatMs: 1, limits: TEST_LIMITS, history: { ms: 60_000, trades: 500 }, book: { depth: 10 } }, { id: 'x', principal: { expires: 99, rights: FULL } }, 1, clock, { heartbeat: 7 });
    expect(h).toMatchObject({ history: { ms: 60_000, trades: 500 }, book: { depth: 10 }, expires: 99, clock, heartbeat: 7 });
    expect('expires' in hello({ heartbeatMs: 1, limits: TEST_LIMITS }, { id: 'x', principal: { rights: FULL } }, 1)).toBe(false);
  });
});
