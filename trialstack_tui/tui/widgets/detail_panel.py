"""A panel that follows a table's cursor."""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


class DetailPanel(Static):
    """The highlighted row's detail. `show` lays the screen out again only when the panel's height changes:
    with a key held, each row then repaints the panel alone instead of reflowing every widget beside it."""

    def show(self, content: VisualType) -> None:
        width, height = self.content_size
        if width <= 0 or not self.display or isinstance(content, str) and not content:
            self.update(content)
            return
        console = self.app.console
        lines = console.render_lines(content, console.options.update_width(width), pad=False)
        self.update(content, layout=len(lines) != height)
