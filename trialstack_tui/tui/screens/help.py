"""Help (`?`): what the current screen answers and every key that works on it."""

from __future__ import annotations


from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from ..widgets.tables import ReviewTable
from ..widgets.tabs import keys_in_force

GLOBAL_NOTES = [
    ("ctrl+p", "Command palette: every screen, and any org or workflow by name"),
    ("enter", "Drill in (org → workflow; change → comparison)"),
    ("tab / shift+tab", "Move between tables and panels"),
]


class HelpScreen(ModalScreen[None]):
    """The `?` box over the current screen: what that screen answers (its HELP) and every key in force there,
    as the keymap has them. Scrolls by keyboard (j/k, arrows, PgUp/PgDn, Home/End): at 80×24 the key list is
    longer than the box."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help-close"),
        Binding("j", "scroll('down')", "Down", show=False, id="help-down"),
        Binding("k", "scroll('up')", "Up", show=False, id="help-up"),
    ]

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
            # A Rich grid, not a DataTable: long descriptions wrap under themselves instead of being cut.
            keys = Table.grid(padding=(0, 2))
            keys.add_column(style="bold", no_wrap=True)
            keys.add_column(ratio=1)
            for key, text in self.key_rows():
                keys.add_row(key, text)
            yield Static(keys, id="help-keys")
            yield Label(Text("j/k or arrows scroll · Esc or ? closes this help.", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()

    def action_scroll(self, direction: str) -> None:
        scroller = self.query_one("#help", VerticalScroll)
        if direction == "down":
            scroller.scroll_down()
        else:
            scroller.scroll_up()

    def key_rows(self) -> list[tuple[str, str]]:
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
                descriptions.setdefault(binding.action, binding.tooltip or binding.description)
        rows = [(" / ".join(keys[a]), descriptions[a]) for a in descriptions]
        rows.extend(GLOBAL_NOTES)
        return rows

    def action_close(self) -> None:
        self.dismiss(None)


def _own_bindings(cls: type) -> list[Binding]:
    """The bindings this program declares on a class and its bases (not Textual's built-in ones)."""
    found: list[Binding] = []
    for klass in cls.__mro__:
        if klass.__module__.startswith("trialstack_tui"):
            found.extend(b for b in klass.__dict__.get("BINDINGS", []) if isinstance(b, Binding))
    return found
