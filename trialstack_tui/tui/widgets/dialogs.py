"""Small modal dialogs: mark for follow-up, pick an as-of date, confirm an overwrite."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, TextArea

from ...limits import MAX_TEXT_CHARS, date_problem
from ...safe_text import terminal_text, visible
from ...marks import REASONS, MarkRequest


class NoteArea(TextArea):
    """The note: a paste is kept whole, line breaks and all (a one-line Input keeps only its first line),
    with control characters made visible as it lands; Enter saves, as it does in the other fields."""

    class Submitted(Message):
        pass

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted())
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        text = terminal_text(event.text.replace("\r\n", "\n").replace("\r", "\n"))
        self.move_cursor(self.replace(text, *self.selection).end_location)


class MarkDialog(ModalScreen[MarkRequest | None]):
    """Reason (pre-filled from the flag), owner (from the workflow) and a note; Enter or Ctrl+S saves."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog-cancel"),
        Binding("ctrl+s", "save", "Save", id="dialog-save"),
    ]

    def __init__(self, request: MarkRequest) -> None:
        super().__init__(classes="dialog-screen")
        self.request = request

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="mark-dialog"):
            yield Label(Text("Mark for follow-up", style="bold"))
            yield Label(Text(visible(self.request.description)), classes="dialog-target")
            yield Label("Reason")
            yield Select(((r.replace("_", " "), r) for r in REASONS), value=self.request.reason,
                         allow_blank=False, id="reason", compact=True)
            yield Label("Owner (who follows up)")
            yield Input(visible(self.request.owner), placeholder="name of the workflow owner", id="owner", compact=True)
            yield Label("Note (empty: the finding itself)" if self.request.note else "Note")
            placeholder = visible(self.request.note) or "what should they look at?"
            yield NoteArea(placeholder=placeholder, id="note", compact=True, soft_wrap=True)
            yield Label("", id="mark-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                # Keys, not focus, press these (Enter / ctrl+s, Esc): a focused button swallowed what was typed
                # after Tab left the note field, so Tab only moves between the fields.
                for button in (Button("Save (Enter / ctrl+s)", variant="primary", id="save", compact=True),
                               Button("Cancel (Esc)", id="cancel", compact=True)):
                    button.can_focus = False
                    yield button

    def on_mount(self) -> None:
        self.query_one("#note" if self.request.owner else "#owner").focus()

    @on(Input.Submitted)
    @on(NoteArea.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        note = self.query_one("#note", NoteArea).text.strip()
        if len(note) > MAX_TEXT_CHARS:
            self.query_one("#mark-error", Label).update(
                f"The note has {len(note):,} characters; a note keeps up to {MAX_TEXT_CHARS:,}: shorten it."
            )
            self.query_one("#note", NoteArea).focus()
            return
        owner = self.query_one("#owner", Input).value.strip()
        if owner == visible(self.request.owner).strip():  # the default, shown with its controls made visible
            owner = self.request.owner.strip()
        if not owner:
            self.query_one("#mark-error", Label).update("An owner is needed: who should follow up?")
            self.query_one("#owner", Input).focus()
            return
        reason = self.query_one("#reason", Select).value
        note = note or self.request.note
        self.dismiss(replace(self.request, reason=str(reason), owner=owner, note=note))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class AsOfChoice:
    as_of: date | None  # None: the last day with events


class AsOfDialog(ModalScreen[AsOfChoice | None]):
    """Type an ISO date; empty means 'the last day with events'. Dismisses with None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog-cancel")]

    def __init__(self, current: date | None, first: date | None, last: date | None) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current
        self.first = first
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="asof-dialog"):
            yield Label(Text("Review as of", style="bold"))
            span = f"data from {self.first} to {self.last}" if self.first else "no data yet"
            yield Label(f"{span}; leave empty for the latest day")
            yield Input(self.current.isoformat() if self.current else "", placeholder="YYYY-MM-DD", id="asof", compact=True)
            yield Label("", id="asof-error", classes="dialog-error")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        raw = event.value.strip()
        if not raw:
            self.dismiss(AsOfChoice(None))
            return
        try:
            chosen = date.fromisoformat(raw)
        except ValueError:
            self.query_one("#asof-error", Label).update(Text(f"{visible(raw)} is not a date like 2026-10-31"))
            return
        if problem := date_problem(chosen):
            self.query_one("#asof-error", Label).update(Text(problem))
            return
        self.dismiss(AsOfChoice(chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    """One line of text (a filter, an owner, a file path); Enter accepts, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog-cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"))
            yield Input(self.value, placeholder=self.placeholder, compact=True)

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; y confirms, n or Escape declines."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n", "answer(False)", "No", id="confirm-no"),
        Binding("escape", "answer(False)", "No", show=False, id="confirm-cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(visible(self.question)))
            yield Label(Text("y: yes   n: no", style="dim"))

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
