"""Every stream's state by the protocol's seq/prev rules (PROTOCOL.md): a snapshot replaces a
stream, an update applies when its `prev` is the seq held, anything else is a gap (the stream
waits for a snapshot). Pure: the client feeds it the items it receives."""
from __future__ import annotations

from typing import Any, Optional

from .book import apply_book_update, book_checksum, book_from_snapshot

TRADES_KEPT = 200  # trades kept per `trades` stream, newest last


class Streams:
    """State per stream (symbol, channel), applied by the protocol's seq/prev rules."""

    def __init__(self, book_depth: int = 0) -> None:
        self.streams: dict[str, dict[str, Any]] = {}
        # Streams with a snapshot requested after a gap: their items are ignored until it comes.
        self.resyncing: set[str] = set()
        self.updates = 0
        self.gaps = 0
        self.dropped = 0
        self.book_depth = book_depth
        # symbol -> (decimals, sizeDecimals), from /api/symbols; None until known.
        self.decimals: Optional[dict[str, tuple[int, int]]] = None
        self.checksums = {"verified": 0, "mismatched": 0, "unverified": 0}

    def apply_snapshot(self, item: dict[str, Any]) -> None:
        """Replaces the stream (a new epoch is a new numbering: nothing is compared). A book
        snapshot that fails its checksum is counted; asking again would not make it right."""
        key = f"{item['s']}|{item['ch']}"
        d = item["d"]
        if item["ch"] == "book":
            state: Any = book_from_snapshot(d, self.book_depth)
        elif item["ch"] == "trades":
            state = list(d)[-TRADES_KEPT:]
        else:
            state = dict(d)
        self.streams[key] = {"seq": item["seq"], "state": state}
        if isinstance(item.get("epoch"), str):
            self.streams[key]["epoch"] = item["epoch"]
        self.resyncing.discard(key)
        self._check_book(item, state)

    def apply_update(self, item: dict[str, Any]) -> Optional[tuple[str, str]]:
        """Applies one update item; returns (symbol, channel) when it revealed a gap (or a wrong book)."""
        key = f"{item['s']}|{item['ch']}"
        if key in self.resyncing:
            return None  # already asked for a snapshot: nothing before it counts
        st = self.streams.get(key)
        if st is None or st["seq"] != item["prev"]:
            self.gaps += 1
            self.resyncing.add(key)
            return item["s"], item["ch"]
        if item["ch"] == "trades":
            st["state"].extend(item["d"])
            del st["state"][:-TRADES_KEPT]
            self.dropped += item.get("dropped", 0)
        elif item["ch"] == "book":
            st["state"] = apply_book_update(st["state"], item["d"], self.book_depth)
        else:
            st["state"].update(item["d"])
        st["seq"] = item["seq"]
        self.updates += 1
        return self._check_book(item, st["state"])

    def _check_book(self, item: dict[str, Any], book: Any) -> Optional[tuple[str, str]]:
        if item["ch"] != "book":
            return None
        dec = (self.decimals or {}).get(item["s"])
        if dec is None:
            self.checksums["unverified"] += 1
            return None
        if book_checksum(book, dec[0], dec[1]) == book["checksum"]:
            self.checksums["verified"] += 1
            return None
        self.checksums["mismatched"] += 1
        self.gaps += 1
        self.resyncing.add(f"{item['s']}|book")
        return item["s"], "book"

    def positions(self, symbols: list[str], channels: list[str]) -> list[dict[str, Any]]:
        """`since` entries for the streams held with an epoch (and not awaiting a snapshot)."""
        out = []
        for s in symbols:
            for ch in channels:
                key = f"{s}|{ch}"
                st = self.streams.get(key)
                if st is not None and "epoch" in st and key not in self.resyncing:
                    out.append({"s": s, "ch": ch, "epoch": st["epoch"], "seq": st["seq"]})
        return out
