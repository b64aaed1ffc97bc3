"""The keyboard is never lost: after every action the main table has focus with its cursor where it was."""

from __future__ import annotations

import asyncio
import gc

import pytest
from textual.widgets import Footer

from trialstack_tui.config import resolve_store
from trialstack_tui.marks import MarkRequest
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.tui import collector
from trialstack_tui.tui.screens.billing import BillingScreen
from trialstack_tui.tui.screens.help import HelpScreen
from trialstack_tui.tui.screens.org import OrgScreen
from trialstack_tui.tui.screens.summary import SummaryScreen
from trialstack_tui.tui.widgets.dialogs import MarkDialog
from trialstack_tui.tui.widgets.tables import ReviewTable

from .conftest import current, press, screen_text, settle

# Each action, as keys pressed on the summary with the cursor on its third org.
ACTIONS = {
    "window": ("w",),
    "refresh": ("r",),
    "as-of": ("a", "enter"),
    "screen switch": ("b", "h"),
    "dialog closed": ("m", "escape"),
    "help closed": ("question_mark", "escape"),
    "drill-down and back": ("enter", "escape"),
}


@pytest.mark.parametrize("keys", list(ACTIONS.values()), ids=list(ACTIONS))
async def test_after_each_action_the_main_table_has_focus_and_its_cursor(make_app, keys) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")
        before = current(pilot).query_one("#orgs", ReviewTable).selected_key
        await press(pilot, *keys)
        screen = current(pilot)
        orgs = screen.query_one("#orgs", ReviewTable)
        assert isinstance(screen, SummaryScreen) and app.focused is orgs
        assert orgs.selected_key == before
        await press(pilot, "j")  # the keys work at once, without Tab
        assert orgs.visible_keys.index(orgs.selected_key) == orgs.visible_keys.index(before) + 1
        expected = orgs.selected_key
        await press(pilot, "enter")
        assert isinstance(current(pilot), OrgScreen) and current(pilot).org_id == expected


