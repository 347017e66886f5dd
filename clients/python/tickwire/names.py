"""Symbols as typed against the server's list (pure), the same rules as the dashboard's search
and the Node CLI (shared/closest.ts): any case (and punctuation) is accepted when it names one
symbol; a miss is answered with the closest names by edit distance."""
from __future__ import annotations

import re
from typing import Optional, Sequence


def _squash(s: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", s.upper())


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insert, delete, replace, swap two neighbours."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i]
        for j in range(1, len(b) + 1):
            d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d = min(d, prev2[j - 2] + 1)
            cur.append(d)
        prev2, prev = prev, cur
    return prev[len(b)]


def closest(query: str, names: Sequence[str], limit: int = 3, max_distance: Optional[int] = None) -> list[str]:
    """Up to `limit` names nearest to `query`, nearest first (ties in the given order), none
    further than `max_distance` (default: half the query's length, at least 2)."""
    q = _squash(query)
    if not q:
        return []
    most = max_distance if max_distance is not None else max(2, -(-len(q) // 2))
    scored = sorted(((edit_distance(q, _squash(n)), i, n) for i, n in enumerate(names)))
    return [n for d, _, n in scored if d <= most][:limit]


def resolve_name(typed: str, names: Sequence[str]) -> Optional[str]:
    """The exact name, else the only name equal to `typed` ignoring case and punctuation."""
    if typed in names:
        return typed
    hits = [n for n in names if _squash(n) == _squash(typed)]
    return hits[0] if len(hits) == 1 else None


def resolve_symbols(typed: Sequence[str], served: Sequence[str]) -> list[str]:
    """The typed symbols, each unique match replaced by the server's spelling, duplicates removed."""
    return list(dict.fromkeys(resolve_name(t, served) or t for t in typed))


def suggestion(symbol: str, served: Sequence[str]) -> str:
    """`APPL: no such symbol; did you mean AAPL?` (or `AMD or AMZN`), or just `no such symbol`."""
    near = closest(symbol, served)
    if not near:
        return f"{symbol}: no such symbol"
    said = near[0] if len(near) == 1 else f"{', '.join(near[:-1])} or {near[-1]}"
    return f"{symbol}: no such symbol; did you mean {said}?"
