/**
 * Checks captured protocol messages against the payload schemas an AsyncAPI operation gives
 * for their `type`, and records what was covered: message types, the kind of channel of every
 * snapshot and update item, and subscribed replies with recovered / unrecovered.
 */
import type { ServerMessage } from '../../shared/protocol.js';
import type { SchemaCheck } from './doc-schemas.js';

const kindOf = (ch: string) => (ch.startsWith('candles:') ? 'candles' : ch);

export class FrameCheck {
  readonly problems: string[] = [];
  /** `hello`, `update:book`, `subscribed:recovered`, ... */
  readonly seen = new Set<string>();
  constructor(
    private readonly payloads: Map<string, object>,
    private readonly check: SchemaCheck,
  ) {}

  apply(m: ServerMessage): void {
    const schema = this.payloads.get(m.type);
    if (!schema) {
      this.problems.push(`no schema for a ${m.type}`);
      return;
    }
    const errs = this.check.check(schema, m);
    if (errs.length) this.problems.push(`${m.type} ${JSON.stringify(m).slice(0, 300)}: ${errs.join('; ')}`);
    this.seen.add(m.type);
    if (m.type === 'snapshot' || m.type === 'update') for (const it of m.items) this.seen.add(`${m.type}:${kindOf(it.ch)}`);
    if (m.type === 'subscribed') {
      if (m.recovered?.length) this.seen.add('subscribed:recovered');
      if (m.unrecovered?.length) this.seen.add('subscribed:unrecovered');
    }
  }
}

/** What a capture must have covered. */
export const EXPECTED = [
  'hello',
  'subscribed',
  'subscribed:recovered',
  'subscribed:unrecovered',
  'unsubscribed',
  'snapshot:ticker',
  'snapshot:trades',
  'snapshot:candles',
  'snapshot:book',
  'update:ticker',
  'update:trades',
  'update:candles',
  'update:book',
  'heartbeat',
  'pong',
  'error',
];
