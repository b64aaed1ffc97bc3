"""The app factory for Pilot and snapshot tests: the real app on a private copy of the sample store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from trialstack_tui.config import resolve_store
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.tui.app import TrialStackApp
from trialstack_tui.tui.screens.base import ReviewScreen
from trialstack_tui.tui.state import ReviewWindow

AppFactory = Callable[..., TrialStackApp]


@pytest.fixture
def make_app(sample_db: Path) -> Iterator[AppFactory]:
    """Build the app on the sample store; the store label is fixed so snapshots do not depend on tmp paths."""
    stores: list[Store] = []

    def factory(*, read_only: bool = False, days: int = 30, db: Path | None = None) -> TrialStackApp:
        store = Store(resolve_store(str(db or sample_db)), read_only=read_only)
        stores.append(store)
        return TrialStackApp(
            Review(store), store_label="sample.db", read_only=read_only, window=ReviewWindow(days=days)
        )

    yield factory
    for store in stores:
        store.close()


async def settle(pilot: Pilot) -> None:
    """Wait until every worker finished and no screen shows its loading indicator."""
    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        busy = any(w.loading for w in screen.query("#body, #comparison"))
        if not busy and not any(not w.is_finished for w in app.workers):
            return
    raise AssertionError("the app did not settle")


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys, letting the app settle after each one."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def current(pilot: Pilot) -> ReviewScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen), f"expected a review screen, got {screen!r}"
    return screen