async def test_a_table_focused_by_tab_keeps_focus_through_a_reload(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        flags = current(pilot).query_one("#flags", ReviewTable)
        flags.focus()
        await press(pilot, "j", "j")
        key = flags.selected_key
        await press(pilot, "r")
        assert app.focused is flags and flags.selected_key == key


async def test_each_screen_key_focuses_that_screens_table(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, table_id in (("c", "#changes"), ("b", "#billing"), ("f", "#followups"), ("h", "#orgs")):
            await press(pilot, key)
            assert app.focused is current(pilot).query_one(table_id, ReviewTable), key


async def test_escape_clears_a_kept_filter_before_it_goes_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        org = current(pilot)
        workflows = org.query_one("#workflows", ReviewTable)
        total = len(workflows.visible_keys)
        await press(pilot, "slash", *"zzz-no-such", "enter")
        assert workflows.visible_keys == [] and app.focused is workflows
        assert "No row matches" in workflows.get_row_at(0)[0].plain  # an empty table says why
        await press(pilot, "escape")
        assert current(pilot) is org and workflows.filter_text == "" and len(workflows.visible_keys) == total
        await press(pilot, "escape")
        assert isinstance(current(pilot), SummaryScreen)


async def test_tab_in_the_mark_dialog_stays_on_fields_so_typing_is_never_lost(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        dialog = app.screen
        assert isinstance(dialog, MarkDialog)
        seen = set()
        for _ in range(6):
            await press(pilot, "tab")
            seen.add(app.focused.id)
        assert seen == {"reason", "owner", "note"}  # the buttons are pressed by keys, not focused
        while app.focused.id != "note":
            await press(pilot, "tab")
        await pilot.press(*"call them")
        assert dialog.query_one("#note").text == "call them"


async def test_help_scrolls_by_keyboard_to_its_last_line(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        box = help_screen.query_one("#help")
        assert box.max_scroll_y > 0  # longer than the box at 80×24
        for _ in range(box.max_scroll_y):
            await press(pilot, "j")
        assert box.scroll_y == box.max_scroll_y
        assert "ctrl+p" in {key for key, _text in help_screen.key_rows()}
        await press(pilot, "k")
        assert box.scroll_y == box.max_scroll_y - 1


@pytest.mark.parametrize("size", [(80, 24), (76, 20)], ids=["80x24", "76x20"])
async def test_the_screen_keys_are_on_screen_and_the_footer_keys_fit(make_app, sample_db, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in ("h", "c", "b", "f"):
            await press(pilot, key)
            text = screen_text(app)
            for shown in ("h Summary", "c Rollouts", "b Billing", "f Follow-ups", "? Help", "q Quit"):
                assert shown in text, (key, shown)
        footer = screen_text(app).splitlines()[-1]
        for shown in ("s Sort", "/ Filter", "o Status", "u Owner", "d Done", "e Export", "E Export MD", "m Mark"):
            assert shown in footer
        await press(pilot, "b")
        assert isinstance(current(pilot), BillingScreen)
        header = next(line for line in screen_text(app).splitlines() if "Org" in line and "Use" in line)
        assert "Projected" in header and "Overage" in header  # the answer is on screen, not off to the right


@pytest.mark.parametrize("screen_key", ["enter", "f"], ids=["org workflows", "follow-ups"])
async def test_a_held_key_keeps_the_highlighted_row_on_screen_at_80x24(make_app, sample_db, screen_key) -> None:
    # The org screen scrolls around its workflows table (taller than the terminal at 80×24): the table scrolls
    # itself to its cursor, and the screen must follow, or j walks the highlighted row off the bottom.
    # Follow-ups: a table of its own height, in a screen that does not scroll.


    with Store(resolve_store(str(sample_db))) as store:
        review = Review(store)
        for wf in list(review.catalog().workflows.values())[:30]:
            review.mark(review.mark_defaults(MarkRequest(
                target_type="workflow", reason="narrow_adoption", org_id=wf.org_id, workflow_id=wf.workflow_id)))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, screen_key)
        await settle(pilot)
        table = app.focused
        assert isinstance(table, ReviewTable) and table.row_count > 20
        footer_top = current(pilot).query_one(Footer).region.y

        def cursor_row_y() -> int:  # the terminal line the highlighted row is drawn on
            return table.region.y + table.gutter.top + table._get_row_region(table.cursor_row).y - round(table.scroll_y)

        for _ in range(table.row_count - 1):
            await press(pilot, "j")
            visible = current(pilot).query_one("#body").region
            assert visible.y <= cursor_row_y() < min(visible.bottom, footer_top), (table.cursor_row, cursor_row_y())
        assert table.cursor_row == table.row_count - 1
        await press(pilot, *["k"] * (table.row_count - 1))  # and back up to the first row, also on screen
        assert table.cursor_row == 0 and table.region.y <= cursor_row_y() < footer_top


async def test_no_full_garbage_collection_runs_while_keys_repeat_and_they_run_again_after(make_app) -> None:
    # A full collection (50-100 ms after a few drill-downs) inside a held j is a frame that late; the young
    # generations (a millisecond or two) go on collecting the garbage keys make.
    collections: list[int] = []

    def noted(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    thresholds = gc.get_threshold()
    app = make_app()
    gc.callbacks.append(noted)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            collections.clear()
            for _ in range(30):  # 30 keys, 1/30 s apart: a terminal's auto-repeat
                await pilot.press("j", "k")
                garbage = [[] for _ in range(3000)]  # cycles enough to call for collections of every generation
                for item in garbage:
                    item.append(item)
                del garbage
                await asyncio.sleep(1 / 30)
            assert collections and 2 not in collections  # young ones ran, no full one
            await asyncio.sleep(collector.REST)
            for _ in range(100):  # the rest after the last key (its timer may run late on a loaded machine)
                if gc.get_threshold() == thresholds:
                    break
                await asyncio.sleep(0.05)
            assert gc.get_threshold() == thresholds  # full collections are back
            collections.clear()
            for _ in range(40):
                garbage = [[] for _ in range(3000)]
                for item in garbage:
                    item.append(item)
                del garbage
            assert 2 in collections
            await pilot.press("j")
            assert gc.get_threshold() != thresholds
        assert gc.get_threshold() == thresholds  # an app that ends gives them back too
    finally:
        gc.callbacks.remove(noted)
