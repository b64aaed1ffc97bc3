"""The shape every review screen shares: load a view model in a worker, render it, filter, mark, go back."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static
from textual.worker import Worker

from ..review_window import ReviewWindow
from ..workers import Built, build_in_worker
from ...marks import MarkRequest
from ..widgets.filter_bar import FilterBar
from ..widgets.footer import KeysFooter
from ..widgets.tables import ReviewTable

if TYPE_CHECKING:
    from ...records import FollowUpRecord
    from ..app import TrialStackApp

Model = TypeVar("Model")


class MarkSaved(Message):
    """A follow-up mark was committed; the app posts it to every screen on the stack."""

    def __init__(self, mark: FollowUpRecord) -> None:
        super().__init__()
        self.mark = mark


class ReviewScreen(Screen, Generic[Model]):
    """Subclasses implement `compose_body`, `fetch` (runs in a thread) and `show` (on the UI thread)."""

    BINDINGS = [
        Binding("escape,backspace", "back", "Back", show=False, id="back"),
        Binding("slash", "filter", "Filter", id="filter"),
    ]
    SCREEN_TITLE = ""
    WINDOWED = True  # whether the review window (w, a) changes what this screen shows
    TAB = ""  # the navigation action (app.NAVIGATION) whose tab is this screen; '' for a drill-down
    HELP = ""  # one paragraph: what this screen answers
    FOCUS = ""  # the main table: focused on mount (without scrolling to it) and after every reload
    AUTO_FOCUS = ""  # (Textual's own auto-focus would scroll a long, already filled table into view)

    def __init__(self) -> None:
        super().__init__()
        self.loaded_for: ReviewWindow | None = None
        self.model: Model | None = None
        self._focus_before_load: Widget | None = None
        self.arriving = False  # the app is building this screen's first model (`arrive` hands it over)
        self.focus_settled = False  # after the first frame: focus moves from then on are the administrator's
        self._arrived: tuple[ReviewWindow, Model] | None = None
        self._resumed = False  # resumed once (pushed): see on_screen_resume

    if TYPE_CHECKING:  # typed for the checker only: importing the app here would be circular at run time
        @property
        def app(self) -> TrialStackApp: ...

    def compose(self) -> ComposeResult:
        # The breakpoint class (-narrow / -wide) the screen's first Resize would add, set before its widgets are
        # styled: added after the first frame, it restyled, laid out and painted the whole screen a second time.
        breakpoints = self.app.HORIZONTAL_BREAKPOINTS or []
        self.set_class(True, *self._get_breakpoint_classes(self.app.size.width, breakpoints), update=False)
        yield Header()
        yield self.app.tab_bar(self.TAB)
        with Vertical(id="body"):
            yield from self.compose_body()
        yield Static(id="load-error", classes="load-error")
        yield FilterBar()
        yield KeysFooter(compact=True, show_command_palette=False)  # ctrl+p is in the help and the README

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def fetch(self, window: ReviewWindow) -> Model:
        """Ask the review seam for this screen's view model (called in a worker thread)."""
        raise NotImplementedError

    def show(self, model: Model) -> None:
        """Render the view model into the widgets (called on the UI thread)."""
        raise NotImplementedError

    def mark_target(self) -> MarkRequest | None:
        """What `m` marks here (the highlighted row); None when nothing is selected."""
        return None

    # ------------------------------------------------------------------ loading

    def on_mount(self) -> None:
        self.title = self.SCREEN_TITLE
        self.restore_focus()
        self.reload()
        self.call_after_refresh(self._settle_focus)

    def _settle_focus(self) -> None:
        self.focus_settled = True

    def on_resize(self) -> None:
        self.app.check_size()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed:
            # Textual's own handler, which runs after this one, styles every widget of a screen again as it is
            # resumed, the first time too, when mounting has just styled them: a fifth of the CSS work before a
            # drill-down's first frame (5 ms). Later resumes are left to Textual. (Textual is pinned; the test
            # `test_a_drill_down_is_styled_once_as_it_opens` checks the screen is styled all the same.)
            self._resumed = True
            event.refresh_styles = False
        if self.loaded_for is not None and self.loaded_for != self.app.window:
            self.reload()
        else:
            self.restore_focus()

    def restore_focus(self) -> None:
        """The focus rule, in one place: after a reload, a dialog, or a return to this screen, the keyboard
        acts on a table again. The table that had focus keeps it (its cursor stays on the same row key, see
        ReviewTable.set_rows); when nothing usable has focus, the screen's main table takes it.

        The loading indicator and a replaced screen both take focus away from the table without giving it back,
        which left j, Enter and s dead until Tab was pressed."""
        if not self.FOCUS:
            return
        keep, self._focus_before_load = self._focus_before_load, None
        if _usable(self.focused):
            return  # focus is where the administrator put it (Tab, /)
        target = keep if _usable(keep) else self.query_one(self.FOCUS)
        self.set_focus(target, scroll_visible=False)

    def ready_model(self, window: ReviewWindow) -> Model | None:
        """A view model already built for this window (prefetched), shown without a worker; None if none."""
        return None

    def arrive(self, window: ReviewWindow, model: Model) -> None:
        """The model the app built before opening this screen (`TrialStackApp._open_built`)."""
        self.arriving = False
        if not self.is_mounted:
            self._arrived = (window, model)  # shown by the first reload, in the first frame
        elif window == self.app.window:
            self._loaded(window, model)
        else:
            self.reload()

    def reload(self) -> None:
        """Fetch the view model again for the app's current window, in a worker."""
        arrived, self._arrived = self._arrived, None
        window = self.app.window
        ready = arrived[1] if arrived is not None and arrived[0] == window else self.ready_model(window)
        if ready is not None:
            # Straight into the widgets (all mounted by the time the screen's Mount runs), so the first
            # frame is the finished one: no empty frame is laid out and painted before it.
            self._loaded(self.app.window, ready)
            return
        if self.focused is not None:
            self._focus_before_load = self.focused
        self.query_one("#body").loading = True
        if self.arriving:
            return  # the app is building the first model: `arrive` shows it
        self.build_in_worker(partial(self.fetch, window), partial(self._loaded, window), self._failed, group="load")

    def build_in_worker(
        self, build: Callable[[], Built], deliver: Callable[[Built], None], failed: Callable[[str], None],
        *, group: str, exclusive: bool = True,
    ) -> Worker[None]:
        """`workers.build_in_worker` on this screen: its workers end with it."""
        return build_in_worker(self, build, deliver, failed, group=group, exclusive=exclusive)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_failure(event)  # a screen's workers report to the screen; the app decides

    def _loaded(self, window: ReviewWindow, model: Model) -> None:
        self.loaded_for = window
        self.model = model
        self.query_one("#load-error", Static).display = False
        self.sub_title = self.describe(window, model)
        self.show(model)
        self.query_one("#body").loading = False
        self.restore_focus()

    def _failed(self, message: str) -> None:
        self.loaded_for = self.app.window
        self.load_failed(message)

    def load_failed(self, message: str) -> None:
        """Show why this screen's data could not be built, in place of a loading indicator that would spin
        for ever; the keyboard stays on the table."""
        error = self.query_one("#load-error", Static)
        error.update(Text(message, style="bold red"))
        error.display = True
        for widget in self.walk_children(Widget):
            if widget.loading:
                widget.loading = False
        self.restore_focus()

    def describe(self, window: ReviewWindow, model: Model) -> str:
        """The header's subtitle: the window and store being reviewed."""
        return f"{window.describe()} · {self.app.store_label}"

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        table = self.focused
        if isinstance(table, ReviewTable) and table.filter_text:
            # Esc first takes away a kept `/` filter (the bar shows it); the next one goes back.
            self._filter_target = table
            self.query_one(FilterBar).action_clear_filter()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def focused_table(self) -> ReviewTable | None:
        focused = self.focused
        if isinstance(focused, ReviewTable):
            return focused
        tables = list(self.query(ReviewTable))
        return tables[0] if tables else None

    def action_filter(self) -> None:
        table = self.focused_table()
        if table is None:
            return
        self._filter_target = table
        bar = self.query_one(FilterBar)
        bar.value = table.filter_text
        bar.open()

    @on(FilterBar.FilterChanged)
    def _filter_changed(self, event: FilterBar.FilterChanged) -> None:
        table = getattr(self, "_filter_target", None) or self.focused_table()
        if table is None:
            return
        table.filter_text = event.text
        if event.done:
            self.set_focus(table)  # at once (as FilterBar.open): an Enter typed straight after opens the row


def _usable(widget: Widget | None) -> bool:
    return widget is not None and widget.is_attached and widget.focusable
