"""The first summary read ahead by a helper process (`summary_ahead`), as `trialstack-tui` starts it: shown
before the app's own store has opened, only for the window it was read for, never from the empty default
store that a first run is about to fill, and the helper stopped whenever its answer is not taken."""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from trialstack_tui import cli
from trialstack_tui.config import StoreLocation, resolve_store
from trialstack_tui.errors import StoreError
from trialstack_tui.metrics.window_days import DEFAULT_DAYS
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path
from trialstack_tui.summary_ahead import SummaryAhead
from trialstack_tui.tui import app as app_module, launch
from trialstack_tui.tui.app import TrialStackApp
from trialstack_tui.tui.review_window import ReviewWindow
from trialstack_tui.tui.screens.summary import SummaryScreen

from .conftest import ended, settle


class _CountedReview(Review):
    """The seam, counting the summaries it reads."""

    summaries = 0

    def summary(self, *args, **kwargs):
        type(self).summaries += 1
        return super().summary(*args, **kwargs)


@pytest.fixture(autouse=True)
def _count_from_zero() -> None:
    _CountedReview.summaries = 0


def _held_opener(location: StoreLocation, may_open: threading.Event, stores: list[Store]):
    """The app's own opener, held until the test lets it open the store (its seam counts summaries)."""

    def opener() -> tuple[Review, str | None]:
        assert may_open.wait(60), "the test never let the store open"
        store = Store(location)
        stores.append(store)
        return _CountedReview(store), None

    return opener


async def _first_summary(location: StoreLocation, ahead: SummaryAhead, *, days: int = 30, hold: bool):
    """Run the app with `ahead` and its own store held shut (`hold`) or not; return the summary it shows
    first, whether it showed it with its own store still shut, and the store's own summary of the window."""
    may_open, stores = threading.Event(), []
    if not hold:
        may_open.set()
    app = TrialStackApp(_held_opener(location, may_open, stores), store_label="sample.db",
                        window=ReviewWindow(days=days), ahead=ahead)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, SummaryScreen)
            for _ in range(600):  # the helper imports SQLAlchemy and reads: up to a few seconds on CI
                if screen.model is not None:
                    break
                await pilot.pause(0.02)
            shown, before_open = screen.model, not stores
            may_open.set()
            await settle(pilot)
    finally:
        ahead.close()
        for store in stores:
            store.close()
    with Store(location, read_only=True) as store:
        expected = Review(store).summary(days=days)
    return shown, before_open, expected


async def test_the_first_summary_is_the_helpers_shown_before_the_app_opens_its_store(sample_db: Path) -> None:
    location = resolve_store(str(sample_db))
    shown, before_open, expected = await _first_summary(location, SummaryAhead(location, 30, None), hold=True)
    assert before_open and _CountedReview.summaries == 0  # not the app's own read: it was never asked
    assert shown == expected and len(shown.orgs) == 16


async def test_the_app_opens_its_own_store_once_the_helpers_summary_is_painted(sample_db: Path) -> None:
    # Both importing SQLAlchemy at once, the helper's answer waited for a core (through tmux at 10M: the
    # summary 300 ms later than with the app's opening after it); the import beside the summary's first paint
    # took the interpreter from that paint (its answer to the painted frame: 83-96 ms, against 60-63 after).
    location = resolve_store(str(sample_db))
    ahead = SummaryAhead(location, 30, None)
    answered_before_opening, painted_before_opening, stores = [], [], []
    app: TrialStackApp

    def opener() -> tuple[Review, str | None]:
        answered_before_opening.append(ahead.settled.is_set())
        painted_before_opening.append(app.screen.model is not None)
        store = Store(location)
        stores.append(store)
        return _CountedReview(store), None

    app = TrialStackApp(opener, store_label="sample.db", window=ReviewWindow(days=30), ahead=ahead)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, SummaryScreen) and len(app.screen.model.orgs) == 16
    finally:
        ahead.close()
        for store in stores:
            store.close()
    assert answered_before_opening == [True] and _CountedReview.summaries == 0
    assert painted_before_opening == [True]


