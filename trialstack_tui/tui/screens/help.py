"""Help (`?`): what the current screen answers and every key that works on it."""

from __future__ import annotations

from collections.abc import Mapping

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
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help-close")]

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
        """(keys, description): this screen's own keys, then the table keys, then the app's."""
        groups: list[list[Binding]] = [
            _own_bindings(type(self.for_screen)),
            list(ReviewTable.BINDINGS) if self.for_screen.query(ReviewTable) else [],
            _own_bindings(type(self.app)),
        ]
        keys: dict[str, list[str]] = {}
        descriptions: dict[str, str] = {}
        for group in groups:
            for binding in group:
                if not binding.description or (binding.action in descriptions and binding.action not in keys):
                    continue
                for key in keys_in_force(binding, self.app._keymap):  # the administrator's keymap, if any
                    shown = self.app.get_key_display(Binding(key, binding.action))
                    keys.setdefault(binding.action, [])
                    if shown not in keys[binding.action]:
                        keys[binding.action].append(shown)
                descriptions.setdefault(binding.action, binding.description)
        rows = [(" / ".join(keys[a]), descriptions[a]) for a in descriptions]
        rows.extend(GLOBAL_NOTES)
        return rows

    def action_close(self) -> None:
        self.dismiss(None)


def keys_in_force(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The keys that reach `binding` now: the keymap's when it remaps the binding's id, else its own."""
    keystring = keymap.get(binding.id, binding.key) if binding.id else binding.key
    return [key.strip() for key in keystring.split(",") if key.strip()]


def _own_bindings(cls: type) -> list[Binding]:
    """The bindings this program declares on a class and its bases (not Textual's built-in ones)."""
    found: list[Binding] = []
    for klass in cls.__mro__:
        if klass.__module__.startswith("trialstack_tui"):
            found.extend(b for b in klass.__dict__.get("BINDINGS", []) if isinstance(b, Binding))
    return found
