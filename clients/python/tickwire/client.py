"""tickwire.Client: the asyncio client of protocol 1.2. Protocol state (seq/prev chaining,
epochs and `since`, books kept sorted and checked against their checksum) is streams.Streams;
this module adds the connection loop, the market clock and the async iterator."""
from __future__ import annotations

import asyncio
import inspect
import random as _random
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Optional, Sequence, Union

import msgpack
import websockets

from . import policy
from .errors import ConnectionFailed, ProtocolError, TickwireError, Unauthorized
from .rest import symbol_decimals
from .streams import Streams

TokenSource = Union[None, str, Callable[[], Union[str, Awaitable[str]]]]
RESNAPSHOT_S = 5.0  # a stream awaiting its repair snapshot asks again at most this often


@dataclass(frozen=True)
class Change:
    """One applied snapshot or update item. `state` is the stream's whole state after it (a
    ticker or candle dict, the recent trades list, or a book {bids, asks, checksum, ts}); it is
    the client's own object, updated in place by later items of ticker/candle/trades streams:
    copy it to keep it. `delta` is the item's `d` as received."""

    symbol: str
    channel: str
    seq: int
    kind: str  # "snapshot" | "update"
    state: Any
    delta: Any
    epoch: Optional[str]
    t: Optional[float] = None  # the message's server time, ms since epoch


class _Reconnect(Exception):
    """The server is ending the connection (slow_consumer, token_expired, unavailable)."""


