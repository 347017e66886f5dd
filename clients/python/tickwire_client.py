#!/usr/bin/env python3
"""A Tickwire client in Python (protocol 1.1: recovery, books, tokens), written from PROTOCOL.md alone.

Connects to ws://host:port/ws, reads `hello`, subscribes, keeps every stream's state by the
seq/prev rules (a mismatch is a gap: the item is ignored and a `snapshot` is requested), runs
for --seconds from the first `hello` on, then prints one JSON object to stdout:

    {"updates": n, "gaps": n, "streams": {"SYM|ch": {"seq": n, "state": ..., "epoch": ...}}, ...}

and exits 0 (1 when the server closed the connection or refused the whole subscription).
Progress goes to stderr. Needs Python 3.9+, msgpack (1.0) and websockets (10.x).

Protocol 1.1, when the server speaks it:
- epochs: each snapshot item's `epoch` is kept with its stream; with --reconnect the client
  reconnects after a lost connection and sends `since` ([{s, ch, epoch, seq}]) for every stream
  it holds, so that the server resumes each one (`recovered`) or sends a snapshot
  (`unrecovered`), both listed in the output;
- books: the `book` channel is kept sorted and depth-bounded, and every snapshot and update is
  checked against its `checksum` (CRC32 with zlib, the symbol's decimals from /api/symbols); a
  mismatch counts as a gap and asks for a snapshot.

    python3 tickwire_client.py --url ws://127.0.0.1:8080/ws --symbols AAPL,MSFT \
        --channels ticker,trades --throttle 0 --seconds 3
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import urllib.parse
import urllib.request
import zlib
from typing import Any, Optional

import msgpack
import websockets

TRADES_KEPT = 200  # trades kept per `trades` stream, newest last
CHECKSUM_LEVELS = 10  # levels per side that enter a book's checksum


def log(*parts: Any) -> None:
    print("tickwire:", *parts, file=sys.stderr, flush=True)


# ---- books (protocol 1.1 section 3) -------------------------------------------------------

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


# ---- streams ------------------------------------------------------------------------------

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
        if self._check_book(item, state):
            log(f"book {item['s']}: the snapshot itself fails its checksum")
        return None

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


def symbol_decimals(ws_url: str) -> dict[str, tuple[int, int]]:
    """GET /api/symbols of the server at `ws_url`: symbol -> (decimals, sizeDecimals). The URL's token goes as a Bearer header."""
    u = urllib.parse.urlsplit(ws_url)
    token = urllib.parse.parse_qs(u.query).get("token", [None])[0]
    scheme = "https" if u.scheme == "wss" else "http"
    base_path = u.path[: -len("/ws")] if u.path.endswith("/ws") else u.path.rstrip("/")
    req = urllib.request.Request(f"{scheme}://{u.netloc}{base_path}/api/symbols")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as res:
        body = json.load(res)
    items = body if isinstance(body, list) else body.get("symbols", [])
    return {
        e["symbol"]: (e["decimals"], e["sizeDecimals"])
        for e in items
        if isinstance(e, dict) and isinstance(e.get("decimals"), int) and isinstance(e.get("sizeDecimals"), int)
    }


# ---- the connection -----------------------------------------------------------------------

class Lost(Exception):
    """The connection ended before the run did."""


