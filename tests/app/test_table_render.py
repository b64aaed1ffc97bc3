"""ReviewTable caches a line by whether the cursor is on its row, not by where the cursor is (a held key past
the fold would otherwise render every visible line again on each key). Every painted line must still be what
Textual's DataTable paints in the same state from empty caches: cursor, scroll, sort, rows and focus."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from trialstack_tui.tui.widgets.tables import Column, ReviewTable, Row

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
    """Every line the table paints now is the line it paints with all its caches emptied (Textual's own
    rendering of this state: cursor, scroll, sort, rows and focus)."""
    painted = [list(review.render_line(y)) for y in range(review.size.height)]
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
