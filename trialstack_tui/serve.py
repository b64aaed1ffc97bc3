"""`trialstack-tui serve`: the same app in a browser, through textual-serve.

Each browser tab gets an app process of its own (`python -m trialstack_tui …`), which textual-serve drives
over a web socket. The server has no login, so it listens on 127.0.0.1 unless told otherwise; administrators
reach it through an SSH tunnel (`ssh -L 8000:127.0.0.1:8000 host`).
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import sys
from collections.abc import Sequence

from .config import ENV_DB
from .errors import UserFacingError

DEFAULT_PORT = 8000
LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def app_command(tui_args: Sequence[str]) -> str:
    """The shell command textual-serve runs for each browser tab: this interpreter, this package, the TUI."""
    return shlex.join([sys.executable, "-m", "trialstack_tui", *tui_args])


def serve(host: str, port: int, tui_args: Sequence[str], *, store: str | None) -> None:
    """Serve the TUI on host:port until interrupted (Ctrl+C or SIGTERM); `store` is the `--db` given, if any."""
    from textual_serve.server import Server  # aiohttp and friends: only for this command

    if store is not None:
        os.environ[ENV_DB] = store  # each app process inherits the environment
    server = Server(app_command(tui_args), host=host, port=port, title="trialstack-tui")
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or the address is not this machine's
        reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)  # asyncio's own text repeats the address
        raise UserFacingError(f"cannot serve on {host}:{port}: {reason}") from None
