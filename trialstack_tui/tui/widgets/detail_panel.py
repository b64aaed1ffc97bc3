"""A panel that follows a table's cursor."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from textual.visual import VisualType
from textual.widgets import Static


class DetailPanel(Static):
    """The highlighted row's detail. `show` lays the screen out again only when the panel's height changes:
    with a key held, each row then repaints the panel alone instead of reflowing every widget beside it."""

    def show(self, content: VisualType) -> None:
        width, height = self.content_size
        if width <= 0 or not self.display or isinstance(content, str):  # a string is markup: Static parses it
            self.update(content)
            return
        console = self.app.console
        lines = console.render_lines(content, console.options.update_width(width), pad=False)
        # The lines measured are the lines shown: a rich table (the facts) is laid out once per row, not twice.
        self.update(_Rendered(content, width, lines), layout=len(lines) != height)


class _Rendered:
    """Content already rendered at one width: shown from those lines at that width, rendered afresh at any other
    (the panel resized before it painted)."""

    def __init__(self, content: RenderableType, width: int, lines: list[list[Segment]]) -> None:
        self.content, self.width, self.lines = content, width, lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width != self.width:
            yield self.content
            return
        new_line = Segment.line()
        for line in self.lines:
            yield from line
            yield new_line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.content)
