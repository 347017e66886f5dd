#!/usr/bin/env python3
"""A Tickwire protocol v1 client in Python, written from PROTOCOL.md alone.

Connects to ws://host:port/ws, reads `hello`, subscribes, keeps every stream's state by the
seq/prev rules (a mismatch is a gap: the item is ignored and a `snapshot` is requested), runs
for --seconds from `hello` on, then prints one JSON object to stdout:

    {"updates": n, "gaps": n, "streams": {"SYM|ch": {"seq": n, "state": ...}}, ...}

and exits 0 (1 when the server closed the connection or refused the whole subscription).
Progress goes to stderr. Needs Python 3.9+, msgpack (1.0) and websockets (10.x).

    python3 tickwire_client.py --url ws://127.0.0.1:8080/ws --symbols AAPL,MSFT \
        --channels ticker,trades --throttle 0 --seconds 3
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import msgpack
import websockets

TRADES_KEPT = 200  # trades kept per `trades` stream, newest last


def log(*parts: Any) -> None:
    print("tickwire:", *parts, file=sys.stderr, flush=True)


class Streams:
    """State per stream (symbol, channel), applied by the protocol's seq/prev rules."""

    def __init__(self) -> None:
        self.streams: dict[str, dict[str, Any]] = {}
        # Streams with a snapshot requested after a gap: their items are ignored until it comes.
        self.resyncing: set[str] = set()
        self.updates = 0
        self.gaps = 0
        self.dropped = 0

    def apply_snapshot(self, item: dict[str, Any]) -> None:
        key = f"{item['s']}|{item['ch']}"
        d = item["d"]
        state = list(d)[-TRADES_KEPT:] if item["ch"] == "trades" else dict(d)
        self.streams[key] = {"seq": item["seq"], "state": state}
        self.resyncing.discard(key)

    def apply_update(self, item: dict[str, Any]) -> tuple[str, str] | None:
        """Applies one update item; returns (symbol, channel) when it revealed a gap."""
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
        else:
            st["state"].update(item["d"])
        st["seq"] = item["seq"]
        self.updates += 1
        return None


async def run(args: argparse.Namespace) -> dict[str, Any]:
    symbols = [s for s in args.symbols.split(",") if s]
    channels = [c for c in args.channels.split(",") if c]
    streams = Streams()
    out: dict[str, Any] = {"errors": [], "closed": None}
    next_id = 1
    seen = 0  # update items seen, for --simulate-loss

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
        deadline = time.monotonic() + args.seconds
        await send({"type": "subscribe", "symbols": symbols, "channels": channels, "throttle": args.throttle})

        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                frame = await asyncio.wait_for(ws.recv(), left)
            except asyncio.TimeoutError:
                break
            except websockets.ConnectionClosed as e:
                out["closed"] = {"code": e.code, "reason": e.reason}
                log(f"closed by the server: {e.code} {e.reason}")
                break
            msg = msgpack.unpackb(frame)
            kind = msg.get("type")
            if kind == "snapshot":
                first = not streams.streams
                for item in msg["items"]:
                    streams.apply_snapshot(item)
                if first:
                    log(f"live: {len(msg['items'])} streams")
            elif kind == "update":
                for item in msg["items"]:
                    seen += 1
                    early = deadline - time.monotonic() > args.seconds / 2
                    if args.simulate_loss and early and seen % args.simulate_loss == 0:
                        continue  # test aid: act as if this item never arrived
                    missed = streams.apply_update(item)
                    if missed:
                        log(f"gap on {missed[0]} {missed[1]}: requesting a snapshot")
                        await send({"type": "snapshot", "symbols": [missed[0]], "channels": [missed[1]]})
            elif kind == "subscribed":
                out["throttle"] = msg["throttle"]
                log(f"subscribed {msg['symbols']} {msg['channels']} at throttle {msg['throttle']}")
            elif kind == "error":
                out["errors"].append({k: msg[k] for k in ("code", "message", "symbols", "channels") if k in msg})
                log(f"error {msg['code']}: {msg['message']}")
            # heartbeat, pong: nothing to do (websockets answers WebSocket pings by itself)

    out.update(updates=streams.updates, gaps=streams.gaps, dropped=streams.dropped, streams=streams.streams)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description="Tickwire protocol v1 client: subscribe, keep state, print it as JSON.")
    p.add_argument("--url", default="ws://127.0.0.1:8080/ws", help="WebSocket URL (add ?token=... when the server needs one)")
    p.add_argument("--symbols", required=True, help="comma-separated symbols, e.g. AAPL,MSFT")
    p.add_argument("--channels", default="ticker", help="comma-separated: ticker, trades, candles:1m, ...")
    p.add_argument("--throttle", type=float, default=0, help="ms; 0: every event")
    p.add_argument("--seconds", type=float, default=5, help="how long to run after hello")
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
