import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { authenticatorFromConfig, createAuthenticator, readPublicKeyFile, requestToken } from '../../server/auth/authenticator.js';

const SECRET = 'a-test-secret-that-is-32-bytes-long!!';
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const mint = (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));

describe('Authenticator', () => {
  it('is disabled and grants everything on an open server', async () => {
    const a = createAuthenticator({ tokens: [] });
    expect(a.enabled).toBe(false);
    const r = await a.authenticate(undefined);
    expect(r.ok && r.principal.rights.full).toBe(true);
    expect(r.ok && r.principal.expires).toBeUndefined();
  });

  it('gives static tokens full rights and no expiry, and refuses others', async () => {
    const a = createAuthenticator({ tokens: ['abc', 'def'] });
    expect(a.enabled).toBe(true);
    const r = await a.authenticate('def');
    expect(r).toMatchObject({ ok: true, principal: { rights: { full: true } } });
    expect(r.ok && r.principal.expires).toBeUndefined();
    const r2 = await a.authenticate('abc');
    expect(r.ok && r2.ok && r.principal.owner !== r2.principal.owner && r.principal.owner!.length > 20).toBe(true);
    expect(await a.authenticate('abcd')).toEqual({ ok: false, reason: 'invalid', message: 'invalid token' });
    expect(await a.authenticate(undefined)).toMatchObject({ ok: false, reason: 'missing' });
    expect(await a.authenticate('')).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('turns a JWT into a principal with sub, expires in ms and its rights', async () => {
    const a = createAuthenticator({ tokens: [], jwtSecret: SECRET, now: () => NOW });
    const exp = Math.floor(NOW / 1000) + 60;
    const r = await a.authenticate(await mint({ sub: 'ann', exp, symbols: ['BTC-*'], channels: ['ticker'] }));
    if (!r.ok) throw new Error(r.message);
    expect(r.principal.sub).toBe('ann');
    expect(r.principal.owner).toBe('sub:ann');
    expect(r.principal.expires).toBe(exp * 1000);
    expect(r.principal.rights.allows('BTC-USD', 'ticker')).toBe(true);
    expect(r.principal.rights.allows('AAPL', 'ticker')).toBe(false);
    expect(a.leewayMs).toBe(30_000);
  });

  it('keeps static tokens working beside JWTs', async () => {
    const a = createAuthenticator({ tokens: ['abc'], jwtSecret: SECRET, now: () => NOW });
    expect((await a.authenticate('abc')).ok).toBe(true);
    expect((await a.authenticate(await mint({ exp: Math.floor(NOW / 1000) + 60 }))).ok).toBe(true);
    expect(await a.authenticate('abd')).toMatchObject({ ok: false, reason: 'invalid', message: 'token is not a valid JWT' });
  });

  it('reports expired, not-yet-valid and bad-claims tokens by reason, using the injected clock', async () => {
    let now = NOW;
    const a = createAuthenticator({ tokens: [], jwtSecret: SECRET, now: () => now });
    const t = await mint({ exp: Math.floor(NOW / 1000) + 60, nbf: Math.floor(NOW / 1000) + 40 });
    expect(await a.authenticate(t)).toMatchObject({ ok: false, reason: 'not_yet_valid' });
    now = NOW + 45_000;
    expect((await a.authenticate(t)).ok).toBe(true);
    now = NOW + 91_000;
    expect(await a.authenticate(t)).toMatchObject({ ok: false, reason: 'expired' });
    now = NOW;
    expect(await a.authenticate(await mint({ exp: Math.floor(NOW / 1000) + 60, symbols: 'AAPL' }))).toEqual({ ok: false, reason: 'invalid', message: 'claim `symbols` must be a list of patterns' });
  });

  it('reads the public key file once, with an error naming the setting and path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-auth-'));
    const file = join(dir, 'key.pem');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(file, ec.publicKey.export({ type: 'spki', format: 'pem' }));
    const a = authenticatorFromConfig({ authTokens: [], authJwtPublicKey: file }, () => NOW);
    const t = await new SignJWT({ sub: 'e', exp: Math.floor(NOW / 1000) + 60 }).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey);
    expect(await a.authenticate(t)).toMatchObject({ ok: true, principal: { sub: 'e' } });
    expect(() => readPublicKeyFile(join(dir, 'nope.pem'))).toThrow(`AUTH_JWT_PUBLIC_KEY: cannot read ${join(dir, 'nope.pem')}: ENOENT`);
    writeFileSync(file, 'garbage');
    expect(() => authenticatorFromConfig({ authTokens: [], authJwtPublicKey: file })).toThrow(/AUTH_JWT_PUBLIC_KEY is not a PEM public key/);
  });
});

describe('requestToken', () => {
  it('takes a non-empty token= string first, then a Bearer header', () => {
    expect(requestToken({ token: 'q' }, 'Bearer h')).toBe('q');
    expect(requestToken({ token: '' }, 'Bearer h')).toBe('h');
    expect(requestToken({ token: ['a', 'b'] }, undefined)).toBeUndefined();
    expect(requestToken({}, 'bearer  h2 ')).toBe('h2');
    expect(requestToken(undefined, 'Basic xyz')).toBeUndefined();
    expect(requestToken(Object.create({ token: 'inherited' }), undefined)).toBeUndefined();
  });
});