async def test_the_summarys_modules_load_while_the_helper_reads(sample_db: Path, monkeypatch) -> None:
    # The helper's answer unpickles into the metrics' dataclasses: imported after it arrived, in front of its
    # paint (33-50 ms at 10M); imported on the opener's worker once the first frame is painted, they are loaded
    # by the time it answers.
    location = resolve_store(str(sample_db))
    ahead = SummaryAhead(location, 30, None)
    loaded: list[tuple[str, bool]] = []

    def recorded(name: str):
        loaded.append((name, ahead.settled.is_set()))
        return importlib.import_module(name)

    monkeypatch.setattr(app_module, "import_module", recorded)
    shown, _before_open, expected = await _first_summary(location, ahead, hold=False)
    assert shown == expected
    assert loaded == [("trialstack_tui.metrics.summary", False)]  # once, before the helper answered


async def test_quitting_while_the_helper_reads_opens_no_store(sample_db: Path) -> None:
    location = resolve_store(str(sample_db))
    ahead = SummaryAhead(location, 30, None)
    opened: list[Store] = []

    def opener() -> tuple[Review, str | None]:
        opened.append(Store(location))
        return Review(opened[-1]), None

    app = TrialStackApp(opener, store_label="sample.db", window=ReviewWindow(days=30), ahead=ahead)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        workers = list(app.workers)  # the store's opening (waiting for the helper) and the summary's load
        app.exit()
    ahead.close()  # as the opener's close does once the app has ended
    for _ in range(250):
        if all(w.is_finished for w in workers):
            break
        await asyncio.sleep(0.02)
    assert workers and all(w.is_finished for w in workers), [w.state for w in workers]
    await asyncio.sleep(1.0)  # the opening's thread, woken by the helper's end, would open the store now
    assert opened == []  # the app had ended: nothing opened the store after it


async def test_the_helper_reads_postgresql_too(pg_location: StoreLocation, sample_dir: Path) -> None:
    with Store(pg_location) as store:
        import_path(store, sample_dir)
    shown, before_open, expected = await _first_summary(pg_location, SummaryAhead(pg_location, 30, None), hold=True)
    assert before_open and _CountedReview.summaries == 0
    assert shown == expected and len(shown.orgs) == 16


