"""Keys of one's own (a remapped key works, the old one does not, footer and help show the new one), a theme
from the config, and copying what is shown: `y` the highlighted row, `Y` the table, as TSV."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from trialstack_tui.preferences import load_preferences
from trialstack_tui.tui.keys import check_preferences
from trialstack_tui.tui.screens.help import HelpScreen
from trialstack_tui.tui.screens.summary import ORG_COLUMNS
from trialstack_tui.tui.widgets.dialogs import MarkDialog
from trialstack_tui.tui.widgets.tables import ReviewTable

from .conftest import current, press, settle, store_of_orgs


def preferences(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return check_preferences(load_preferences(path))


def footer_keys(app) -> dict[str, str]:
    return {k.description: k.key_display for k in app.screen.query(FooterKey)}


def help_rows(app) -> dict[str, str]:
    table = app.screen.query_one("#help-keys", DataTable)
    return {table.get_row_at(i)[1].plain: table.get_row_at(i)[0].plain for i in range(table.row_count)}


async def test_a_remapped_key_works_the_old_one_does_not_and_footer_and_help_show_it(make_app, tmp_path) -> None:
    prefs = preferences(tmp_path, '[keys]\nrow-down = "n"\nmark = "x"\n')
    app = make_app(keymap=prefs.keymap)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        orgs = current(pilot).query_one("#orgs", ReviewTable)
        assert orgs.cursor_row == 0
        await press(pilot, "j")
        assert orgs.cursor_row == 0  # j no longer moves down
        await press(pilot, "n")
        assert orgs.cursor_row == 1
        assert footer_keys(app)["Mark"] == "x"
        await press(pilot, "m")
        assert not isinstance(app.screen, MarkDialog)
        await press(pilot, "x")
        assert isinstance(app.screen, MarkDialog)
        await press(pilot, "escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app)
        assert rows["Down"] == "n" and rows["Mark"] == "x"
        assert rows["Up"] == "k" and rows["Quit"] == "q"  # the rest keep their defaults


async def test_the_theme_comes_from_the_config(make_app, tmp_path) -> None:
    prefs = preferences(tmp_path, 'theme = "textual-light"\n')
    app = make_app(theme=prefs.theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light" and not app.current_theme.dark


async def test_y_copies_the_highlighted_row_with_names_not_ids(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = current(pilot)
        await press(pilot, "j", "y")
        second = screen.model.orgs[1]
        fields = app.clipboard.removesuffix("\n").split("\t")
        assert "\n" not in app.clipboard.removesuffix("\n")
        assert len(fields) == len(ORG_COLUMNS)
        assert fields[0] == second.org.name and second.org.org_id not in app.clipboard
        assert fields[1] == f"{second.activity.events:,}"
        assert [n.message for n in app._notifications][-1] == f"Copied the row “{second.org.name}” as TSV"


async def test_shift_y_copies_the_table_as_shown_filtered_and_sorted(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = current(pilot)
        await press(pilot, "Y")
        lines = app.clipboard.splitlines()
        assert lines[0].split("\t") == [c.label for c in ORG_COLUMNS]
        assert [line.split("\t")[0] for line in lines[1:]] == [o.org.name for o in screen.model.orgs]
        await press(pilot, "slash", *"cedar", "enter", "Y")
        assert [line.split("\t")[0] for line in app.clipboard.splitlines()] == ["Org", "Cedar Trials"]
        assert "1 rows × 11 columns" in [n.message for n in app._notifications][-1]


async def test_copied_text_is_made_visible_like_the_screen(make_app, tmp_path) -> None:
    hostile = "Evil\tCo\n\x1b]52;c;aGk=\x07"
    app = make_app(db=store_of_orgs(tmp_path, {"evil": hostile}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "y")
        assert "\x1b" not in app.clipboard and "\x07" not in app.clipboard
        fields = app.clipboard.removesuffix("\n").split("\t")
        assert fields[0] == "Evil\\x09Co\\x0a\\x1b]52;c;aGk=\\x07"  # as the orgs table shows it
        assert len(fields) == len(ORG_COLUMNS)


async def test_a_copied_cell_that_a_spreadsheet_would_run_as_a_formula_is_pasted_as_text(make_app, tmp_path) -> None:
    app = make_app(db=store_of_orgs(tmp_path, {"f": '=HYPERLINK("http://x.example","open")'}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "y")
        assert app.clipboard.split("\t")[0] == '\'=HYPERLINK("http://x.example","open")'
