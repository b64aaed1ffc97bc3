"""A DataTable that sorts by key, filters by text and keeps the cursor on the same row across reloads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.css.styles import RenderStyles
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from ...safe_text import tsv_cell, visible

_NO_ROW = Coordinate(-2, 0)  # a cursor on no row, not even the header's (-1)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False  # sorts descending first, right-aligned
    width: int | None = None


@dataclass(frozen=True)
class Row:
    key: str
    cells: Sequence[Text]
    sort_values: Sequence[Any]  # one per column; None sorts last


class ReviewTable(DataTable):
    """Rows from a view model; `s` sorts by the next column, `S` reverses; `filter_text` hides rows."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="row-down"),
        Binding("k", "cursor_up", "Up", show=False, id="row-up"),
        Binding("s", "sort_next", "Sort", id="sort"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="sort-reverse"),
        Binding("y", "copy_row", "Copy row", show=False, id="copy-row"),
        Binding("Y", "copy_table", "Copy table", show=False, id="copy-table"),
    ]

    filter_text: reactive[str] = reactive("", init=False)

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        id: str | None = None,
        sort_column: int = 0,
        descending: bool | None = None,
        empty: str = "None",
    ) -> None:
        # The first column (the name) stays put when a wide table scrolls sideways, so every figure can be
        # tied to its row.
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, fixed_columns=1)
        self.columns_spec = list(columns)
        self.empty = empty  # said in the table when it has no rows, so an empty table is not just a header
        self._rows: list[Row] = []
        self.sort_column = sort_column
        self.sort_reverse = columns[sort_column].numeric if descending is None else descending
        self.visible_keys: list[str] = []
        # Set while the table paints (`render_lines`).
        self._paint_styles: dict[tuple[str, ...], RenderStyles] | None = None
        self._paint_own_style: Style | None = None

    def on_mount(self) -> None:
        if not self.columns:  # rows set before the mount (a prefetched model) brought their columns
            self._add_columns()

    def _add_columns(self) -> None:
        for index, col in enumerate(self.columns_spec):
            marker = ""
            if index == self.sort_column:
                marker = " ▼" if self.sort_reverse else " ▲"
            label = Text(col.label + marker, justify="right" if col.numeric else "left")
            self.add_column(label, key=col.key, width=col.width)

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace the rows; the cursor stays on the row with the same key when it is still shown."""
        self._rows = list(rows)
        self._rebuild()

    @property
    def selected_key(self) -> str | None:
        if not self.visible_keys or self.cursor_row < 0 or self.cursor_row >= len(self.visible_keys):
            return None
        return self.visible_keys[self.cursor_row]

    def selected_row(self) -> Row | None:
        """The highlighted row as given to `set_rows`; None when no row is shown."""
        key = self.selected_key
        return next((r for r in self._rows if r.key == key), None) if key is not None else None

    def watch_filter_text(self) -> None:
        self._rebuild()

    def action_sort_next(self) -> None:
        self.sort_column = (self.sort_column + 1) % len(self.columns_spec)
        self.sort_reverse = self.columns_spec[self.sort_column].numeric
        self._rebuild()

    def action_sort_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._rebuild()

    def action_copy_row(self) -> None:
        key = self.selected_key
        row = next((r for r in self._rows if r.key == key), None)
        if row is None:
            self.app.notify("Nothing to copy: no row is highlighted.", severity="warning")
            return
        self.app.copy_to_clipboard(tsv([row.cells]))
        # markup=False: the row's first cell is stored text (an org name), never markup.
        self.app.notify(f"Copied the row “{row.cells[0].plain}” as TSV", markup=False, timeout=3)

    def action_copy_table(self) -> None:
        shown = self._ordered()
        header = [Text(col.label) for col in self.columns_spec]
        self.app.copy_to_clipboard(tsv([header, *(r.cells for r in shown)]))
        filtered = f" (filter “{self.filter_text}”)" if self.filter_text else ""
        self.app.notify(
            f"Copied the table as TSV: {len(shown)} rows × {len(header)} columns with a header{filtered}",
            markup=False, timeout=3,
        )

    def _ordered(self) -> list[Row]:
        needle = self.filter_text.casefold().strip()
        rows = [r for r in self._rows if not needle or needle in _search_text(r)]
        index = self.sort_column
        present = [r for r in rows if r.sort_values[index] is not None]
        missing = [r for r in rows if r.sort_values[index] is None]
        present.sort(key=lambda r: r.sort_values[index], reverse=self.sort_reverse)
        return present + missing

    def _rebuild(self) -> None:
        keep = self.selected_key
        # Columns too: auto-width columns fit the rows shown now, not the widest row ever shown.
        self.clear(columns=True)
        self._add_columns()
        ordered = self._ordered()
        self.visible_keys = [r.key for r in ordered]
        self.show_cursor = bool(ordered)
        for row in ordered:
            self.add_row(*row.cells, key=row.key)
        if not ordered:
            message = f"No row matches “{self.filter_text}”" if self._rows else self.empty
            cells: list[Text | str] = [""] * len(self.columns_spec)
            # In the first text column: a narrow numeric one (follow-ups' #) would stretch around it.
            at = next((i for i, c in enumerate(self.columns_spec) if not c.numeric), 0)
            cells[at] = Text(visible(message), style="dim italic")
            self.add_row(*cells, key="")
        if keep in self.visible_keys:
            self.move_cursor(row=self.visible_keys.index(keep), animate=False)

    # DataTable takes its own Rich style for every line it paints, and its header's, fixed column's and row's
    # component styles (`get_component_styles(name).rich_style`) for every row: each a walk over the styles of
    # every ancestor up to the screen, four a row, 7-8 ms of an org screen's first frame (its 20 rows), and as
    # much again for each row a held key scrolls in. Nothing they depend on can change while the table paints
    # (styles change between frames, on the same thread): each is taken once a paint.

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_styles, self._paint_own_style = {}, None
        try:
            return super().render_lines(crop)
        finally:
            self._paint_styles = self._paint_own_style = None

    @property
    def rich_style(self) -> Style:
        if self._paint_styles is None:
            return super().rich_style
        if self._paint_own_style is None:
            self._paint_own_style = super().rich_style
        return self._paint_own_style

    def get_component_styles(self, *names: str) -> RenderStyles:
        if self._paint_styles is None:
            return super().get_component_styles(*names)
        found = self._paint_styles.get(names)
        if found is None:
            found = self._paint_styles[names] = _StylesOfOnePaint(super().get_component_styles(*names))
        return found

    # DataTable keys its line and row caches on the cursor's coordinate, so each cursor move renders every
    # visible line again, and a move that scrolls the table (a held `j` past the fold) costs a frame of 30-50
    # ms. A row's look depends on the cursor only through whether the cursor is on it: keyed on that, a move
    # renders the two rows it changes and a scroll only the row it brings in. (Textual is pinned: these are
    # its private render hooks; tests/app/test_table_render.py checks every line against a fresh table.)

    def _render_line(self, y: int, x1: int, x2: int, base_style) -> Strip:
        try:
            row_key, _ = self._get_offsets(y)
        except LookupError:
            row_key = None
        if row_key is None or self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)
        row = self._row_index(row_key)
        key = (
            "row-look", y, x1, x2, self.size.width, self.cursor_coordinate.row == row,
            self.hover_coordinate.row == row, base_style, self.show_cursor, self._show_hover_cursor,
            self._update_count, self._pseudo_class_state,
        )
        strip = self._line_cache.get(key)  # the table's own cache: cleared whenever its lines are stale
        if strip is None:
            strip = self._line_cache[key] = super()._render_line(y, x1, x2, base_style)
        return strip

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style, cursor_location: Coordinate,
                            hover_location: Coordinate):
        if self.cursor_type == "row":
            row = self._row_index(row_key)
            cursor_location = cursor_location if cursor_location.row == row else _NO_ROW
            hover_location = hover_location if hover_location.row == row else _NO_ROW
        return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)

    # DataTable renders a cell as Styled(Padding(cell)) through three nested render_lines: 150-200 µs a cell, and
    # a line renders 13 (the fixed name column twice), the largest part of a screen's first frame. A one-line
    # Text cell on a one-line row (every cell of these tables) is laid out by the same Text.wrap, then padded and
    # styled here in one step, into the table's own cell cache under the key DataTable gives it. Anything else
    # goes the DataTable way. ~50 µs a cell. tests/app/test_table_render.py checks every cell against DataTable's.

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int, cursor: bool = False,
                     hover: bool = False):
        if row_index < 0 or column_index < 0:  # the header and row labels: rendered once, DataTable's way
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        key = (row_key, self._column_locations.get_key(column_index), base_style, cursor, hover,
               self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        lines = self._cell_render_cache.get(key)
        if lines is None:
            lines = self._one_line_cell(row_key, row_index, column_index, base_style, width, cursor, hover)
            if lines is None:
                return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._cell_render_cache[key] = lines
        return lines

    def _one_line_cell(self, row_key: RowKey, row_index: int, column_index: int, base_style: Style, width: int,
                       cursor: bool, hover: bool) -> list[list[Segment]] | None:
        """The cell's one line as DataTable renders it, or None where this shortcut does not apply."""
        cell = self._get_row_renderables(row_index).cells[column_index]
        pad = self.cell_padding
        inner = width - 2 * pad
        if type(cell) is not Text or self.rows[row_key].height != 1 or inner < 1 or "\n" in cell.plain or cell.end not in ("", "\n"):
            return None
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, row_index < self.fixed_rows or column_index < self.fixed_columns, hover, cursor,
            self.show_cursor, self._show_hover_cursor, self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        console = self.app.console
        blank = console.get_style("none")  # Padding's style
        line = _plain_cell_line(console, cell, inner, blank)
        if line is None:
            options = self.app.console_options
            # Text.__rich_console__'s own choices, for a width of `inner` and no wrapping (a one-line row).
            tab_size = console.tab_size if cell.tab_size is None else cell.tab_size
            wrapped = cell.wrap(
                console, inner, justify=cell.justify or options.justify or DEFAULT_JUSTIFY,
                overflow=cell.overflow or options.overflow or DEFAULT_OVERFLOW, tab_size=tab_size or 8, no_wrap=True,
            )
            if len(wrapped) != 1:
                return None
            segments = list(Text("\n").join(wrapped).render(console))
            line = Segment.adjust_line_length(segments, inner, style=blank, pad=True)
        if pad:
            line = [Segment(" " * pad, blank), *line, Segment(" " * pad, blank)]
        return [list(Segment.apply_style(line, pre_style, post_style))]

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        super()._scroll_cursor_into_view(animate=animate)
        # Only the administrator's table (a reload of another one below the fold moves nothing), and only in a
        # screen that scrolls around it: elsewhere (follow-ups) a held key pays nothing for it.
        if self.has_focus and any(a.allow_vertical_scroll for a in self.ancestors if isinstance(a, Widget)):
            self.call_after_refresh(self._show_cursor_row)  # after the table's own (deferred) scroll

    def _show_cursor_row(self) -> None:
        """The table scrolls itself to its cursor row; a screen that scrolls around the table (an org's drill-down
        at 80×24) must follow, or a held `j` walks the highlighted row off the bottom of the terminal."""
        row = self._get_row_region(self.cursor_row)
        if not self.visible_keys or not row.height:
            return
        # The row where the table shows it, then in each scrolling container's space out to the screen.
        region = Region(0, self.gutter.top + row.y - round(self.scroll_y), self.outer_size.width, row.height)
        widget: Widget = self
        while isinstance(widget.parent, Widget) and widget.parent is not self.screen:
            container = widget.parent
            region = region.translate(widget.virtual_region.offset)
            container.scroll_to_region(region, animate=False, immediate=True)
            region = region.translate(-container.scroll_offset).translate(container.gutter.top_left)
            widget = container

    def _row_index(self, row_key: RowKey) -> int:
        return self._row_locations.get(row_key) if row_key in self._row_locations else -1

    def action_select_cursor(self) -> None:
        if self.visible_keys:  # the "no rows" line is not a row to open
            super().action_select_cursor()


