import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../server/auth/authenticator.js';
import { FULL_RIGHTS, rightsOf } from '../../server/auth/entitlements.js';
import { checkRefresh, cutoffAt, entitledPart, ExpiryQueue, forbiddenMessage, narrowTo, parseRefresh, refreshOutcome } from '../../server/auth/session-rights.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/jwt.js';

const limited = rightsOf({ symbols: ['AAPL', 'BTC-*'], channels: ['ticker', 'candles:*'] });

describe('entitledPart', () => {
  it('keeps the covered part and lists the refused names', () => {
    expect(entitledPart(limited, ['AAPL', 'MSFT', 'BTC-USD', 'NOPE'], ['ticker', 'trades', 'candles:1m'])).toEqual({
      symbols: ['AAPL', 'BTC-USD'],
      channels: ['ticker', 'candles:1m'],
      forbidden: { symbols: ['MSFT', 'NOPE'], channels: ['trades'] },
    });
  });

  it('passes everything through without rights or with full rights', () => {
    for (const r of [undefined, FULL_RIGHTS]) expect(entitledPart(r, ['X'], undefined, ['ticker'])).toEqual({ symbols: ['X'], channels: undefined });
  });

  it('checks the defaults when no channel is named, and keeps them implicit when covered', () => {
    expect(entitledPart(limited, ['AAPL'], undefined, ['ticker'])).toEqual({ symbols: ['AAPL'], channels: undefined });
    const tradesOnly = rightsOf({ channels: ['trades'] });
    expect(entitledPart(tradesOnly, ['AAPL'], undefined, ['ticker'])).toEqual({ symbols: ['AAPL'], channels: [], forbidden: { channels: ['ticker'] } });
    expect(entitledPart(tradesOnly, ['AAPL'], undefined)).toEqual({ symbols: ['AAPL'], channels: undefined });
  });

  it('leaves names that are no channel for unknown_channel, not forbidden', () => {
    expect(entitledPart(limited, ['AAPL'], ['ticker', 'toString', 'book'])).toEqual({ symbols: ['AAPL'], channels: ['ticker', 'toString'], forbidden: { channels: ['book'] } });
  });

  it('can leave nothing: every symbol refused', () => {
    expect(entitledPart(limited, ['MSFT'], ['ticker'])).toEqual({ symbols: [], channels: ['ticker'], forbidden: { symbols: ['MSFT'] } });
  });
});

describe('narrowTo', () => {
  const held = [
    { s: 'AAPL', ch: 'ticker', id: 1 },
    { s: 'AAPL', ch: 'trades', id: 2 },
    { s: 'BTC-USD', ch: 'candles:1m', id: 3 },
    { s: 'MSFT', ch: 'ticker', id: 4 },
    { s: 'MSFT', ch: 'trades', id: 5 },
  ];

  it('drops the streams the new rights do not cover and says why', () => {
    const n = narrowTo(limited, held);
    expect(n.drop.map((x) => x.id)).toEqual([2, 4, 5]);
    expect(n.forbidden).toEqual({ symbols: ['MSFT'], channels: ['trades'] });
  });

  it('drops nothing for full rights or rights that still cover everything', () => {
    expect(narrowTo(FULL_RIGHTS, held)).toEqual({ drop: [] });
    expect(narrowTo(rightsOf({ symbols: ['*'], channels: ['ticker', 'trades', 'candles:1m'] }), held)).toEqual({ drop: [] });
  });
});

describe('checkRefresh and cutoffAt', () => {
  it('refuses a token for another subject, allows renewals and first subjects', () => {
    const ann = { sub: 'ann', expires: 1, rights: limited };
    expect(checkRefresh(ann, { sub: 'ann', expires: 2, rights: FULL_RIGHTS })).toEqual({ ok: true });
    expect(checkRefresh(ann, { sub: 'bob', expires: 2, rights: FULL_RIGHTS })).toMatchObject({ ok: false, message: expect.stringMatching(/same subject/) });
    expect(checkRefresh(ann, { expires: 2, rights: FULL_RIGHTS }).ok).toBe(false);
    expect(checkRefresh({ rights: FULL_RIGHTS }, ann)).toEqual({ ok: true });
    expect(checkRefresh(undefined, ann)).toEqual({ ok: true });
  });

  it('cuts at exp plus the leeway, never without exp', () => {
    expect(cutoffAt({ expires: 1000, rights: limited }, 30_000)).toBe(31_000);
    expect(cutoffAt({ rights: FULL_RIGHTS }, 30_000)).toBeUndefined();
    expect(cutoffAt(undefined, 30_000)).toBeUndefined();
  });
});

