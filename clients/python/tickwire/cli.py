"""`tickwire-subscribe` (also `python3 -m tickwire`): the command-line subscriber, a thin layer
over tickwire.Client with the Node CLI's flags, output and exit codes (USAGE in args.py).

NDJSON (the default when piped): one line per applied change on stdout (for trades, only the
new ones); status and server errors on stderr. Table (the default on a terminal): redrawn at
most 10 times a second, fitted to the terminal's height; piped, written once at the end."""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from typing import Any, Optional

from .args import USAGE, Args, UsageError, parse_args
from .client import Client
from .errors import ConnectionFailed, ProtocolError, Unauthorized
from .names import resolve_symbols, suggestion
from .rest import served_symbols
from .view import Row, change_line, error_line, fit_lines, plain, redraw, sgr, status_text, table_lines

EXIT_DONE, EXIT_USAGE, EXIT_REFUSED, EXIT_CONNECTION = 0, 2, 3, 4
REFUSALS = ("unknown_symbol", "unknown_channel", "forbidden", "limit_exceeded")
REDRAW_S = 0.1


def main(argv: Optional[list[str]] = None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv, os.environ)
    except UsageError as e:
        print(f"{e}\n\n{USAGE}", file=sys.stderr)
        return EXIT_USAGE
    if args.help:
        print(USAGE)
        return EXIT_DONE
    try:
        return asyncio.run(Run(args).main())
    except BrokenPipeError:  # the reader went away (`| head`): a normal end
        sys.stderr.close()
        return EXIT_DONE


class Run:
    def __init__(self, args: Args) -> None:
        self.args = args
        tty = sys.stdout.isatty()
        self.format = args.format or ("table" if tty else "ndjson")
        self.live = self.format == "table" and tty  # the redrawn table owns the screen
        colour = lambda on: on and not os.environ.get("NO_COLOR")  # noqa: E731
        self.err_red = sgr(31) if colour(sys.stderr.isatty()) else plain
        self.green, self.red = (sgr(32), sgr(31)) if colour(self.live) else (plain, plain)
        self.served: Optional[list[dict[str, Any]]] = None
        self.rows = {s: Row(s) for s in args.symbols}
        self.status: dict[str, Any] = {"state": "connecting"}
        self.changes = 0
        self.error: Optional[str] = None
        self.drawn_at = 0.0

    def note(self, line: str, paint: Any = plain) -> None:
        """A line on stderr, unless the live table owns the screen (its status line says it)."""
        if not self.live:
            print(paint(line), file=sys.stderr, flush=True)

    async def symbols(self) -> list[str]:
        """The server's symbol names (fetched once; empty when it does not answer)."""
        if self.served is None:
            try:
                self.served = await asyncio.get_running_loop().run_in_executor(None, served_symbols, self.args.urls[0], self.args.token, 3)
            except (OSError, ValueError):
                self.served = []
            for e in self.served:
                if e["symbol"] in self.rows and isinstance(e.get("decimals"), int):
                    self.rows[e["symbol"]].decimals = e["decimals"]
        return [e["symbol"] for e in self.served]

    def on_status(self, s: dict[str, Any]) -> None:
        if s["state"] != self.status.get("state") or s["state"] == "reconnecting":
            self.note(status_text(s, self.changes))
        self.status = s

    def on_error(self, e: ProtocolError) -> None:
        self.error = error_line(e)
        self.note(self.error, self.err_red)
        if e.code == "unknown_symbol" and self.served:
            for s in e.symbols:
                self.note(suggestion(s, [x["symbol"] for x in self.served]), self.err_red)

    async def main(self) -> int:
        a = self.args
        if any(s != s.upper() for s in a.symbols):
            a.symbols = resolve_symbols(a.symbols, await self.symbols())
            self.rows = {s: Row(s) for s in a.symbols}
        if self.format == "table" or not self.served:
            asyncio.get_running_loop().create_task(self.symbols())  # decimals; names for suggestions
        task = asyncio.current_task()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, task.cancel)  # type: ignore[union-attr]
        if self.live:
            sys.stdout.write("\x1b[?1049h\x1b[?25l")  # alternate screen, cursor hidden
            asyncio.get_running_loop().create_task(self.tick())
        code, message = EXIT_DONE, None
        client = Client(a.urls, a.token, max_retries=a.retries, on_status=self.on_status, on_error=self.on_error)
        try:
            code, message = await self.stream(client)
        except asyncio.CancelledError:
            pass  # Ctrl-C or SIGTERM: done
        finally:
            await client.close()
            if self.live:
                sys.stdout.write("\x1b[?25h\x1b[?1049l")  # cursor back, normal screen
            if self.format == "table":
                sys.stdout.write("\n".join(self.lines(False)) + "\n")  # the last view stays
            sys.stdout.flush()
        if message:
            print(self.err_red(message), file=sys.stderr, flush=True)
        return code

    async def stream(self, client: Client) -> tuple[int, Optional[str]]:
        a = self.args
        try:
            async for c in client.stream(a.symbols, a.channels, a.throttle):
                self.changes += 1
                if self.format == "ndjson":
                    sys.stdout.write(change_line(c) + "\n")
                    sys.stdout.flush()
                else:
                    self.keep(c)
                if a.count is not None and self.changes >= a.count:
                    return EXIT_DONE, None
        except ConnectionFailed as e:
            return EXIT_CONNECTION, str(e)
        except Unauthorized as e:
            return EXIT_CONNECTION, f"connection failed: {e}"
        except ProtocolError as e:  # the whole request refused
            if e.code == "unknown_symbol":
                await self.symbols()  # for "did you mean"
            self.on_error(e)
            return EXIT_REFUSED, "every symbol asked for was refused" if e.code in REFUSALS else None
        return EXIT_DONE, None

    async def tick(self) -> None:
        """Ages keep growing while nothing changes: the live table is redrawn once a second anyway."""
        while True:
            self.draw()
            await asyncio.sleep(1)

    def draw(self) -> None:
        self.drawn_at = time.monotonic()
        sys.stdout.write(redraw(self.lines(True)))
        sys.stdout.flush()

    def keep(self, c: Any) -> None:
        row = self.rows.get(c.symbol)
        if row is None:
            return
        if c.channel == "ticker":
            row.ticker = (c.seq, c.state)
        elif c.channel == "trades" and c.state:
            row.last_trade = c.state[-1]
        elif c.channel == "book":
            row.book = c.state
        if self.live and time.monotonic() - self.drawn_at >= REDRAW_S:
            self.draw()

    def lines(self, fit: bool) -> list[str]:
        out = table_lines(list(self.rows.values()), status_text(self.status, self.changes, self.error),
                          time.time() * 1000, self.green, self.red)
        return fit_lines(out, shutil.get_terminal_size().lines) if fit else out
