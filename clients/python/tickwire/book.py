"""Order books (protocol 1.1 section 3; docs/book.md): kept sorted and depth-bounded, and
checked against the server's `checksum`, a CRC32 (zlib) of the best levels' digits. Pure."""
from __future__ import annotations

import zlib
from typing import Any

CHECKSUM_LEVELS = 10  # levels per side that enter a book's checksum


def checksum_digits(x: float, digits: int) -> str:
    """A number's part of the checksum string: exactly `digits` decimals, '.' removed, leading zeros stripped."""
    return f"{x:.{digits}f}".replace(".", "").lstrip("0")


def book_checksum_string(book: dict[str, Any], decimals: int, size_decimals: int) -> str:
    """The best 10 asks (lowest first), then the best 10 bids (highest first): price digits then size digits."""
    levels = list(book["asks"][:CHECKSUM_LEVELS]) + list(book["bids"][:CHECKSUM_LEVELS])
    return "".join(checksum_digits(p, decimals) + checksum_digits(s, size_decimals) for p, s in levels)


def book_checksum(book: dict[str, Any], decimals: int, size_decimals: int) -> int:
    """CRC32 (IEEE, zlib) of the checksum string, unsigned 32-bit."""
    return zlib.crc32(book_checksum_string(book, decimals, size_decimals).encode("ascii"))


def _pairs(side: Any) -> list[tuple[float, float]]:
    if not isinstance(side, list):
        return []
    return [(float(p[0]), float(p[1])) for p in side if isinstance(p, (list, tuple)) and len(p) >= 2]


def _sorted_side(levels: dict[float, float], bids: bool, depth: int) -> list[list[float]]:
    out = sorted(([p, s] for p, s in levels.items() if s > 0), key=lambda lv: lv[0], reverse=bids)
    return out[:depth] if depth > 0 else out


def book_from_snapshot(d: Any, depth: int = 0) -> dict[str, Any]:
    """A book from a snapshot's `d`: both sides best first, sizes > 0, at most `depth` levels each (0: all)."""
    d = d if isinstance(d, dict) else {}
    return {
        "bids": _sorted_side(dict(_pairs(d.get("bids"))), True, depth),
        "asks": _sorted_side(dict(_pairs(d.get("asks"))), False, depth),
        "checksum": d.get("checksum", -1),
        "ts": d.get("ts", 0),
    }


def apply_book_update(book: dict[str, Any], d: Any, depth: int = 0) -> dict[str, Any]:
    """A new book: each [price, size] pair of `d` sets that price's size (0 removes it); checksum and ts from `d`."""
    d = d if isinstance(d, dict) else {}
    out = dict(book)
    for key, bids in (("bids", True), ("asks", False)):
        if key in d:
            levels = {p: s for p, s in book[key]}
            levels.update(_pairs(d[key]))
            out[key] = _sorted_side(levels, bids, depth)
    out["checksum"] = d.get("checksum", book["checksum"])
    out["ts"] = d.get("ts", book["ts"])
    return out
