"""Help (`?`): what the current screen answers and every key that works on it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from ..widgets.tables import ReviewTable

GLOBAL_NOTES = [
    ("ctrl+p", "Command palette: every screen, and any org or workflow by name"),
    ("enter", "Drill in (org → workflow; change → comparison)"),
    ("tab / shift+tab", "Move between tables and panels"),
    ("j / k, ↑ / ↓", "Move the highlighted row"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__(classes="dialog-screen")
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            title = getattr(self.for_screen, "SCREEN_TITLE", "") or "trialstack-tui"
            yield Label(Text(f"Help · {title}", style="bold"))
            about = getattr(self.for_screen, "HELP", "")
            if about:
                yield Label(Text(about), classes="help-about")
            table = DataTable(cursor_type="none", zebra_stripes=True, id="help-keys")
            table.add_columns("Key", "Does")
            for key, text in self._rows():
                table.add_row(Text(key, style="bold"), Text(text))
            yield table
            yield Label(Text("Esc or ? closes this help.", style="dim"))

    def _rows(self) -> list[tuple[str, str]]:
        """(keys, description) for every described binding of the table, the screen and the app."""
        keys: dict[tuple[int, str], list[str]] = {}
        descriptions: dict[tuple[int, str], str] = {}
        sources = [*self.for_screen.query(ReviewTable)[:1], self.for_screen, self.app]
        for index, node in enumerate(sources):
            for _key, binding in node._bindings:
                if not binding.description:
                    continue
                action = (index, binding.action)
                if any(a == binding.action for (_i, a) in descriptions) and action not in descriptions:
                    continue  # the nearer node's binding of this action wins
                keys.setdefault(action, []).append(self.app.get_key_display(binding))
                descriptions[action] = binding.description
        rows = [(" / ".join(dict.fromkeys(keys[a])), descriptions[a]) for a in descriptions]
        rows.extend(GLOBAL_NOTES)
        return rows

    def action_close(self) -> None:
        self.dismiss(None)
