"""The command line of `tickwire-subscribe` (pure): the same flags, defaults and checks as the
Node CLI, `npm run subscribe` (scripts/subscribe/args.ts)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Optional

DEFAULT_URL = "http://localhost:8080"
DEFAULT_RETRIES = 5  # failed connection attempts in a row tolerated before exiting 4
CHANNELS = ("ticker", "trades", "candles:1s", "candles:1m", "candles:5m", "candles:1h", "book")
FORMATS = ("ndjson", "table")

USAGE = f"""usage: tickwire-subscribe SYMBOL... [options]   (or: python3 -m tickwire SYMBOL... [options])

  SYMBOL              any case (aapl, btc-usd) when it names one symbol
  --channels LIST     comma-separated: ticker, trades, book, candles:1s|1m|5m|1h (default ticker)
  --throttle MS       at most one update per stream per MS (default 0: every event)
  --transport KIND    ws or auto (default auto; both are WebSocket: this client has no SSE)
  --url URL           server base URL (default $TICKWIRE_URL, else {DEFAULT_URL});
                      repeat for fallbacks
  --token TOKEN       for servers that require one
  --count N           exit 0 after N records (JSON lines, or changes shown in the table)
  --format KIND       ndjson or table (default: table on a terminal, ndjson otherwise)
  --retries N         give up (exit 4) after N+1 failed connection attempts in a row
                      (default {DEFAULT_RETRIES})
  -h, --help          this text

NDJSON: one JSON line per applied change on stdout (for trades, only the new trades);
status and errors go to stderr. The table fits the terminal's height; piped, it is written
once, at the end. NO_COLOR=1 turns colours off.
Exit codes: 0 done (--count reached, or Ctrl-C), 2 bad usage, 3 every symbol refused
(unknown, or not allowed by the token), 4 connection failed (after --retries)."""


class UsageError(ValueError):
    """A message for the user; the CLI prints it with USAGE and exits 2."""


@dataclass
class Args:
    symbols: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=lambda: ["ticker"])
    throttle: float = 0
    transport: str = "auto"
    urls: list[str] = field(default_factory=lambda: [DEFAULT_URL])
    token: Optional[str] = None
    count: Optional[int] = None  # None: run until stopped
    format: Optional[str] = None  # None: table on a terminal, ndjson otherwise
    retries: int = DEFAULT_RETRIES
    help: bool = False


VALUED = ("channels", "throttle", "transport", "url", "token", "count", "format", "retries")


def parse_args(argv: list[str], env: Mapping[str, str]) -> Args:
    """argv without the program; `env` supplies TICKWIRE_URL. Raises UsageError."""
    values: dict[str, list[str]] = {}
    positionals: list[str] = []
    help_ = False
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a in ("-h", "--help"):
            help_ = True
        elif a == "--":
            positionals += argv[i:]
            break
        elif a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if name not in VALUED:
                raise UsageError(f"unknown option '{a}'")
            if not eq:
                if i >= len(argv) or argv[i].startswith("--"):
                    raise UsageError(f"option '--{name}' needs a value")
                value = argv[i]
                i += 1
            values.setdefault(name, []).append(value)
        elif a.startswith("-") and len(a) > 1:
            raise UsageError(f"unknown option '{a}'")
        else:
            positionals.append(a)
    for name, got in values.items():
        if name != "url" and len(got) > 1:
            values[name] = got[-1:]
    one = lambda name: values[name][0] if name in values else None  # noqa: E731

    symbols = list(dict.fromkeys(s.strip() for p in positionals for s in p.split(",") if s.strip()))
    if not help_ and not symbols:
        raise UsageError("name at least one symbol, e.g. AAPL MSFT")
    channels = [c.strip() for c in (one("channels") or "ticker").split(",") if c.strip()]
    bad = [c for c in channels if c not in CHANNELS]
    if bad:
        raise UsageError(f"unknown channel(s): {', '.join(bad)}")
    try:
        throttle = float(one("throttle") or 0)
    except ValueError:
        throttle = -1
    if not (0 <= throttle < float("inf")):
        raise UsageError("--throttle must be a number of milliseconds >= 0")
    transport = one("transport") or "auto"
    if transport == "sse":
        raise UsageError("--transport sse: this client speaks WebSocket only (ws or auto)")
    if transport not in ("ws", "auto"):
        raise UsageError("--transport must be ws or auto")
    from_env = (env.get("TICKWIRE_URL") or "").strip()
    urls = values.get("url") or ([from_env] if from_env else [DEFAULT_URL])
    where = "" if values.get("url") else " (from TICKWIRE_URL)"
    for u in urls:
        if not re.match(r"^(https?|wss?)://[^/]", u):
            raise UsageError(f"not a server URL{where}: {u} (e.g. {DEFAULT_URL})")
    count = None if one("count") is None else _whole(one("count"), "--count", 1)
    retries = DEFAULT_RETRIES if one("retries") is None else _whole(one("retries"), "--retries", 0)
    fmt = one("format")
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"--format must be {' or '.join(FORMATS)}")
    return Args(symbols, channels, throttle, transport, urls, one("token") or None, count, fmt, retries, help_)


def _whole(raw: Optional[str], name: str, least: int) -> int:
    if raw is None or not re.fullmatch(r"\s*\d+\s*", raw) or int(raw) < least:
        raise UsageError(f"{name} must be a whole number >= {least}, got {raw!r}")
    return int(raw)
