/**
 * `npm run replay -- FILES... [--speed N|max] [--from T] [--to T] [--loop]`: the short form of
 * `FEED=replay REPLAY_FILES=... npm start` (docs/replay.md). Every other setting comes from the
 * environment as usual; bad values stop the start with one clear line.
 */
const USAGE = 'usage: npm run replay -- FILE|FOLDER... [--speed N|max] [--from TIME] [--to TIME] [--loop]';

export function replayEnv(argv: readonly string[]): Record<string, string> {
  const files: string[] = [];
  const env: Record<string, string> = { FEED: 'replay' };
  const flags: Record<string, string> = { '--speed': 'REPLAY_SPEED', '--from': 'REPLAY_FROM', '--to': 'REPLAY_TO' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (name === '--loop') env.REPLAY_LOOP = 'true';
    else if (name in flags) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      env[flags[name]!] = v;
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else files.push(...a.split(',').filter(Boolean));
  }
  if (files.length === 0) throw new Error('name at least one file or folder');
  env.REPLAY_FILES = files.join(',');
  return env;
}

if (process.argv[1]?.endsWith('replay.ts')) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  try {
    Object.assign(process.env, replayEnv(args));
  } catch (err) {
    console.error(`tickwire replay: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  process.argv.splice(2); // main.ts reads --print-config from argv
  await import('../server/main.js');
}