describe('ExpiryQueue', () => {
  it('returns due items once, earliest first, and nothing before the earliest cutoff', () => {
    const q = new ExpiryQueue<string>();
    q.set('c', 300);
    q.set('a', 100);
    q.set('b', 200);
    q.set('never', undefined);
    expect(q.size).toBe(3);
    expect(q.due(99)).toEqual([]);
    expect(q.due(250)).toEqual(['a', 'b']);
    expect(q.due(250)).toEqual([]);
    expect(q.size).toBe(1);
    expect(q.due(1000)).toEqual(['c']);
    expect(q.size).toBe(0);
  });

  it('follows replacements (a refresh) and removals (a close)', () => {
    const q = new ExpiryQueue<string>();
    q.set('a', 100);
    q.set('b', 100);
    q.set('a', 500);
    q.delete('b');
    expect(q.due(200)).toEqual([]);
    q.set('a', undefined);
    expect(q.due(10_000)).toEqual([]);
    q.set('x', 50);
    expect(q.due(60)).toEqual(['x']);
  });
});

describe('forbiddenMessage', () => {
  it('names what is refused', () => {
    expect(forbiddenMessage({ symbols: ['MSFT'], channels: ['trades'] })).toBe('not entitled to symbol(s) "MSFT" and channel(s) "trades"');
    expect(forbiddenMessage({ channels: ['book'] })).toBe('not entitled to channel(s) "book"');
  });
});

describe('refresh', () => {
  const NOW = Date.UTC(2026, 11, 1, 12);
  const auth = createAuthenticator({ tokens: ['static'], jwtSecret: TEST_JWT_SECRET, now: () => NOW });
  const held = [
    { s: 'AAPL', ch: 'ticker' },
    { s: 'MSFT', ch: 'ticker' },
  ];

  it('parses a refresh message', () => {
    expect(parseRefresh({ type: 'refresh', token: 'abc' }, 3)).toEqual({ ok: true, msg: { type: 'refresh', id: 3, token: 'abc' } });
    expect(parseRefresh({ type: 'refresh' }, undefined)).toMatchObject({ ok: false });
    expect(parseRefresh({ type: 'refresh', token: 7 }, undefined)).toMatchObject({ ok: false });
    expect(parseRefresh({ type: 'refresh', token: 'x'.repeat(9000) }, undefined)).toMatchObject({ ok: false, message: expect.stringMatching(/longer than 8192/) });
    expect(parseRefresh(Object.create({ token: 'inherited' }), undefined)).toMatchObject({ ok: false });
  });

  it('replaces the principal, moves the cutoff and drops what the new rights do not cover', async () => {
    const current = { sub: 'ann', expires: NOW + 1000, rights: FULL_RIGHTS };
    const token = await mintToken({ sub: 'ann', symbols: ['AAPL'] }, { nowMs: NOW, expInS: 600 });
    const r = await refreshOutcome(auth, current, token, held);
    if (!r.ok) throw new Error(r.message);
    expect(r.principal.expires).toBe((Math.floor(NOW / 1000) + 600) * 1000);
    expect(r.cutoff).toBe(r.principal.expires! + 30_000);
    expect(r.drop).toEqual([{ s: 'MSFT', ch: 'ticker' }]);
    expect(r.forbidden).toEqual({ symbols: ['MSFT'] });
  });

  it('refuses a bad, expired or other-subject token and changes nothing', async () => {
    const current = { sub: 'ann', expires: NOW + 1000, rights: FULL_RIGHTS };
    expect(await refreshOutcome(auth, current, 'garbage', held)).toMatchObject({ ok: false, message: 'token is not a valid JWT' });
    expect(await refreshOutcome(auth, current, await mintToken({ sub: 'ann' }, { nowMs: NOW, expInS: -60 }), held)).toMatchObject({ ok: false, message: 'token expired' });
    expect(await refreshOutcome(auth, current, await mintToken({ sub: 'bob' }, { nowMs: NOW }), held)).toMatchObject({ ok: false, message: expect.stringMatching(/same subject/) });
  });

  it('a static token refresh gives full rights and no cutoff', async () => {
    const r = await refreshOutcome(auth, { rights: FULL_RIGHTS }, 'static', held);
    expect(r).toMatchObject({ ok: true, cutoff: undefined, drop: [] });
  });
});
