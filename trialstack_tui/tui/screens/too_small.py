"""Shown instead of a cramped, broken layout when the terminal is smaller than the app needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

MIN_WIDTH = 76
MIN_HEIGHT = 20

if TYPE_CHECKING:
    from ..app import TrialStackApp


class TooSmallScreen(ModalScreen[None]):
    """Says how big the terminal must be; the app takes it away once the terminal is big enough."""

    if TYPE_CHECKING:  # typed for the checker only: importing the app here would be circular at run time
        @property
        def app(self) -> TrialStackApp: ...

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self._update()

    def on_resize(self) -> None:
        self._update()
        self.app.check_size()

    def _update(self) -> None:
        w, h = self.app.size
        self.query_one("#too-small", Static).update(
            Text(
                f"trialstack-tui needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {w}×{h}.\n"
                "Enlarge the window (or zoom out) to continue. q quits.",
                justify="center",
            )
        )
