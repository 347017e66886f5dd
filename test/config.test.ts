/**
 * Configuration: every setting's value and source (`--print-config`), and a bad value stopping
 * the start with one line naming the setting and what it takes (exit code 2).
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatSettings, loadConfig, readSettings, SETTINGS } from '../server/config.js';

const ROOT = new URL('..', import.meta.url).pathname;
const TSX = new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url).pathname;

/**
 * `server/main.ts` under tsx with only these variables set (the rest of the environment cleared
 * of ours). Asynchronous, so that the start-ups below run side by side.
 */
function runMain(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SETTINGS.some((s) => s.env === k)));
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [TSX, 'server/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...clean, ...env }, timeout: 60_000 }, (_err, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }));
  });
}

describe('settings', () => {
  it('gives every setting with its default, and says which came from the environment', () => {
    const values = readSettings({ FEED_RATE: '20', AUTH_TOKENS: 'a,b', REDIS_URL: 'redis://:pw@cache:6379' });
    expect(values.map((v) => v.env)).toEqual(SETTINGS.map((s) => s.env));
    expect(values.find((v) => v.env === 'PORT')).toMatchObject({ value: 8080, source: 'default' });
    expect(values.find((v) => v.env === 'FEED_RATE')).toMatchObject({ value: 20, source: 'environment' });
    const text = formatSettings(values);
    expect(text).toMatch(/^FEED_RATE=20 +\(environment\)$/m);
    expect(text).toMatch(/^PORT=8080 +\(default\)$/m);
    // Secrets are not printed; a URL's password is masked.
    expect(text).toMatch(/^AUTH_TOKENS=\(set, hidden\) +\(environment\)$/m);
    expect(text).not.toMatch(/pw/);
    expect(text).toMatch(/REDIS_URL=redis:\/\/:\*\*\*@cache:6379/);
  });

  it.each([
    ['FEED_RATE', 'abc', 'FEED_RATE must be a number from 0.1 to 1000, got "abc"'],
    ['PORT', '-1', 'PORT must be an integer from 0 to 65535, got "-1"'],
    ['BOOK_DEPTH', '3', 'BOOK_DEPTH must be an integer from 10 to 100, got "3"'],
    ['FEED_SYMBOLS', '2.5', 'FEED_SYMBOLS must be an integer from 1 to 10000, got "2.5"'],
    ['DOCS', 'abc', 'DOCS must be one of on, off, got "abc"'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    ['AUTH_TOKENS', ',', undefined],
  ])('%s=%s', (name, raw, message) => {
    if (message === undefined) return void expect(loadConfig({ [name]: raw }).authTokens).toEqual([]);
    expect(() => loadConfig({ [name]: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: raw })).toThrow(message);
  });

  it('reads the Sentinel settings, shows them (passwords hidden), and refuses bad or lone ones', () => {
    const env = { REDIS_SENTINELS: '10.0.0.1:26379, [::1]:26380', REDIS_SENTINEL_MASTER: 'tw', REDIS_PASSWORD: 'pw', REDIS_SENTINEL_PASSWORD: 'spw' };
    expect(loadConfig(env)).toMatchObject({ redisSentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '::1', port: 26380 }], redisSentinelMaster: 'tw', redisPassword: 'pw' });
    const text = formatSettings(readSettings(env));
    expect(text).toMatch(/^REDIS_SENTINELS=10\.0\.0\.1:26379,\[::1\]:26380 +\(environment\)$/m);
    expect(text).toMatch(/^REDIS_PASSWORD=\(set, hidden\) +\(environment\)$/m);
    expect(text).not.toMatch(/spw/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'a:26379' })).toThrow('REDIS_SENTINELS and REDIS_SENTINEL_MASTER must be set together');
    expect(() => loadConfig({ ...env, REDIS_SENTINELS: 'a:99999' })).toThrow('REDIS_SENTINELS must be a comma-separated list of host:port, got "a:99999"');
    expect(() => loadConfig({ ...env, REDIS_SENTINEL_MASTER: 'my master' })).toThrow(ConfigError);
  });

  it('never echoes a secret in an error', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'x', AUTH_JWT_SECRET: 'short' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ HEARTBEAT_MS: 'x'.repeat(10_000) })).toThrow(/^HEARTBEAT_MS must be a number from 100 to 600000, got "x{64}\.\.\."$/);
  });
});

describe.concurrent('npm start', { timeout: 120_000 }, () => {
  it('--print-config prints every setting and exits 0 without serving', async () => {
    const r = await runMain(['--print-config'], { BOOK_DEPTH: '50' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(SETTINGS.length);
    expect(r.stdout).toMatch(/^BOOK_DEPTH=50 +\(environment\)$/m);
    expect(r.stdout).toMatch(/^ROLE=all +\(default\)$/m);
  });

  it.each([
    [{ FEED_RATE: 'abc' }, /^tickwire: FEED_RATE must be a number from 0\.1 to 1000, got "abc"$/],
    [{ PORT: '-1' }, /^tickwire: PORT must be an integer from 0 to 65535, got "-1"$/],
    [{ BOOK_DEPTH: '3' }, /^tickwire: BOOK_DEPTH must be an integer from 10 to 100, got "3"$/],
    [{ AUTH_JWT_SECRET: 'too-short' }, /^tickwire: AUTH_JWT_SECRET must be at least 32 bytes long/],
  ])('stops on %o with one clear line and exit code 2', async (env, line) => {
    const r = await runMain([], { PORT: '0', HOST: '127.0.0.1', ...env });
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(line);
  });
});
