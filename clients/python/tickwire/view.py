"""What `tickwire-subscribe` prints (pure): NDJSON lines, stderr lines and the table, in the
Node CLI's formats (scripts/subscribe/view.ts)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .client import Change
from .errors import ProtocolError

Paint = Callable[[str], str]
plain: Paint = lambda s: s  # noqa: E731


def sgr(code: int) -> Paint:
    return lambda s: f"\x1b[{code}m{s}\x1b[0m"


def _plain(v: Any) -> Any:
    """`v` with whole floats as ints (MessagePack's float64 1796606580213.0 prints as JSON's 1796606580213)."""
    if isinstance(v, float):
        return int(v) if v.is_integer() else v
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def change_line(c: Change) -> str:
    """One NDJSON line for an applied change, as the Node CLI writes it: the stream's state,
    except for `trades`, whose line carries only the trades it brings (the snapshot's list, then
    each update's new trades)."""
    head: dict[str, Any] = {"symbol": c.symbol, "channel": c.channel, "seq": c.seq, "kind": c.kind, "t": c.t}
    if c.channel == "trades":
        head["trades"] = c.state if c.kind == "snapshot" else c.delta
    else:
        head["state"] = c.state
    return json.dumps(_plain(head), separators=(",", ":"))


def error_line(e: ProtocolError) -> str:
    """`server error unknown_symbol: unknown symbol(s) (NOPE)`: what the message does not name is added."""
    listed = [x for x in e.symbols + e.channels if x not in e.message]
    return f"server error {e.code}: {e.message}" + (f" ({', '.join(listed)})" if listed else "")


def status_text(status: dict[str, Any], changes: int, error: Optional[str] = None) -> str:
    """`live ws http://...`, or `reconnecting in 80 ms (attempt 2: ECONNREFUSED ...)`, then the change count."""
    state = status.get("state")
    if state == "live":
        head = f"live ws {status.get('url')}"
    elif state == "reconnecting":
        head = f"reconnecting in {round(status['delay'] * 1000)} ms (attempt {status['attempt']}: {status['reason']})"
    else:
        head = str(state)
    return " | ".join(x for x in (head, f"{changes} changes", error) if x)


COLUMNS = ["symbol", "last", "bid", "ask", "chg %", "volume", "seq", "age", "last trade"]
WIDTHS = [10, 12, 12, 12, 8, 14, 9, 8, 22]


@dataclass
class Row:
    symbol: str
    decimals: Optional[int] = None
    ticker: Optional[tuple[int, dict[str, Any]]] = None  # (seq, state)
    last_trade: Optional[dict[str, Any]] = None
    book: Optional[dict[str, Any]] = None


def _num(v: Any, digits: Optional[int] = None) -> str:
    if not isinstance(v, (int, float)):
        return "-"
    return f"{v:.{digits}f}" if digits is not None else f"{float(f'{v:.10g}'):g}" if isinstance(v, float) else str(v)


def _pad(s: str, w: int, left: bool) -> str:
    return s[:w] if len(s) >= w else s.ljust(w) if left else s.rjust(w)


def table_lines(rows: list[Row], status: str, now_ms: float, green: Paint = plain, red: Paint = plain) -> list[str]:
    """A header, one row per symbol, a line per book (best bid and ask), and the status line."""
    head = " ".join(_pad(c, WIDTHS[i], i in (0, len(COLUMNS) - 1)) for i, c in enumerate(COLUMNS))
    lines = [head, "-" * len(head)]
    for r in rows:
        seq, t = r.ticker if r.ticker else (None, {})
        last, opn = t.get("last"), t.get("open")
        chg = (last - opn) / opn * 100 if isinstance(last, (int, float)) and opn else None
        age = f"{max(0, round(now_ms - t['ts']))}ms" if isinstance(t.get("ts"), (int, float)) else "-"
        lt = r.last_trade
        trade = f"{'B' if lt.get('side') == 'buy' else 'S'} {lt.get('size')}@{lt.get('price')}" if lt else ""
        d = r.decimals
        cells = [r.symbol, _num(last, d), _num(t.get("bid"), d), _num(t.get("ask"), d), _num(chg, 2),
                 _num(t.get("volume")), _num(seq), age, trade]
        padded = [_pad(c, WIDTHS[i], i in (0, len(cells) - 1)) for i, c in enumerate(cells)]
        if chg:
            padded[4] = (green if chg > 0 else red)(padded[4])
        lines.append(" ".join(padded))
    for r in rows:
        if r.book:
            b = r.book
            side = lambda lv: f"{_num(lv[0], r.decimals)} x {_num(lv[1])}" if lv else "-"  # noqa: E731
            lines += ["", f"{r.symbol} book: bid {side(b['bids'][0] if b['bids'] else None)} ({len(b['bids'])} levels)"
                          f" | ask {side(b['asks'][0] if b['asks'] else None)} ({len(b['asks'])} levels)"]
    return lines + ["", status]


def fit_lines(lines: list[str], height: int) -> list[str]:
    """`lines` cut to `height`: the status line (the last) stays, a note says how many were left out."""
    if len(lines) <= height or height < 3:
        return lines
    keep = height - 2
    return lines[:keep] + [f"… {len(lines) - keep - 1} more lines: enlarge the terminal", lines[-1]]


def redraw(lines: list[str]) -> str:
    """ANSI: cursor home, each line cleared to its end, then the rest of the screen cleared."""
    return "\x1b[H" + "\n".join(line + "\x1b[K" for line in lines) + "\n\x1b[J"
