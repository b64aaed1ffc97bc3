"""The app factory for Pilot and snapshot tests: the real app on a private copy of the sample store."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from trialstack_tui.config import StoreLocation, resolve_store
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path
from trialstack_tui.tui import launch
from trialstack_tui.tui.app import TrialStackApp
from trialstack_tui.tui.launch import StoreOpener
from trialstack_tui.tui.screens.base import ReviewScreen
from trialstack_tui.tui.review_window import ReviewWindow

AppFactory = Callable[..., TrialStackApp]


@pytest.fixture
def make_app(sample_db: Path) -> Iterator[AppFactory]:
    """Build the app as `trialstack-tui` does (`launch.make_app`) on the sample store; the store label is fixed
    so snapshots do not depend on tmp paths. Every opener is closed after the test."""
    openers: list[StoreOpener] = []

    def factory(*, read_only: bool = False, days: int = 30, db: Path | None = None,
                keymap: dict[str, str] | None = None, theme: str | None = None) -> TrialStackApp:
        return launched(resolve_store(str(db or sample_db)), openers, read_only=read_only, days=days,
                        keymap=keymap, theme=theme)

    yield factory
    for opener in openers:
        opener.close()


def launched(location: StoreLocation, openers: list[StoreOpener], *, read_only: bool = False, days: int = 30,
             keymap: dict[str, str] | None = None, theme: str | None = None,
             store_label: str = "sample.db") -> TrialStackApp:
    """The app from the command's own factory; its opener joins `openers`, for the caller to close."""
    app, opener = launch.make_app(location, read_only=read_only, window=ReviewWindow(days=days), keymap=keymap,
                                  theme=theme, store_label=store_label)
    openers.append(opener)
    return app


async def settle(pilot: Pilot) -> None:
    """Wait until every worker finished, no screen shows its loading indicator and none is still mounting what
    it shows below the fold (an org's flags, workspaces and untrained users)."""
    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        busy = any(w.loading for w in screen.query("#body, #comparison")) or getattr(screen, "filling", False)
        if not busy and not any(not w.is_finished for w in app.workers):
            return
    raise AssertionError("the app did not settle")


async def ended(pilot: Pilot, within: float = 2.0) -> int | None:
    """The app's exit status once it has ended on its own, waiting up to `within` seconds (None: still running)."""
    for _ in range(round(within / 0.02)):
        if pilot.app.return_code is not None:
            break
        await pilot.pause(0.02)
    return pilot.app.return_code


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys, letting the app settle after each one."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def panel_text(panel: Static) -> str:
    """A Static's content as plain text, laid out at the panel's width (side panels hold Rich grids)."""
    console = Console(width=panel.content_region.width or 80, color_system=None, record=True, file=io.StringIO())
    console.print(panel.content)
    return console.export_text()


def screen_text(app: TrialStackApp) -> str:
    """What the terminal shows now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def current(pilot: Pilot) -> ReviewScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen), f"expected a review screen, got {screen!r}"
    return screen


def store_of_orgs(
    tmp_path: Path, names: dict[str, str], *, workflow: str = "Intake", owner: str = "Dana", events_per_org: int = 3
) -> Path:
    """A SQLite store of small orgs named as given (org id → name), each with one workflow and some events."""
    folder = tmp_path / f"orgs-{len(list(tmp_path.iterdir()))}"
    write_org_set(folder / "data", names, workflow=workflow, owner=owner, events_per_org=events_per_org)
    db = folder / "store.db"
    with Store(resolve_store(str(db))) as store:
        import_path(store, folder / "data")
    return db


def write_org_set(
    folder: Path, names: dict[str, str], *, workflow: str = "Intake", owner: str = "Dana", events_per_org: int = 3
) -> None:
    """Import files for small orgs: names go through JSONL, so any character can be in them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organizations.jsonl").write_text("".join(
        json.dumps({"org_id": k, "name": v, "plan": "Team", "seats": 10, "included_credits": 100}) + "\n"
        for k, v in names.items()
    ))
    (folder / "workspaces.csv").write_text("workspace_id,org_id,name\n" + "".join(f"w-{k},{k},Main\n" for k in names))
    (folder / "workflows.csv").write_text(
        "workflow_id,workspace_id,name,area,owner,ai_assisted,queue_backed\n"
        + "".join(f"f-{k},w-{k},{workflow},Enrollment,{owner},true,false\n" for k in names)
    )
    (folder / "events.csv").write_text(
        "event_id,ts,workflow_id,user_id,kind,outcome,credits\n"
        + "".join(
            f"e-{k}-{i},2026-11-{1 + i % 20:02d}T09:00:00,f-{k},u-{k}-{i % 7},ai,accepted,1\n"
            for k in names for i in range(events_per_org)
        )
    )
