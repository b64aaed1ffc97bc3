"""Launching the TUI: the one app factory that the command, the tests and the benchmark share.

The only module of `tui/` that reaches the store and the review seam, and it imports them only inside the
opener, which runs on the app's worker thread after the first frame: the TUI draws before SQLAlchemy loads.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ..config import StoreLocation
from ..safe_text import terminal_text
from .app import TrialStackApp
from .review_window import ReviewWindow

if TYPE_CHECKING:
    from ..review import Review
    from ..store import Store
    from ..summary_ahead import SummaryAhead

Prepare = Callable[["Store"], "str | None"]
"""Runs once the store is open (the command fills a first-run default store there); may return a notice."""


class StoreOpener:
    """The app's opener for a store location: opens it (on the app's worker) and closes it afterwards.

    `notices` keeps every notice (an upgrade, a first-run import), to print again when the terminal is back.
    """

    def __init__(self, location: StoreLocation, *, read_only: bool, prepare: Prepare | None = None,
                 ahead: SummaryAhead | None = None) -> None:
        self.location = location
        self.read_only = read_only
        self.prepare = prepare
        self.ahead = ahead  # stopped by `close` if the app never took its answer
        self.notices: list[str] = []
        self._store: Store | None = None
        self._opening = threading.Lock()

    def __call__(self) -> tuple[Review, str | None]:
        from ..review import Review
        from ..store import Store

        with self._opening:
            self._store = Store(self.location, read_only=self.read_only)
            prepared = self.prepare(self._store) if self.prepare else None
            self.notices = [note for note in (self._store.upgrade_note, prepared) if note]
            return Review(self._store), "; ".join(self.notices) or None

    def close(self) -> None:
        """Close the store; an administrator who quit while it was opening waits for the opening to end."""
        if self.ahead is not None:
            self.ahead.close()
        with self._opening:
            if self._store is not None:
                self._store.close()
                self._store = None


def make_app(
    location: StoreLocation,
    *,
    read_only: bool = False,
    window: ReviewWindow | None = None,
    prepare: Prepare | None = None,
    keymap: dict[str, str] | None = None,
    theme: str | None = None,
    store_label: str | None = None,
    ahead: SummaryAhead | None = None,
) -> tuple[TrialStackApp, StoreOpener]:
    """The app over a store location, as `trialstack-tui` runs it: the store opens behind the first frame.

    Returns the app and its opener; whoever runs the app closes the opener after it (`run_tui` does).
    `store_label` replaces the location's own in the header (snapshot tests fix it). `ahead`, the helper
    reading the first summary that the command started before it imported Textual (`summary_ahead`), gives the
    app its first summary; closing the opener stops it if the app never took that.
    """
    opener = StoreOpener(location, read_only=read_only, prepare=prepare, ahead=ahead)
    app = TrialStackApp(
        opener, store_label=store_label or location.display, read_only=read_only,
        window=window or ReviewWindow(), keymap=keymap, theme=theme, ahead=ahead,
    )
    return app, opener


def run_tui(
    location: StoreLocation,
    *,
    read_only: bool,
    days: int,
    as_of: date | None,
    prepare: Prepare | None = None,
    keymap: dict[str, str] | None = None,
    theme: str | None = None,
    ahead: SummaryAhead | None = None,
) -> int:
    """Run the app until the administrator quits; then print its notices and any failure, once the terminal
    is back. Returns the exit status."""
    app, opener = make_app(location, read_only=read_only, window=ReviewWindow(days, as_of), prepare=prepare,
                           keymap=keymap, theme=theme, ahead=ahead)
    try:
        app.run()
    finally:
        opener.close()
    for line in (*(f"trialstack-tui: {notice}" for notice in opener.notices), app.failure):
        if line:
            print(terminal_text(line), file=sys.stderr)
    return app.return_code or 0
