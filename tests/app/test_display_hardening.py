"""Display faults: odd names, NO_COLOR, overwriting exports, a store changed by an import while open."""

from __future__ import annotations

import re

from trialstack_tui.config import resolve_store
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path
from trialstack_tui.tui.screens import followups as followups_screen
from trialstack_tui.tui.widgets.dialogs import ConfirmDialog
from trialstack_tui.tui.widgets.tables import ReviewTable

from .conftest import current, press, settle, store_of_orgs, write_org_set

ODD_NAMES = {
    "rtl": "מרכז רפואי שיבא",
    "bidi": "evil\u202eoverride",
    "cjk": "北京协和医院 🏥 клиника",
    "long": "L" * 200,
    "osc": "title\x1b]0;pwned\x07end",
}


async def test_rtl_wide_long_and_escape_laden_names_render_literally(make_app, tmp_path) -> None:
    app = make_app(db=store_of_orgs(tmp_path, ODD_NAMES))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        orgs = current(pilot).query_one("#orgs", ReviewTable)
        shown = {k: orgs.get_row(k)[0].plain for k in orgs.visible_keys}
        assert shown["rtl"] == ODD_NAMES["rtl"] and shown["cjk"] == ODD_NAMES["cjk"]
        assert shown["bidi"] == "evil\\u202eoverride"
        assert shown["osc"] == "title\\x1b]0;pwned\\x07end"
        assert shown["long"] == "L" * 200  # the cell holds it all; the column shows it cut with an ellipsis
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\u202e" not in svg
        await press(pilot, "slash", *"L" * 5, "enter", "enter")
        assert current(pilot).org_id == "long"
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.is_running and current(pilot).org_id == "long"


def _saturated(svg: str) -> set[str]:
    """Fill colours whose channels differ by more than a few steps (not a grey)."""
    fills = set(re.findall(r"fill: (#[0-9a-f]{6})", svg))
    return {f for f in fills if max(int(f[i:i + 2], 16) for i in (1, 3, 5)) - min(int(f[i:i + 2], 16) for i in (1, 3, 5)) > 24}


async def test_no_color_renders_in_greys_only(make_app, monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _saturated(app.export_screenshot())  # in colour, warnings and accents are coloured
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color
        assert _saturated(app.export_screenshot()) == set()


async def test_export_never_overwrites_without_asking(make_app, tmp_path, monkeypatch) -> None:
    target = tmp_path / "exports" / "marks.csv"
    monkeypatch.setattr(followups_screen, "default_export_path", lambda stem, ext: target)
    target.parent.mkdir()
    target.write_text("keep me\n")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f", "e")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "n")
        assert target.read_text() == "keep me\n"
        await press(pilot, "e")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "y")
        assert target.read_text().startswith("id,status,target_type")


async def test_r_shows_data_imported_while_the_app_is_open(make_app, sample_db, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        orgs = current(pilot).query_one("#orgs", ReviewTable)
        assert "late" not in orgs.visible_keys
        write_org_set(tmp_path / "late", {"late": "Late Arrivals"}, events_per_org=200)
        with Store(resolve_store(str(sample_db))) as other:  # another process's connection
            import_path(other, tmp_path / "late")
        await press(pilot, "j", "k")  # the app keeps working while the store changes under it
        await press(pilot, "r")
        assert "late" in orgs.visible_keys


async def test_an_empty_store_says_how_to_fill_it(make_app, tmp_path) -> None:
    db = tmp_path / "empty.db"
    with Store(resolve_store(str(db))):
        pass
    app = make_app(db=db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        error = current(pilot).query_one("#load-error")
        assert error.display
        assert "no events yet" in error.render().plain and "import" in error.render().plain
        await press(pilot, "b", "c", "f")  # every screen copes
        assert app.is_running
