"""SVG snapshots of every screen on the sample data: at 80×24 (the SSH pane it is made for), at the 76×20
minimum and at 120×40, each in colour and under NO_COLOR."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import Input

from trialstack_tui.config import resolve_store
from trialstack_tui import review as review_module
from trialstack_tui.review import Review
from trialstack_tui.store import Store, followups
from trialstack_tui.marks import MarkRequest

from .conftest import press, settle

SIZES = [
    pytest.param((80, 24), id="80x24"),
    pytest.param((76, 20), id="76x20"),
    pytest.param((120, 40), id="120x40"),
]
COLOURS = [pytest.param(False, id="colour"), pytest.param(True, id="no_color")]


def _route(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await press(pilot, *keys)
        # A blinking cursor is caught visible or not depending on how busy the machine is: hold it shown.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


SCREENS = {
    "summary": (),
    "org": ("slash", *"cedar", "enter", "enter"),
    "workflow": ("slash", *"cedar", "enter", "enter", "enter"),
    "rollout": ("c", "j", "j", "enter"),
    "billing": ("b",),
    "followups": ("f",),
    "help": ("question_mark",),
    # Over the summary: over the workflow screen, its chart legend's background came out two ways from run to run.
    "mark_dialog": ("m",),
    "as_of_dialog": ("a",),
}


@pytest.fixture
def marked(sample_db, monkeypatch) -> None:
    """Two marks with fixed times and author, for the follow-ups screen."""
    monkeypatch.setattr(followups, "_now", lambda: datetime(2026, 11, 21, 9, 30))
    monkeypatch.setattr(review_module, "_os_user", lambda: "admin")
    with Store(resolve_store(str(sample_db))) as store:
        review = Review(store)
        review.mark(MarkRequest(target_type="workflow", reason="high_error_rate", workflow_id="wf-lm-1a", org_id="org-lm",
                    note="errors since the second review step"))
        review.mark(MarkRequest(target_type="org", reason="overage", owner="Finance Desk", org_id="org-sm",
                    note="projected 145 % of the allowance"))


@pytest.mark.parametrize("no_color", COLOURS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, make_app, marked, monkeypatch, screen: str, size: tuple[int, int], no_color: bool) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(), terminal_size=size, run_before=_route(*SCREENS[screen]))


def test_too_small(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(60, 20), run_before=_route())
