"""Run by python-package.test.ts with the venv's python: streams through the test's proxy with
the installed `tickwire` package, one JSON line per change on stdout; after the test has cut the
path (it cuts after 10 updates) and 20 more updates have come, a summary line, then exit 0."""
import asyncio
import json
import sys

import tickwire


async def main(url: str) -> None:
    after = 0
    async with tickwire.Client(url, token=None, base_delay=0.05, max_delay=0.5) as client:
        async for change in client.stream(["AAPL", "BTC-USD"], channels=["ticker", "trades", "book"], throttle=0):
            line = {"symbol": change.symbol, "channel": change.channel, "seq": change.seq, "kind": change.kind,
                    "epoch": change.epoch, "reconnects": client.reconnects}
            if change.channel == "trades" and change.kind == "update":
                line["ids"] = [t["id"] for t in change.delta]
            print(json.dumps(line), flush=True)
            if client.reconnects:
                after += 1
                if after >= 20:
                    break
        book = client.state("BTC-USD", "book")
        print(json.dumps({
            "summary": True, "reconnects": client.reconnects, "recovered": sorted(map(list, client.recovered)),
            "unrecovered": sorted(map(list, client.unrecovered)), "gaps": client.gaps, "checksums": client.checksums,
            "ticker": client.state("AAPL", "ticker"), "book": {"bids": len(book["bids"]), "asks": len(book["asks"])},
            "errors": [repr(e) for e in client.errors], "module": tickwire.__file__,
        }), flush=True)


async def refused(url: str) -> None:
    """A subscription the server refuses whole raises the code's ProtocolError subclass."""
    async with tickwire.Client(url, max_retries=2) as client:
        try:
            async for _ in client.stream(["NO-SUCH"], channels=["ticker"]):
                pass
        except tickwire.ProtocolError as e:
            print(json.dumps({"type": type(e).__name__, "code": e.code, "symbols": e.symbols,
                              "is_unknown_symbol": isinstance(e, tickwire.UnknownSymbol)}))
    try:
        async with tickwire.Client("http://127.0.0.1:9", max_retries=1, base_delay=0.01) as dead:
            async for _ in dead.stream(["AAPL"]):
                pass
    except tickwire.ConnectionFailed as e:
        print(json.dumps({"type": type(e).__name__}))


if __name__ == "__main__":
    asyncio.run(refused(sys.argv[2]) if sys.argv[1] == "refused" else main(sys.argv[2]))
