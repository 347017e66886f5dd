/** RECORD_DIR and RECORD_EXCHANGE: the recorder of a node's feed, or undefined when not recording. */
import { ConfigError, type Config } from '../config.js';
import type { TickSource } from '../feed/tick-source.js';
import { Recorder } from './recorder.js';

/** Call before the feed starts: the recorder takes the source's books as they stand. */
export function recorderFor(config: Config, feed: TickSource): Recorder | undefined {
  if (!config.recordDir) return undefined;
  const formats = new Map(feed.instruments.map((i) => [i.symbol, { decimals: i.decimals, sizeDecimals: i.sizeDecimals }]));
  let r: Recorder;
  try {
    r = new Recorder({ dir: config.recordDir, exchange: config.recordExchange, formats });
  } catch (err) {
    throw new ConfigError(`RECORD_DIR: cannot create ${config.recordDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  r.books((s) => feed.history(s).book);
  return r;
}
