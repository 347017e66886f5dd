import { describe, expect, it } from 'vitest';
import { ConfigError, formatSettings, loadConfig, readSettings } from '../../server/config.js';
import { createRoleNode } from '../../server/node/by-role.js';

describe('replay and recording settings', () => {
  it('take FEED, REPLAY_* and RECORD_* and show them in --print-config', () => {
    const c = loadConfig({ FEED: 'replay', REPLAY_FILES: 'a.csv.gz, dir', REPLAY_SPEED: 'max', REPLAY_FROM: '2025-01-02T10:00:00Z', REPLAY_TO: '1735900000000', REPLAY_LOOP: 'true', RECORD_DIR: '/tmp/rec' });
    expect(c).toMatchObject({ feed: 'replay', replayFiles: ['a.csv.gz', 'dir'], replaySpeed: 'max', replayFrom: Date.parse('2025-01-02T10:00:00Z'), replayTo: 1735900000000, replayLoop: true, recordDir: '/tmp/rec', recordExchange: 'tickwire' });
    expect(loadConfig({}).feed).toBe('sim');
    expect(loadConfig({ REPLAY_SPEED: '2.5' }).replaySpeed).toBe(2.5);
    const shown = formatSettings(readSettings({ REPLAY_FROM: '1735689600000' }));
    expect(shown).toMatch(/REPLAY_FROM=2025-01-01T00:00:00.000Z\s+\(environment\)/);
    expect(shown).toMatch(/REPLAY_SPEED=1\s+\(default\)/);
  });

  it('stop on a bad value with one line naming the variable', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ FEED: 'live' }, /^FEED must be one of sim, replay, got "live"$/],
      [{ REPLAY_SPEED: '0' }, /^REPLAY_SPEED must be a number > 0 or max, got "0"$/],
      [{ REPLAY_SPEED: 'fast' }, /^REPLAY_SPEED must be a number > 0 or max/],
      [{ REPLAY_FROM: 'yesterday' }, /^REPLAY_FROM must be a time: ms since the epoch or ISO 8601/],
      [{ REPLAY_LOOP: 'yes' }, /^REPLAY_LOOP must be true or false/],
      [{ RECORD_EXCHANGE: 'My Exchange' }, /^RECORD_EXCHANGE must be a lowercase name/],
    ];
    for (const [env, msg] of bad) {
      const err = (() => {
        try {
          loadConfig(env);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('stop FEED=replay without files, or with a file that is missing, with a ConfigError naming it', async () => {
    const base = { ...loadConfig({ LOG_LEVEL: 'silent', FEED: 'replay' }), port: 0 };
    await expect(createRoleNode(base)).rejects.toThrow(/^REPLAY_FILES must name at least one file/);
    await expect(createRoleNode({ ...base, replayFiles: ['/nonexistent/x.csv'] })).rejects.toThrow(new ConfigError('REPLAY_FILES: /nonexistent/x.csv: no such file or folder'));
  });
});
