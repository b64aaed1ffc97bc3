"""ReviewTable renders one-line cells itself, and caches a line by whether the cursor is on its row, not by
where the cursor is (a held key past the fold would otherwise render every visible line again on each key).
Every painted line must still be what Textual's DataTable paints in the same state from empty caches (cursor,
scroll, sort, rows and focus), and every cell what DataTable's own cell rendering gives."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.dom import DOMNode
from textual.geometry import Region
from textual.widgets import DataTable

from trialstack_tui.tui.widgets.tables import Column, ReviewTable, Row

from .conftest import press, settle

COLUMNS = [Column("name", "Name", width=12), Column("n", "Events", numeric=True), Column("note", "Note")]
ROWS = [
    Row(f"r{i}", [Text(f"row {i}"), Text(f"{i * 7 % 40:,}", justify="right"), Text("x" * (i % 9))],
        [f"row {i:02}", i * 7 % 40, "x" * (i % 9)])
    for i in range(40)
]


class Tables(App):
    CSS = "ReviewTable { height: 12; width: 60; }"

    def compose(self) -> ComposeResult:
        yield ReviewTable(COLUMNS, id="review", sort_column=0)

    def on_mount(self) -> None:
        self.query_one(ReviewTable).set_rows(ROWS)


def painted_as_fresh(review: ReviewTable) -> None:
    """Every line the table paints now (as the compositor asks for them: `render_lines`, which takes each style
    once a paint) is the line it renders with all its caches emptied, line by line outside a paint (Textual's own
    rendering of this state: cursor, scroll, sort, rows and focus)."""
    painted = [list(line) for line in review.render_lines(Region(0, 0, *review.size))]
    review._clear_caches()
    fresh = [list(review.render_line(y)) for y in range(review.size.height)]
    for y, (line, expected) in enumerate(zip(painted, fresh, strict=True)):
        assert line == expected, f"line {y} with the cursor on row {review.cursor_row}"


async def test_every_line_is_datatables_own_while_the_cursor_moves_scrolls_sorts_and_reloads() -> None:
    app = Tables()
    async with app.run_test(size=(80, 30)) as pilot:
        review = app.query_one(ReviewTable)
        review.focus()
        await pilot.pause()
        scrolled = set()
        for _ in range(len(ROWS) - 1):  # down past the fold to the last row: the table scrolls on each key
            await pilot.press("j")
            await pilot.pause()
            painted_as_fresh(review)
            scrolled.add(review.scroll_y)
        assert review.cursor_row == len(ROWS) - 1 and len(scrolled) > 20
        for key in ("k", "k", "k", "s", "j", "S", "k"):  # back up (no scroll), sort by another column, reverse
            await pilot.press(key)
            await pilot.pause()
            painted_as_fresh(review)
        review.set_rows(ROWS[::2])  # a reload: half the rows, the cursor kept on its row when still shown
        await pilot.pause()
        painted_as_fresh(review)
        review.blur()  # focus changes how the cursor row looks
        await pilot.pause()
        painted_as_fresh(review)


HOSTILE = [
    Text("組織の名前がとても長いテスト"), Text("[bold]x[/] org"), Text("e\u0301migre\u0301 ✓ 🚀 ops"), Text(""),
    Text("a" * 40), Text("   padded   "), Text("tab\there"), Text("12,345", justify="right"),
    Text("  7 ", justify="right"), Text("mid", justify="center"), Text("cut me off please", overflow="ellipsis"),
    Text("crop it right here", overflow="crop"), Text("dim", style="dim italic"),
    Text.assemble(("red", "red"), " and ", ("bold", "bold"), end=""), Text("▁▂▃▅▇█", style="cyan"),
    # Cells built directly (`_plain_cell_line`): one style or none, tags styled in parts, padded by the text
    # (left, right) or after it (default), in single-width characters beyond ASCII too.
    Text("left", justify="left"), Text("9,999", style="bold", justify="right"), Text("tidy", style=Style(color="green")),
    Text.assemble("Query resolution ", ("AI", "magenta"), " ", ("Q", "cyan"), style="bold"), Text("Tomás —"),
    Text("▶ +4%", justify="right"), Text("trailing  "), Text("left  ", justify="left"), Text("—", justify="right"),
]


def _cells_as_datatable_renders_them(review: ReviewTable) -> int:
    """Every cell of every row, with and without the cursor and hover on it, against DataTable's own
    `_render_cell` from empty caches; returns how many cells ReviewTable's one-step path rendered itself."""

    shortcut = 0
    for base in (Style(), Style(color="red", bgcolor="black"), review.rich_style):
        for row in range(review.row_count):
            for column, spec in enumerate(review.ordered_columns):
                width = spec.get_render_width(review)
                for cursor, hover in ((False, False), (True, False), (False, True), (True, True)):
                    review._clear_caches()
                    key = review._row_locations.get_key(row)
                    shortcut += review._one_line_cell(key, row, column, base, width, cursor, hover) is not None
                    ours = review._render_cell(row, column, base, width, cursor, hover)
                    review._clear_caches()
                    theirs = DataTable._render_cell(review, row, column, base, width, cursor, hover)
                    assert ours == theirs, (row, column, width, cursor, hover, base)
    return shortcut