class Client:
    """`async with Client(url, token=...) as client: async for change in client.stream([...])`.

    `url` is a server's base URL (http(s)://host:port, or its ws(s)://.../ws), or a list of them
    tried in turn. Reconnects after a lost connection (full-jitter backoff from `base_delay` to
    `max_delay` seconds; more than `max_retries` failed attempts in a row raise ConnectionFailed,
    None: never) and resumes every stream it holds with `since`. `token` is a string, or a
    function (sync or async) asked for a fresh token on every connection attempt. `on_status`
    is called with {"state": "live", "url"} after each hello and with {"state": "reconnecting",
    "attempt", "delay", "reason"} before each wait; `on_error` with each ProtocolError that does
    not end the stream (those that do are raised)."""

    def __init__(self, url: Union[str, Sequence[str]], token: TokenSource = None, *, base_delay: float = 0.05, max_delay: float = 2.0,
                 max_retries: Optional[int] = None, connect_timeout: float = 10.0,
                 random: Callable[[], float] = _random.random, clock: Callable[[], float] = time.monotonic,
                 on_clock: Optional[Callable[[dict[str, Any]], None]] = None,
                 on_status: Optional[Callable[[dict[str, Any]], None]] = None,
                 on_error: Optional[Callable[[ProtocolError], None]] = None) -> None:
        self.urls = [url] if isinstance(url, str) else list(url)
        if not self.urls:
            raise ValueError("no server URL")
        for u in self.urls:
            policy.ws_url(u, None)  # a bad URL fails here, not at the first connection
        self.url = self.urls[0]  # the one connected to (or tried) last
        self._token = token
        self._base, self._cap, self._max_retries = base_delay, max_delay, max_retries
        self._connect_timeout = connect_timeout
        self._random, self._clock = random, clock
        self._streams = Streams()
        self._ws: Any = None
        self._closed = False
        self._asked: dict[str, float] = {}  # stream key -> when its repair snapshot was last asked for
        self.reconnects = 0
        self.recovered: list[tuple[str, str]] = []  # streams resumed without loss, over all reconnects
        self.unrecovered: list[tuple[str, str]] = []  # streams that could not be resumed (a snapshot replaced them)
        self.errors: list[ProtocolError] = []  # errors that did not end the stream (see policy.ACTIONS)
        self.session: Optional[str] = None
        # Protocol 1.2: the market clock ({"mode": "live"}, or a replay's with `t`), from hello
        # and every `clock` message; `on_clock` is called with it each time it is set.
        self.clock: dict[str, Any] = {"mode": "live"}
        self._on_clock = on_clock
        self._on_status = on_status or (lambda _: None)
        self._on_error = on_error or (lambda _: None)
        self._latest_ts = float("-inf")

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        self._closed = True
        if self._ws is not None:
            await self._ws.close()

    def state(self, symbol: str, channel: str = "ticker") -> Any:
        """The stream's current state, None when not held."""
        st = self._streams.streams.get(f"{symbol}|{channel}")
        return None if st is None else st["state"]

    def position(self, symbol: str, channel: str = "ticker") -> Optional[tuple[Optional[str], int]]:
        """(epoch, seq) of the stream held, None when not held."""
        st = self._streams.streams.get(f"{symbol}|{channel}")
        return None if st is None else (st.get("epoch"), st["seq"])

    @property
    def gaps(self) -> int:
        return self._streams.gaps

    @property
    def checksums(self) -> dict[str, int]:
        """Book checksums: {verified, mismatched, unverified}."""
        return dict(self._streams.checksums)

    async def stream(self, symbols: Iterable[str], channels: Iterable[str] = ("ticker",),
                     throttle: float = 0) -> AsyncIterator[Change]:
        """Every applied change of `symbols` x `channels`, across reconnects, until close() or
        until the caller stops iterating. Raises a ProtocolError subclass when the server refuses
        the request (see policy.on_error), ConnectionFailed after `max_retries`."""
        wanted = {(s, c) for s in symbols for c in channels}
        if not wanted:
            raise ValueError("nothing to stream: give at least one symbol and one channel")
        failures = 0
        attempt = 0
        while not self._closed:
            token = await self._next_token()
            self.url = self.urls[attempt % len(self.urls)]
            attempt += 1
            try:
                self._ws = await websockets.connect(policy.ws_url(self.url, token), max_size=None,
                                                    open_timeout=self._connect_timeout)
            except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as e:
                status = policy.http_status(e)
                if status == 401 and not callable(self._token):
                    raise Unauthorized(f"token refused (HTTP 401) by {self.url}") from e
                failures += 1
                reason = policy.connection_cause(e, self.url)
                if self._max_retries is not None and failures > self._max_retries:
                    raise ConnectionFailed(f"connection failed after {failures} attempt{'s' if failures > 1 else ''}: {reason}",
                                           attempts=failures, cause=e) from e
                await self._wait(failures, reason)
                continue
            try:
                async for change in self._session(self._ws, wanted, throttle):
                    failures = 0  # live again
                    yield change
                reason = "connection closed"
            except (websockets.ConnectionClosed, OSError, asyncio.TimeoutError, _Reconnect) as e:
                reason = policy.connection_cause(e, self.url)  # lost: reconnect below
            finally:
                await self._ws.close()
            if self._closed:
                return
            self.reconnects += 1
            failures += 1
            await self._wait(failures, reason)

    async def _wait(self, failures: int, reason: str) -> None:
        delay = policy.backoff_delay(failures, self._base, self._cap, self._random)
        self._on_status({"state": "reconnecting", "attempt": failures + 1, "delay": delay, "reason": reason})
        await asyncio.sleep(delay)

    async def _next_token(self) -> Optional[str]:
        if not callable(self._token):
            return self._token
        t = self._token()
        return await t if inspect.isawaitable(t) else t

    async def _session(self, ws: Any, wanted: set[tuple[str, str]], throttle: float) -> AsyncIterator[Change]:
        """One connection: hello, subscribe (with `since` for the streams held), then changes."""
        hello = msgpack.unpackb(await asyncio.wait_for(ws.recv(), self._connect_timeout))
        if hello.get("type") != "hello" or hello.get("v") != 1:
            raise TickwireError(f"expected a hello (v 1), got {hello!r}")
        self.session = hello.get("session")
        self._on_status({"state": "live", "url": self.url, "transport": "ws"})
        self._set_clock(hello.get("clock"), hello.get("t"))
        streams = self._streams
        streams.book_depth = (hello.get("book") or {}).get("depth", 0)
        beat = hello.get("heartbeat")
        idle = max(5.0, 3 * beat / 1000) if isinstance(beat, (int, float)) and beat > 0 else None
        symbols = sorted({s for s, _ in wanted})
        channels = sorted({c for _, c in wanted})
        if "book" in channels and streams.decimals is None:
            try:
                loop = asyncio.get_running_loop()
                streams.decimals = await loop.run_in_executor(None, symbol_decimals, self.url, await self._next_token())
            except (OSError, ValueError):
                pass  # books stay unverified (Client.checksums) until a later connection fetches them
        sub: dict[str, Any] = {"type": "subscribe", "id": 1, "symbols": symbols, "channels": channels, "throttle": throttle}
        since = streams.positions(symbols, channels) if "history" in hello else []
        if since:
            sub["since"] = since
        await ws.send(msgpack.packb(sub))
        next_id = 2
        while True:
            msg = msgpack.unpackb(await asyncio.wait_for(ws.recv(), idle))
            kind = msg.get("type")
            if kind == "snapshot":
                for item in msg["items"]:
                    streams.apply_snapshot(item)
                    self._asked.pop(f"{item['s']}|{item['ch']}", None)
                    yield self._change(item, "snapshot", msg.get("t"))
            elif kind == "update":
                repair: list[tuple[str, str]] = []
                for item in msg["items"]:
                    before = streams.updates
                    bad = streams.apply_update(item)
                    if bad is None and streams.updates > before:
                        yield self._change(item, "update", msg.get("t"))
                    elif self._ask_again(f"{item['s']}|{item['ch']}"):
                        repair.append((item["s"], item["ch"]))
                for s, ch in repair:
                    await ws.send(msgpack.packb({"type": "snapshot", "id": next_id, "symbols": [s], "channels": [ch]}))
                    next_id += 1
            elif kind == "clock":
                self._set_clock(msg, msg.get("t"))
            elif kind == "subscribed":
                self.recovered += [(x["s"], x["ch"]) for x in msg.get("recovered") or []]
                self.unrecovered += [(x["s"], x["ch"]) for x in msg.get("unrecovered") or []]
            elif kind == "error":
                err = ProtocolError.from_message(msg)
                action, left = policy.on_error(msg, wanted)
                if action == policy.RAISE:
                    raise err
                if action == policy.RECONNECT:
                    raise _Reconnect(err.code)
                self.errors.append(err)
                self._on_error(err)
                wanted.intersection_update(left)
            # heartbeat, pong: nothing to do

    def _set_clock(self, clock: Any, t: Any) -> None:
        if isinstance(clock, dict) and clock.get("mode") == "replay":
            control = self.clock.get("control")  # told per connection in hello only
            self.clock = {k: v for k, v in clock.items() if k != "type"}
            self.clock.setdefault("t", t)
            if control is not None:
                self.clock.setdefault("control", control)
        else:
            self.clock = {"mode": "live"}
        self._latest_ts = float("-inf")
        if self._on_clock:
            self._on_clock(dict(self.clock))

    def market_now(self, now_ms: Optional[float] = None) -> float:
        """Market time now, ms since epoch (protocol 1.2 section 2): the wall clock when live;
        a replay's `at + (now - t) * speed` while playing, `at` while paused or ended, and at
        speed "max" the newest `ts` seen."""
        now = time.time() * 1000 if now_ms is None else now_ms
        c = self.clock
        if c.get("mode") != "replay":
            return now
        if c.get("paused") or c.get("ended"):
            return c["at"]
        if c.get("speed") == "max":
            return max(c["at"], self._latest_ts)
        return min(c["to"], c["at"] + (now - c["t"]) * c["speed"])

    def _ask_again(self, key: str) -> bool:
        """Whether to ask for a repair snapshot of a stream awaiting one (at most every RESNAPSHOT_S)."""
        if key not in self._streams.resyncing:
            return False
        now = self._clock()
        if now - self._asked.get(key, -RESNAPSHOT_S) < RESNAPSHOT_S:
            return False
        self._asked[key] = now
        return True

    def _change(self, item: dict[str, Any], kind: str, t: Any) -> Change:
        st = self._streams.streams[f"{item['s']}|{item['ch']}"]
        d = item.get("d")
        ts = d.get("ts") if isinstance(d, dict) else d[-1].get("ts") if isinstance(d, list) and d and isinstance(d[-1], dict) else None
        if isinstance(ts, (int, float)) and ts > self._latest_ts:
            self._latest_ts = ts
        return Change(item["s"], item["ch"], st["seq"], kind, st["state"], item.get("d"), st.get("epoch"),
                      t if isinstance(t, (int, float)) else None)
