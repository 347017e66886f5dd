/** The one place the dashboard makes MarketClients: same origin, the browser's WebSocket and EventSource. */
import { MarketClient } from '../../../shared/client/index.js';
import type { MarketClientApi, TransportChoice } from '../../../shared/client/types.js';

let token: string | undefined;

/** Sets the token later clients connect with. */
export function setClientToken(t: string | undefined): void {
  token = t;
}

export const getClientToken = (): string | undefined => token;

/**
 * A trader's screen comes back within seconds of its server: backoff capped at 5 s (the client's
 * default, 30 s, suits unattended programs); full jitter still spreads many tabs' reconnects.
 */
export const DASHBOARD_MAX_DELAY_MS = 5000;

export function createClient(transport: TransportChoice): MarketClientApi {
  return new MarketClient({ urls: location.origin, transport, pingMs: 5000, token, maxDelayMs: DASHBOARD_MAX_DELAY_MS });
}
