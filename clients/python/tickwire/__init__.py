"""Tickwire live market data for asyncio (protocol 1.2).

    async with tickwire.Client("http://localhost:8080", token=None) as client:
        async for change in client.stream(["AAPL"], channels=["ticker", "trades"], throttle=0):
            print(change.symbol, change.channel, change.seq, change.state)

The command line, `tickwire-subscribe` or `python3 -m tickwire`, is cli.py.
"""
from .book import apply_book_update, book_checksum, book_checksum_string, book_from_snapshot
from .client import Change, Client
from .errors import (BadRequest, ConnectionFailed, Forbidden, LimitExceeded, ProtocolError, RateLimited,
                     SlowConsumer, TickwireError, TokenExpired, Unauthorized, Unavailable, UnknownChannel,
                     UnknownSymbol)

__version__ = "0.1.0"
__all__ = [
    "Client", "Change", "TickwireError", "ConnectionFailed", "ProtocolError", "BadRequest", "UnknownSymbol",
    "UnknownChannel", "LimitExceeded", "RateLimited", "Unauthorized", "SlowConsumer", "Forbidden", "TokenExpired",
    "Unavailable", "book_checksum", "book_checksum_string", "book_from_snapshot", "apply_book_update",
]