async def test_every_cell_is_rendered_as_datatable_renders_it() -> None:
    # Names wider than their column (in characters or in double-width cells), justified, cut with an
    # ellipsis, styled in parts, empty, with a tab: each cell of each row in every cursor state.
    rows = [
        Row(f"h{i}", [text, HOSTILE[(i + 3) % len(HOSTILE)], HOSTILE[(i + 7) % len(HOSTILE)]], [i, i, i])
        for i, text in enumerate(HOSTILE)
    ]
    app = Tables()
    async with app.run_test(size=(80, 30)) as pilot:
        review = app.query_one(ReviewTable)
        review.set_rows(rows)
        await pilot.pause()
        cells = review.row_count * len(review.columns) * 12
        assert _cells_as_datatable_renders_them(review) == cells  # all of them one-line Text cells
        review.focus()
        review.zebra_stripes = False
        await pilot.pause()
        assert _cells_as_datatable_renders_them(review) == cells


async def test_the_org_screens_tables_render_every_cell_as_datatable_does(make_app) -> None:

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        tables = list(app.screen.query(ReviewTable))
        assert len(tables) == 4
        for review in tables:  # every cell of these tables is one-line Text: all take the one-step path
            assert _cells_as_datatable_renders_them(review) == review.row_count * len(review.columns) * 12


async def test_a_paint_takes_the_tables_styles_once_not_once_a_row(monkeypatch) -> None:
    # DataTable asks for its header's, fixed column's and row's styles for every row it draws, and its own for
    # every line; each answer walks every ancestor's styles. One paint of twelve lines asks each once.
    app = Tables()
    async with app.run_test(size=(80, 30)) as pilot:
        review = app.query_one(ReviewTable)
        await pilot.pause()
        walks: list[str] = []
        own = DOMNode.rich_style.fget

        def counted(node: DOMNode):
            walks.append(type(node).__name__)
            return own(node)

        monkeypatch.setattr(DOMNode, "rich_style", property(counted))
        review._clear_caches()
        review._styles_cache.clear()
        lines = review.render_lines(Region(0, 0, *review.size))
        assert len(lines) == 12
        # The table's own style and its header, fixed-column, even and odd row components (and the cursor's,
        # which Textual caches itself): a few walks, where every row asked again before (50 for these lines).
        assert 0 < len(walks) <= 8, walks


async def test_cells_that_fit_are_built_without_wrapping_their_text(make_app, monkeypatch) -> None:
    # The org screen's workflows table: names with their tags styled in parts, figures, arrows, sparklines. Every
    # cell with text is built directly; only empty ones go through Text.wrap (five Text objects a cell), and the
    # header's labels, rendered once, DataTable's way.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        review = app.screen.query_one("#workflows", ReviewTable)
        wrapped: list[str] = []
        wrap = Text.wrap

        def counted(text: Text, *args, **kwargs):
            wrapped.append(text.plain)
            return wrap(text, *args, **kwargs)

        monkeypatch.setattr(Text, "wrap", counted)
        review._clear_caches()
        review._styles_cache.clear()
        review.render_lines(Region(0, 0, *review.size))
        shown = [cell for row in range(min(review.row_count, review.size.height - 1))
                 for cell in review._get_row_renderables(row).cells]
        assert len(shown) > 100
        labels = [column.label.plain for column in review.ordered_columns]
        assert [text for text in wrapped if text] == labels
        assert len(wrapped) == len(labels) + sum(1 for cell in shown if not cell.plain)