async def session(args: argparse.Namespace, streams: Streams, out: dict[str, Any], first: bool) -> None:
    """One connection: hello, subscribe (with `since` after a reconnect), then apply messages until the deadline."""
    symbols = [s for s in args.symbols.split(",") if s]
    channels = [c for c in args.channels.split(",") if c]
    next_id = 1
    # Server frames have no size limit of their own (a snapshot of many streams can be large).
    async with websockets.connect(args.url, max_size=None, open_timeout=10) as ws:

        async def send(msg: dict[str, Any]) -> None:
            nonlocal next_id
            msg["id"] = next_id
            next_id += 1
            await ws.send(msgpack.packb(msg))  # bytes: a binary frame

        hello = msgpack.unpackb(await asyncio.wait_for(ws.recv(), 10))
        if hello.get("type") != "hello" or hello.get("v") != 1:
            raise RuntimeError(f"expected hello v1, got {hello!r}")
        log(f"hello: session {hello['session']}, channels {hello['channels']}, limits {hello['limits']}")
        if first:
            out["deadline"] = time.monotonic() + args.seconds
        deadline = out["deadline"]
        streams.book_depth = (hello.get("book") or {}).get("depth", 0)
        if "book" in channels and streams.decimals is None:
            try:
                streams.decimals = await asyncio.get_running_loop().run_in_executor(None, symbol_decimals, args.url)
            except (OSError, ValueError) as e:
                log(f"no decimals for the book checksums ({e}): books stay unverified")
        sub: dict[str, Any] = {"type": "subscribe", "symbols": symbols, "channels": channels, "throttle": args.throttle}
        since = streams.positions(symbols, channels) if "history" in hello else []
        if since:
            sub["since"] = since
        await send(sub)

        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                frame = await asyncio.wait_for(ws.recv(), left)
            except asyncio.TimeoutError:
                return
            except websockets.ConnectionClosed as e:
                out["closed"] = {"code": e.code, "reason": e.reason}
                log(f"closed by the server: {e.code} {e.reason}")
                raise Lost() from e
            msg = msgpack.unpackb(frame)
            kind = msg.get("type")
            broken: list[tuple[str, str]] = []
            if kind == "snapshot":
                fresh = not streams.streams
                for item in msg["items"]:
                    streams.apply_snapshot(item)
                if fresh:
                    log(f"live: {len(msg['items'])} streams")
            elif kind == "update":
                for item in msg["items"]:
                    out["seen"] += 1
                    early = deadline - time.monotonic() > args.seconds / 2
                    if args.simulate_loss and early and out["seen"] % args.simulate_loss == 0:
                        continue  # test aid: act as if this item never arrived
                    bad = streams.apply_update(item)
                    if bad:
                        broken.append(bad)
            elif kind == "subscribed":
                out["throttle"] = msg["throttle"]
                for name in ("recovered", "unrecovered"):
                    out[name].extend(f"{x['s']}|{x['ch']}" for x in msg.get(name) or [])
                log(f"subscribed {msg['symbols']} {msg['channels']} at throttle {msg['throttle']}"
                    + (f", recovered {len(msg.get('recovered') or [])}, unrecovered {len(msg.get('unrecovered') or [])}" if since else ""))
            elif kind == "error":
                out["errors"].append({k: msg[k] for k in ("code", "message", "symbols", "channels") if k in msg})
                log(f"error {msg['code']}: {msg['message']}")
            # heartbeat, pong: nothing to do (websockets answers WebSocket pings by itself)
            for s, ch in broken:
                log(f"gap on {s} {ch}: requesting a snapshot")
                await send({"type": "snapshot", "symbols": [s], "channels": [ch]})


async def run(args: argparse.Namespace) -> dict[str, Any]:
    streams = Streams()
    out: dict[str, Any] = {"errors": [], "closed": None, "reconnects": 0, "recovered": [], "unrecovered": [], "seen": 0}
    first = True
    failures = 0
    while True:
        try:
            await session(args, streams, out, first)
            break
        except (Lost, OSError, asyncio.TimeoutError, websockets.WebSocketException) as e:
            lost = isinstance(e, (Lost, websockets.ConnectionClosed))
            if first and not lost:
                raise
            if out["closed"] is None and lost:
                out["closed"] = {"code": getattr(e, "code", None), "reason": str(e)}
            if not args.reconnect or time.monotonic() >= out["deadline"]:
                break
        first = False
        # Full-jitter backoff (0.05 s base, 2 s cap) until a connection opens again.
        failures += 1
        out["reconnects"] += 1
        await asyncio.sleep(random.uniform(0, min(2.0, 0.05 * 2 ** min(failures, 6))))
        if time.monotonic() >= out["deadline"]:
            break
        log(f"reconnecting (attempt {failures})")
        out["closed"] = None
    del out["seen"], out["deadline"]
    out.update(updates=streams.updates, gaps=streams.gaps, dropped=streams.dropped, streams=streams.streams, checksums=streams.checksums)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description="Tickwire client: subscribe, keep every stream's state, print it as JSON.")
    p.add_argument("--url", default="ws://127.0.0.1:8080/ws", help="WebSocket URL (add ?token=... when the server needs one)")
    p.add_argument("--symbols", required=True, help="comma-separated symbols, e.g. AAPL,MSFT")
    p.add_argument("--channels", default="ticker", help="comma-separated: ticker, trades, candles:1m, book, ...")
    p.add_argument("--throttle", type=float, default=0, help="ms; 0: every event")
    p.add_argument("--seconds", type=float, default=5, help="how long to run after the first hello")
    p.add_argument("--reconnect", action="store_true", help="reconnect after a lost connection, resuming every stream held (protocol 1.1 `since`)")
    p.add_argument("--simulate-loss", type=int, default=0, metavar="N", help="test aid: in the first half of the run, ignore every Nth update item as if lost")
    args = p.parse_args()
    try:
        out = asyncio.run(run(args))
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException, RuntimeError) as e:
        log(f"failed: {type(e).__name__}: {e}")
        return 1
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    refused = "throttle" not in out  # no `subscribed`: nothing was accepted
    return 1 if out["closed"] or refused else 0


if __name__ == "__main__":
    sys.exit(main())