@pytest.fixture
def _no_time_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's own opening never gives up waiting for the helper: where the helper has no summary to paint,
    the store must open at once, not after AHEAD_WAIT."""
    monkeypatch.setattr(app_module, "AHEAD_WAIT", 30.0)  # longer than the test waits for a first summary


@pytest.mark.usefixtures("_no_time_out")
async def test_a_window_the_helper_did_not_read_is_read_from_the_store(sample_db: Path) -> None:
    location = resolve_store(str(sample_db))
    ahead = SummaryAhead(location, 90, None)
    helper = ahead._process
    shown, _, expected = await _first_summary(location, ahead, days=30, hold=False)
    assert _CountedReview.summaries == 1 and shown == expected and shown.window.days == 30
    assert helper is not None and helper.returncode is not None  # stopped, not left running


@pytest.mark.usefixtures("_no_time_out")
async def test_a_helper_that_fails_leaves_the_summary_to_the_store(sample_db: Path, tmp_path: Path) -> None:
    ahead = SummaryAhead(resolve_store(str(tmp_path / "no-such-store.db")), 30, None)
    shown, _, expected = await _first_summary(resolve_store(str(sample_db)), ahead, hold=False)
    assert _CountedReview.summaries == 1 and shown == expected and len(shown.orgs) == 16
    assert not (tmp_path / "no-such-store.db").exists()  # the helper only reads: it made no store


def test_an_empty_default_store_is_never_summarised_ahead(tmp_path: Path) -> None:
    path = tmp_path / "usage.db"
    with Store(resolve_store(str(path))):
        pass  # a store with its tables and no data, as a first run finds it (and fills it before a summary)
    default = StoreLocation(url=f"sqlite:///{path}", path=path, is_default=True)
    assert SummaryAhead(default, 30, None).take(30, None) is None


def test_the_helper_answers_once_and_closing_stops_it(sample_db: Path) -> None:
    location = resolve_store(str(sample_db))
    ahead = SummaryAhead(location, 30, None)
    assert ahead.take(30, None) is not None and ahead.take(30, None) is None
    untaken = SummaryAhead(location, 30, None)
    helper = untaken._process
    untaken.close()
    assert helper is not None and helper.returncode is not None and untaken.take(30, None) is None


def test_the_helper_reads_without_the_cyclic_collector(sample_db: Path) -> None:
    # Its imports and its read leave next to no cycles; collecting walked their objects ~200 times (~60 ms
    # of its answer at 10M). Run as the app runs it, but ending by telling whether the collector was on.
    script = (
        "import gc, os, sys\n"
        "from trialstack_tui import summary_ahead\n"
        "exit_now = os._exit\n"
        "def end(status):\n"
        "    sys.stderr.write(f'collector on: {gc.isenabled()}\\n'); sys.stderr.flush(); exit_now(status)\n"
        "os._exit = end\n"
        "summary_ahead._read_summary()\n"
    )
    request = pickle.dumps((resolve_store(str(sample_db)), 30, None))
    done = subprocess.run([sys.executable, "-c", script], input=request, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert len(pickle.loads(done.stdout).orgs) == 16  # it did answer
    assert done.stderr.decode().strip() == "collector on: False"


def test_closing_the_opener_stops_an_untaken_helper(sample_db: Path) -> None:
    location = resolve_store(str(sample_db))
    ahead = SummaryAhead(location, 30, None)
    helper = ahead._process
    _app, opener = launch.make_app(location, ahead=ahead)  # the app never ran: nothing took the answer
    opener.close()
    assert helper is not None and helper.returncode is not None


def test_the_store_location_never_reaches_the_helpers_command_line() -> None:
    location = StoreLocation(url="postgresql+psycopg://admin:s3cret@127.0.0.1:1/usage", path=None, is_default=False)
    ahead = SummaryAhead(location, 30, None)
    helper = ahead._process
    assert helper is not None and helper.args == [sys.executable, "-m", "trialstack_tui.summary_ahead"]
    assert ahead.take(30, None) is None  # nothing listens on port 1: the helper fails, the app would read


def test_no_helper_on_one_core(monkeypatch: pytest.MonkeyPatch, sample_db: Path) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert SummaryAhead.start(resolve_store(str(sample_db)), 30, None) is None


def test_where_the_system_cannot_say_which_cores_the_machines_count(monkeypatch: pytest.MonkeyPatch,
                                                                    sample_db: Path) -> None:
    monkeypatch.delattr(os, "sched_getaffinity")  # as on macOS
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert SummaryAhead.start(resolve_store(str(sample_db)), 30, None) is None
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    ahead = SummaryAhead.start(resolve_store(str(sample_db)), 30, None)
    assert ahead is not None
    ahead.close()


def test_the_command_starts_the_helper_for_the_window_it_opens(monkeypatch: pytest.MonkeyPatch, sample_db: Path) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    started: dict = {}

    def run_tui(location, **kwargs) -> int:
        started.update(kwargs, location=location)
        kwargs["ahead"].close()
        return 0

    monkeypatch.setattr(launch, "run_tui", run_tui)
    assert cli.main(["--db", str(sample_db)]) == 0
    ahead = started["ahead"]
    assert isinstance(ahead, SummaryAhead) and ahead.location == started["location"] == resolve_store(str(sample_db))
    assert (ahead.days, ahead.as_of) == (started["days"], started["as_of"]) == (DEFAULT_DAYS, None)



def test_the_command_starts_the_app_with_the_collector_held(monkeypatch: pytest.MonkeyPatch, sample_db: Path) -> None:
    # Its imports, first frame and summary paint make ~100k long-lived objects and next to no cycles:
    # collecting walked them 84 times before the first frame alone (16 ms).
    held: list[bool] = []

    def run_tui(location, **kwargs) -> int:
        held.append(not gc.isenabled())
        if kwargs["ahead"] is not None:
            kwargs["ahead"].close()
        return 0

    monkeypatch.setattr(launch, "run_tui", run_tui)
    try:
        assert cli.main(["--db", str(sample_db)]) == 0
    finally:
        gc.enable()
    assert held == [True]


@pytest.mark.parametrize("opens", [True, False])
async def test_the_collector_runs_again_once_the_store_has_opened_or_failed(sample_db: Path, opens: bool) -> None:
    location = resolve_store(str(sample_db))

    def opener() -> tuple[Review, str | None]:
        if not opens:
            raise StoreError("the store cannot be opened")
        return Review(Store(location)), None

    gc.disable()  # as the command starts the app
    try:
        app = TrialStackApp(opener, store_label="sample.db", window=ReviewWindow(days=30))
        async with app.run_test(size=(120, 40)) as pilot:
            if opens:
                await settle(pilot)
            else:  # the opener's failure ends the app (after its `finally`), cancelling the screens' workers
                assert await ended(pilot, within=5.0) == 2
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0  # what the start made is frozen, not walked again
    finally:
        gc.enable()
        if opens and app._review.done():
            app._review.result().store.close()
