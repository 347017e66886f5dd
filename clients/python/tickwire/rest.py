"""The server's REST API as the client needs it: the symbol list (names and decimals)."""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any, Optional


def served_symbols(base: str, token: Optional[str] = None, timeout: float = 10) -> list[dict[str, Any]]:
    """GET /api/symbols of the server at `base` (http(s):// or ws(s)://.../ws; a `token` query
    parameter or `token` goes as a Bearer header): the list of {symbol, decimals, sizeDecimals, ...}."""
    u = urllib.parse.urlsplit(base)
    token = token or urllib.parse.parse_qs(u.query).get("token", [None])[0]
    scheme = "https" if u.scheme in ("wss", "https") else "http"
    path = u.path.rstrip("/")
    path = path[: -len("/ws")] if path.endswith("/ws") else path
    req = urllib.request.Request(f"{scheme}://{u.netloc}{path}/api/symbols")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=timeout) as res:
        body = json.load(res)
    items = body if isinstance(body, list) else body.get("symbols", [])
    return [e for e in items if isinstance(e, dict) and isinstance(e.get("symbol"), str)]


def symbol_decimals(base: str, token: Optional[str] = None) -> dict[str, tuple[int, int]]:
    """symbol -> (decimals, sizeDecimals), for the book checksums."""
    return {
        e["symbol"]: (e["decimals"], e["sizeDecimals"])
        for e in served_symbols(base, token)
        if isinstance(e.get("decimals"), int) and isinstance(e.get("sizeDecimals"), int)
    }
