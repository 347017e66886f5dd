"""Typed errors: one ProtocolError subclass per error code of the protocol (PROTOCOL.md)."""
from __future__ import annotations

from typing import Any, Optional


class TickwireError(Exception):
    """Base of every error this package raises."""


class ConnectionFailed(TickwireError):
    """No connection could be opened: more than `max_retries` attempts in a row failed. The
    message names the last cause (e.g. `ECONNREFUSED 127.0.0.1:9 (connection refused: ...)`);
    `attempts` counts them, `cause` is the last exception."""

    def __init__(self, message: str, *, attempts: int = 0, cause: Optional[BaseException] = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.cause = cause


class ProtocolError(TickwireError):
    """An `error` message of the server (or a refused upgrade), with its protocol `code`."""

    code = "error"

    def __init__(self, message: str, *, code: Optional[str] = None, symbols: Optional[list[str]] = None,
                 channels: Optional[list[str]] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.symbols = list(symbols or [])
        self.channels = list(channels or [])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, symbols={self.symbols!r})"

    @staticmethod
    def from_message(msg: dict[str, Any]) -> "ProtocolError":
        """The subclass for `msg["code"]` (ProtocolError itself for a code this version does not know)."""
        code = str(msg.get("code", "error"))
        cls = BY_CODE.get(code, ProtocolError)
        return cls(str(msg.get("message", code)), code=code, symbols=msg.get("symbols"), channels=msg.get("channels"))


class BadRequest(ProtocolError):
    code = "bad_request"


class UnknownSymbol(ProtocolError):
    code = "unknown_symbol"


class UnknownChannel(ProtocolError):
    code = "unknown_channel"


class LimitExceeded(ProtocolError):
    code = "limit_exceeded"


class RateLimited(ProtocolError):
    code = "rate_limited"


class Unauthorized(ProtocolError):
    """The token was refused (an `unauthorized` error, or HTTP 401 on the WebSocket upgrade)."""

    code = "unauthorized"


class SlowConsumer(ProtocolError):
    code = "slow_consumer"


class Forbidden(ProtocolError):
    code = "forbidden"


class TokenExpired(ProtocolError):
    code = "token_expired"


class Unavailable(ProtocolError):
    code = "unavailable"


BY_CODE: dict[str, type[ProtocolError]] = {
    c.code: c
    for c in (BadRequest, UnknownSymbol, UnknownChannel, LimitExceeded, RateLimited, Unauthorized, SlowConsumer,
              Forbidden, TokenExpired, Unavailable)
}
