"""What an administrator types or pastes into the dialogs (issue 11): kept whole, shown safely, limits said."""

from __future__ import annotations

from pathlib import Path

from textual import events

from trialstack_tui.config import resolve_store
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.tui.widgets.dialogs import AsOfDialog, MarkDialog

from .conftest import current, press, settle


def _marks(db: Path):
    with Store(resolve_store(str(db))) as store:
        return Review(store).followups(status="all")


async def _mark_dialog_on_a_workflow(pilot) -> MarkDialog:
    await press(pilot, "slash", *"lumen", "enter", "enter", "enter", "m")
    dialog = pilot.app.screen
    assert isinstance(dialog, MarkDialog)
    return dialog


async def test_a_pasted_multi_line_note_is_kept_whole_with_its_controls_made_visible(make_app, sample_db) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = await _mark_dialog_on_a_workflow(pilot)
        note = dialog.query_one("#note")
        assert note.has_focus
        note.post_message(events.Paste("first line\r\nsecond \x1b[2Jline\u202e\rthird"))
        await settle(pilot)
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\u202e" not in svg
        await press(pilot, "enter")  # Enter saves from the note too
        assert not isinstance(app.screen, MarkDialog)
    (mark,) = _marks(sample_db)
    assert mark.note == "first line\nsecond \\x1b[2Jline\\u202e\nthird"


async def test_a_note_beyond_the_limit_says_so_and_is_not_saved(make_app, sample_db) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = await _mark_dialog_on_a_workflow(pilot)
        dialog.query_one("#note").post_message(events.Paste("n" * 2_001))
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MarkDialog)
        assert "2,001 characters; a note keeps up to 2,000" in dialog.query_one("#mark-error").render().plain
        await press(pilot, "escape")
    assert _marks(sample_db) == []


async def test_an_as_of_date_at_the_ends_of_the_calendar_is_refused_in_the_dialog(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        as_of = current(pilot).model.as_of
        for typed in ("0001-01-01", "9999-12-31"):
            await press(pilot, "a", *["backspace"] * 10, *typed, "enter")
            dialog = app.screen
            assert isinstance(dialog, AsOfDialog) and app.is_running
            assert "outside the dates trialstack-tui works with" in dialog.query_one("#asof-error").render().plain
            await press(pilot, "escape")
        assert current(pilot).model.as_of == as_of
