"""Pure decisions of the client (no sockets, no clocks): URLs, backoff, what an error means."""
from __future__ import annotations

import errno
import re
import socket
import urllib.parse
from typing import Any, Callable, Optional, Tuple

# What an `error` message does to a stream:
RAISE = "raise"  # the request itself is wrong or refused: raised to the caller (stream() ends)
DROP = "drop"  # named symbols/channels are left out of the subscription (raised once nothing is left)
RECONNECT = "reconnect"  # the connection is ending (or the token is to be renewed): reconnect and resume
RECORD = "record"  # an answer to one request (e.g. a snapshot request rate-limited): kept in Client.errors

ACTIONS = {
    "bad_request": RAISE,
    "limit_exceeded": RAISE,
    "unauthorized": RAISE,
    "unknown_symbol": DROP,
    "forbidden": DROP,
    "unknown_channel": DROP,
    "slow_consumer": RECONNECT,
    "token_expired": RECONNECT,
    "unavailable": RECONNECT,
    "rate_limited": RECORD,
}


def ws_url(base: str, token: Optional[str]) -> str:
    """`http(s)://host:port[/prefix]` (or ws(s)://.../ws) -> `ws(s)://host:port[/prefix]/ws[?token=...]`."""
    u = urllib.parse.urlsplit(base)
    scheme = {"http": "ws", "https": "wss"}.get(u.scheme, u.scheme)
    if scheme not in ("ws", "wss"):
        raise ValueError(f"not an http(s) or ws(s) URL: {base!r}")
    path = u.path.rstrip("/")
    if not path.endswith("/ws"):
        path += "/ws"
    query = urllib.parse.parse_qsl(u.query)
    if token:
        query = [(k, v) for k, v in query if k != "token"] + [("token", token)]
    return urllib.parse.urlunsplit((scheme, u.netloc, path, urllib.parse.urlencode(query), ""))


def backoff_delay(failures: int, base: float, cap: float, random: Callable[[], float]) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**failures)) seconds, `random()` in [0, 1)."""
    return random() * min(cap, base * 2 ** min(failures, 30))


Pair = Tuple[str, str]  # (symbol, channel)


def on_error(msg: dict[str, Any], wanted: set[Pair]) -> tuple[str, set[Pair]]:
    """What `msg` (an `error` message) does: (action, streams still wanted). `unknown_symbol`
    drops its symbols, `unknown_channel` its channels on every symbol, `forbidden` the streams
    it names (both lists: those channels of those symbols). A DROP that leaves nothing to stream
    becomes RAISE; an unknown code is RECORD (newer servers may add codes)."""
    code = str(msg.get("code"))
    action = ACTIONS.get(code, RECORD)
    if action != DROP:
        return action, wanted
    syms = set(msg.get("symbols") or [])
    chs = set(msg.get("channels") or [])
    if code == "unknown_symbol":
        refused = lambda s, c: s in syms  # noqa: E731
    elif code == "unknown_channel":
        refused = lambda s, c: c in chs  # noqa: E731
    elif syms or chs:
        refused = lambda s, c: (not syms or s in syms) and (not chs or c in chs)  # noqa: E731
    else:
        return RAISE, wanted  # forbidden without naming what: nothing is known to be left
    left = {(s, c) for s, c in wanted if not refused(s, c)}
    return (RAISE if not left else DROP), left


def http_status(exc: BaseException) -> Optional[int]:
    """The HTTP status of a refused WebSocket upgrade (websockets 10-15 spell it differently)."""
    code = getattr(exc, "status_code", None)
    if code is None:
        code = getattr(getattr(exc, "response", None), "status_code", None)
    return code if isinstance(code, int) else None


# What an errno means to someone who typed a URL (the names Node uses, for one wording in both CLIs).
MEANING = {
    "ECONNREFUSED": "connection refused: nothing listens on that port",
    "ENOTFOUND": "unknown host",
    "EAI_AGAIN": "host name lookup failed (DNS)",
    "ETIMEDOUT": "timed out",
    "ECONNRESET": "connection reset by the server",
    "EHOSTUNREACH": "host unreachable",
    "ENETUNREACH": "network unreachable",
}


def connection_cause(exc: BaseException, url: str) -> str:
    """Why connecting to `url` failed, e.g. `ECONNREFUSED 127.0.0.1:9 (connection refused: nothing
    listens on that port)` or `ENOTFOUND nohost.invalid (unknown host)`; else the exception's text."""
    u = urllib.parse.urlsplit(url)
    host = u.hostname or ""
    where = f"{host}:{u.port or (443 if u.scheme in ('https', 'wss') else 80)}"
    if isinstance(exc, socket.gaierror):
        code = "EAI_AGAIN" if exc.errno == socket.EAI_AGAIN else "ENOTFOUND"
        return f"{code} {host} ({MEANING[code]})"
    if isinstance(exc, (TimeoutError, socket.timeout)) or type(exc).__name__ == "TimeoutError":
        return f"ETIMEDOUT {where} ({MEANING['ETIMEDOUT']})"
    status = http_status(exc)
    if status is not None:
        return f"the server answers HTTP {status}"
    num = getattr(exc, "errno", None)
    if not isinstance(num, int):  # asyncio joins the failures of several addresses into one OSError
        m = re.search(r"\[Errno (\d+)\]", str(exc))
        num = int(m.group(1)) if m else None
    name = errno.errorcode.get(num, "") if isinstance(num, int) else ""
    if name in MEANING:
        return f"{name} {where} ({MEANING[name]})"
    return f"{type(exc).__name__} {where}: {exc}" if str(exc) else f"{type(exc).__name__} {where}"
