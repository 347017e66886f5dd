/**
 * The access token for servers started with AUTH_TOKENS: from the page's `?token=` (then kept
 * and taken out of the address bar) or from localStorage. Sent as `Authorization: Bearer` on
 * REST calls and as `?token=` by the MarketClient (browsers cannot set headers on sockets).
 */
const KEY = 'tickwire.token';

export function loadToken(): string | undefined {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    saveToken(fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url);
    return fromUrl;
  }
  try {
    return localStorage.getItem(KEY) || undefined;
  } catch {
    return undefined;
  }
}

export function saveToken(token: string): void {
  try {
    localStorage.setItem(KEY, token);
  } catch {
    // Not remembered; this page still uses it.
  }
}
