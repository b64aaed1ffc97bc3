"""Start-up: the first frame is drawn before the store opens; the store opens on a worker behind it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from trialstack_tui.config import resolve_store
from trialstack_tui.errors import StoreError
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.tui.app import TrialStackApp
from trialstack_tui.tui.screens.summary import SummaryScreen

from .conftest import ended, settle


async def test_the_summary_frame_is_up_while_the_store_is_still_opening(sample_db: Path) -> None:
    may_open = threading.Event()
    stores: list[Store] = []

    def opener() -> tuple[Review, str | None]:
        assert may_open.wait(30), "the test never let the store open"
        store = Store(resolve_store(str(sample_db)))
        stores.append(store)
        return Review(store), "upgraded sample.db from schema 1 to 2"

    app = TrialStackApp(opener=opener, store_label="sample.db")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SummaryScreen)
            assert screen.query_one("#body").loading  # drawn, waiting for its data
            assert screen.model is None and not stores
            may_open.set()
            await settle(pilot)
            assert screen.model is not None and not screen.query_one("#body").loading
            assert screen.query_one("#orgs").row_count == 16
            messages = [n.message for n in app._notifications]
            assert "upgraded sample.db from schema 1 to 2" in messages
            # The prefetcher reaches the store the opener opened.
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.model.org.org.org_id == screen.query_one("#orgs").selected_key
    finally:
        for store in stores:
            store.close()


async def _exit_of(opener) -> tuple[int | None, str | None]:
    app = TrialStackApp(opener=opener, store_label="x.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await ended(pilot)
    return app.return_code, app.failure  # run_tui prints the failure on stderr once the terminal is back


async def test_a_store_that_cannot_open_ends_the_app_with_exit_status_2() -> None:
    def opener() -> tuple[Review, str | None]:
        raise StoreError("cannot create store /proc/[bold]nope[/]/x.db: No such file or directory")

    assert await _exit_of(opener) == (
        2, "trialstack-tui: cannot create store /proc/[bold]nope[/]/x.db: No such file or directory"
    )


async def test_an_unforeseen_fault_while_opening_ends_the_app_with_one_line_and_exit_status_1(monkeypatch) -> None:
    monkeypatch.delenv("TRIALSTACK_DEBUG", raising=False)

    def opener() -> tuple[Review, str | None]:
        raise RuntimeError("disk on fire")

    assert await _exit_of(opener) == (
        1, "trialstack-tui: unexpected error: RuntimeError: disk on fire (TRIALSTACK_DEBUG=1 shows details)"
    )
    monkeypatch.setenv("TRIALSTACK_DEBUG", "1")
    status, failure = await _exit_of(opener)
    assert status == 1 and failure.startswith("Traceback") and "RuntimeError: disk on fire" in failure


async def test_quitting_while_the_store_opens_leaves_no_screen_waiting_for_it(sample_db: Path) -> None:
    app_closed = threading.Event()
    stores: list[Store] = []

    def opener() -> tuple[Review, str | None]:
        assert app_closed.wait(30)
        store = Store(resolve_store(str(sample_db)))
        stores.append(store)
        return Review(store), None

    app = TrialStackApp(opener=opener, store_label="sample.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        workers = list(app.workers)  # the store's opening and the summary's load, waiting for it
        assert len(workers) == 2
        app.exit()
    app_closed.set()
    for _ in range(250):
        if all(w.is_finished for w in workers):
            break
        await asyncio.sleep(0.02)
    assert all(w.is_finished for w in workers), [w.state for w in workers]
    assert screen.model is None  # nothing was drawn into the closed app
    for store in stores:
        store.close()