def _plain_cell_line(console: Console, cell: Text, inner: int, blank: Style) -> list[Segment] | None:
    """The segments `Text.wrap`, `join`, `render` and `adjust_line_length` give a one-line cell that fits its
    width in characters that take a cell each, built directly: those build five Text objects a cell, half of a
    table's first paint. None for any other cell (wider, empty, centred, a right-justified one ending in a space
    or with styled parts), which goes their way.

    Justified left or right the text pads itself, in its own style; by default (a name, its tags styled in parts)
    the line is padded after it, in the padding's style. A cell of one style renders in it, one without a style
    without one (None), as `Text.render` renders the joined line. (Textual's console options, which DataTable's
    cells fall back on, never set a justify.)"""
    plain = cell.plain
    justify = cell.justify or DEFAULT_JUSTIFY
    if not plain or len(plain) > inner or not plain.isprintable() or cell_len(plain) != len(plain):
        return None
    style = console.get_style(cell.style, default=Style.null()) if cell.style else None
    if justify == "default":
        line = list(cell.render(console)) if cell.spans else [Segment(plain, style)]
        if len(plain) < inner:
            line.append(Segment(" " * (inner - len(plain)), blank))
        return line
    if cell.spans or justify not in ("left", "right") or (justify == "right" and plain[-1] == " "):
        return None
    return [Segment(plain.ljust(inner) if justify == "left" else plain.rjust(inner), style)]


class _StylesOfOnePaint(RenderStyles):
    """A component's styles as they stand for one paint of a table: the same rules, its Rich style taken once."""

    def __init__(self, styles: RenderStyles) -> None:
        super().__init__(styles.node, styles.base, styles.inline)
        self._style_of_this_paint = styles.rich_style

    @property
    def rich_style(self) -> Style:
        return self._style_of_this_paint


def tsv(rows: Sequence[Sequence[Text]]) -> str:
    """Tab-separated lines of the cells as shown (`tsv_cell`: made visible like the screen, so a tab or
    newline in a name cannot split a cell or a row and no terminal control reaches the clipboard)."""
    return "".join("\t".join(tsv_cell(cell.plain) for cell in cells) + "\n" for cells in rows)


def _search_text(row: Row) -> str:
    return " ".join(visible(c.plain) for c in row.cells).casefold()
