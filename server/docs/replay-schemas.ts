/** Schemas of GET/POST /api/replay (protocol 1.2 section 3), for the OpenAPI document. Documentation only. */
import { Type } from 'typebox';
import { ReplayClockFields } from './data-schemas.js';
import { RestError } from './rest-schemas.js';

const Clock = Type.Object(
  { ...ReplayClockFields, t: Type.Number({ description: 'server time of `at`, ms since the Unix epoch' }), control: Type.Boolean({ description: 'extension: whether the caller holds the replay right' }) },
  { description: 'the replay clock now' },
);

export const REPLAY_BODY: unknown = Type.Object(
  {
    action: Type.Enum(['pause', 'resume', 'seek', 'speed'], { type: 'string' }),
    at: Type.Optional(Type.Number({ description: 'seek: market time in ms, within from..to' })),
    speed: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Literal('max')], { description: 'speed: market ms per wall ms, or "max"' })),
  },
  { description: '{action: "pause"} | {action: "resume"} | {action: "seek", at} | {action: "speed", speed}' },
);

export const REPLAY_RESPONSES: unknown = {
  200: Clock,
  400: { ...RestError, description: 'a body that is not one of the actions (`bad_request`)' },
  401: { ...RestError, description: 'a token is required (`unauthorized`) or expired (`token_expired`)' },
  403: { ...RestError, description: 'the caller does not hold the replay right (`forbidden`)' },
  404: { ...RestError, description: 'the server is not replaying (`not_found`)' },
};
