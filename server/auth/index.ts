/** Authentication and entitlements: the public surface of server/auth/. */
export { authenticatorFromConfig, createAuthenticator, readPublicKeyFile, requestToken } from './authenticator.js';
export type { AuthFailure, AuthResult, Authenticator, AuthenticatorOptions, Principal } from './authenticator.js';
export { FULL_RIGHTS, isPattern, parseClaims, rightsOf } from './entitlements.js';
export type { Grant, Rights } from './entitlements.js';
export { CLOCK_LEEWAY_S } from './jwt.js';
export { checkRefresh, cutoffAt, entitledPart, ExpiryQueue, forbiddenMessage, narrowTo, parseRefresh, refreshOutcome } from './session-rights.js';
export type { Entitled, Forbidden, Narrowing, RefreshMsg, RefreshOutcome, StreamRef } from './session-rights.js';
