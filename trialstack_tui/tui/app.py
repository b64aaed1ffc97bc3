"""The App: global bindings, the review window, screen navigation and marking. Screens do the rest."""

from __future__ import annotations

import gc
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import CancelledError, Future
from datetime import date
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.filter import LineFilter, Monochrome, NoColor
from textual.screen import Screen

from ..config import StoreLocation
from ..errors import UserFacingError, unexpected_error_line
from ..safe_text import terminal_text, visible
from .commands import ReviewCommands
from .contrast import LegibleColors
from .prefetch import OrgPrefetcher
from .screens.base import ReviewScreen
from .screens.billing import BillingScreen
from .screens.followups import FollowUpsScreen
from .screens.help import HelpScreen, keys_in_force
from .screens.org import OrgScreen
from .screens.rollout import RolloutScreen
from .screens.summary import SummaryScreen
from .screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from .screens.workflow import WorkflowScreen
from .review_window import ReviewWindow
from .widgets.dialogs import AsOfChoice, AsOfDialog, MarkDialog, MarkRequest
from .widgets.tabs import ScreenTabs

if TYPE_CHECKING:
    from ..review import Review
    from ..store import Store

Opener = Callable[[], "tuple[Review, str | None]"]
"""Opens the store; returns the review seam over it and a notice for the administrator (or None)."""

NAVIGATION = {  # action → (screen class, title, help)
    "home": (SummaryScreen, "Quick summary", "Activity, adoption and flags across every org"),
    "rollouts": (RolloutScreen, "Rollout comparison", "Before / after / control for each change"),
    "billing": (BillingScreen, "Billing", "Credits against each plan's allowance, projected to month end"),
    "followups": (FollowUpsScreen, "Follow-ups", "Marks for workflow owners: list, close, export"),
}


class TrialStackApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "trialstack-tui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    COMMANDS = App.COMMANDS | {ReviewCommands}
    # The screen keys, help and quit show in every screen's tab bar (see `tab_bar`), so the footer has room
    # for the screen's own keys at 76 columns.
    BINDINGS = [
        Binding("q", "quit", "Quit", show=False, id="quit"),
        Binding("question_mark", "help", "Help", show=False, id="help"),
        Binding("m", "mark", "Mark", id="mark"),
        Binding("w", "cycle_window", "Window", id="window"),
        Binding("a", "as_of", "As of", show=False, id="as-of"),
        Binding("r", "refresh", "Refresh", show=False, id="refresh"),
        Binding("h", "home", "Summary", show=False, id="go-summary"),
        Binding("c", "rollouts", "Rollouts", show=False, id="go-rollouts"),
        Binding("b", "billing", "Billing", show=False, id="go-billing"),
        Binding("f", "followups", "Follow-ups", show=False, id="go-followups"),
    ]
    TAB_EXTRAS = ("help", "quit")

    def __init__(self, review: Review | None = None, *, opener: Opener | None = None, store_label: str,
                 read_only: bool = False, window: ReviewWindow | None = None,
                 keymap: dict[str, str] | None = None, theme: str | None = None) -> None:
        """Review an open store (`review`), or one that `opener` opens once the first frame is drawn.

        `keymap` (binding id → keys) and `theme` are the administrator's own, already checked (`tui.keys`).
        """
        super().__init__()
        if (review is None) == (opener is None):
            raise ValueError("give a review or an opener, not both")
        self._review: Future[Review] = Future()
        if review is not None:
            self._review.set_result(review)
        self._opener = opener
        self.failure: str | None = None  # why the store could not be opened, when it could not
        self.prefetcher = OrgPrefetcher(lambda: self.review)
        self.store_label = store_label
        self.read_only = read_only
        self.window = window or ReviewWindow()
        if keymap:
            self.set_keymap(keymap)
        if theme:
            self.theme = theme
        sixteen = self.console.color_system in ("standard", "windows")
        self._legible = LegibleColors("mono") if self.no_color else LegibleColors("ansi16") if sixteen else None

    def get_line_filters(self) -> Sequence[LineFilter]:
        # Textual's own NO_COLOR filters give way to ours, which also keeps text readable on its background.
        filters = [f for f in super().get_line_filters() if not isinstance(f, (Monochrome, NoColor))]
        return filters if self._legible is None else [*filters, self._legible]

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every toast, whoever raises it: never markup (a name like `ops [/] team` would crash it), and
        control characters made visible. The `markup` argument is accepted and ignored on purpose."""
        super().notify(visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False)

    def format_title(self, title: str, sub_title: str) -> Content:
        """Every screen's title and sub-title, in the header: names in them are shown with controls visible."""
        return super().format_title(visible(title), visible(sub_title))

    @property
    def review(self) -> Review:
        """The review seam; waits for the store to open (screens ask from their worker threads)."""
        try:
            return self._review.result()
        except CancelledError:
            raise UserFacingError("the app closed before the store was opened") from None
        except UserFacingError:
            raise
        except Exception as exc:  # reported once, by _open_store
            raise UserFacingError("the store could not be opened") from exc

    def tab_bar(self, current: str) -> ScreenTabs:
        """The bar of screen keys for a screen; `current` is the navigation action that shows it ('' for none)."""
        bindings = {b.action: b for b in self.BINDINGS if isinstance(b, Binding)}

        def key(action: str) -> str:  # the key in force: the administrator's keymap may remap it
            binding = bindings[action]
            return self.get_key_display(Binding(keys_in_force(binding, self._keymap)[0], action))

        return ScreenTabs(
            [(action, key(action), bindings[action].description) for action in NAVIGATION],
            current,
            [(key(a), bindings[a].description) for a in self.TAB_EXTRAS],
        )

    def get_default_screen(self) -> Screen:
        return SummaryScreen()

    def on_mount(self) -> None:
        # Draw the first frame first: importing the store's libraries (SQLAlchemy, SQLModel: ~0.3 s) and
        # opening the store happen on a worker thread after it, while the summary shows its loading indicator.
        self.call_after_refresh(self._open_store if self._opener is not None else self._freeze_startup_objects)

    @work(thread=True, group="open", exit_on_error=False)
    def _open_store(self) -> None:
        assert self._opener is not None
        if not self._review.set_running_or_notify_cancel():
            return  # the app was closed before it got this far
        try:
            review, notice = self._opener()
        except UserFacingError as exc:
            self._review.set_exception(exc)
            self._fail(2, f"trialstack-tui: {exc}")
            return
        except Exception as exc:  # unforeseen: one line, as the headless commands print it
            self._review.set_exception(exc)
            self._fail(1, traceback.format_exc() if os.environ.get("TRIALSTACK_DEBUG") else unexpected_error_line(exc))
            return
        self._review.set_result(review)
        self._freeze_startup_objects()
        if notice:
            self.call_from_thread(self.notify, notice, timeout=8)

    def _fail(self, status: int, message: str) -> None:
        """End the app: the store cannot be used. run_tui prints `failure` once the terminal is back."""
        self.failure = message
        self.call_from_thread(self.exit, return_code=status)

    def _freeze_startup_objects(self) -> None:
        # What exists now (modules, classes, the summary's widgets) lives as long as the app. Freezing it
        # keeps the cyclic collector from walking those ~120k objects again on every full collection, which
        # otherwise stalls a key press by 50–130 ms now and then.
        gc.freeze()

    def on_unmount(self) -> None:
        self._review.cancel()  # if the store never started opening, screens waiting for it stop waiting
        self.prefetcher.close()

    # ------------------------------------------------------------------ navigation

    def open_org(self, org_id: str) -> None:
        self.push_screen(OrgScreen(org_id))

    def open_workflow(self, workflow_id: str) -> None:
        self.push_screen(WorkflowScreen(workflow_id))

    def open_comparison(self, change_id: str) -> None:
        self.push_screen(RolloutScreen(select=change_id))

    def _go(self, action: str) -> None:
        screen_class = NAVIGATION[action][0]
        if isinstance(self.screen, screen_class):
            return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, TooSmallScreen):
            self.pop_screen()
        if screen_class is not SummaryScreen:
            self.push_screen(screen_class())

    def action_home(self) -> None:
        self._go("home")

    def action_rollouts(self) -> None:
        self._go("rollouts")

    def action_billing(self) -> None:
        self._go("billing")

    def action_followups(self) -> None:
        self._go("followups")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for action, (_cls, title, help_text) in NAVIGATION.items():
            yield SystemCommand(title, help_text, lambda a=action: self._go(a))
        yield SystemCommand("Help", "The keys of this screen", self.action_help)
        yield SystemCommand("Window", "Cycle the review window: 7, 30, 90 days", self.action_cycle_window)
        yield SystemCommand("As of…", "Review as of another date", self.action_as_of)
        yield SystemCommand("Refresh", "Reload from the store (after an import)", self.action_refresh)

    # ------------------------------------------------------------------ the window

    def set_window(self, window: ReviewWindow) -> None:
        self.window = window
        if isinstance(self.screen, ReviewScreen):
            self.screen.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A screen that the window does not change (follow-ups) leaves `w` out of its footer.
        if action == "cycle_window" and not getattr(self.screen, "WINDOWED", True):
            return False
        return True

    def action_cycle_window(self) -> None:
        self.set_window(self.window.next_days())
        self.notify(f"Window: {self.window.describe()}", timeout=2)

    def action_refresh(self) -> None:
        self.set_window(self.window.refreshed())

    def action_as_of(self) -> None:
        span = self.review.data_range()
        first, last = span if span else (None, None)

        def chosen(choice: AsOfChoice | None) -> None:
            if choice is not None:
                self.set_window(self.window.at(choice.as_of))

        self.push_screen(AsOfDialog(self.window.as_of, first, last), chosen)

    # ------------------------------------------------------------------ marking

    def action_mark(self) -> None:
        if self.read_only:
            self.notify("This store is open read-only (--read-only): marks cannot be saved.", severity="warning")
            return
        target = self.screen.mark_target() if isinstance(self.screen, ReviewScreen) else None
        if target is None:
            self.notify("Nothing to mark here: highlight an org, workflow, flag or change first.", severity="warning")
            return
        self.push_screen(MarkDialog(target), self._save_mark)

    def _save_mark(self, request: MarkRequest | None) -> None:
        if request is not None:
            self._store_mark(request)

    @work(thread=True, group="mark")
    def _store_mark(self, r: MarkRequest) -> None:
        try:
            mark = self.review.mark(
                target_type=r.target_type, reason=r.reason, note=r.note, owner=r.owner, org_id=r.org_id,
                workspace_id=r.workspace_id, workflow_id=r.workflow_id, target_ref=r.target_ref,
            )
        except UserFacingError as exc:
            self.call_from_thread(self.notify, f"Not saved: {exc}", severity="error")
            return
        self.call_from_thread(self.notify, f"Marked #{mark.id} for {mark.owner} ({mark.reason})")

    # ------------------------------------------------------------------ size

    def check_size(self) -> None:
        """Show the 'needs more room' screen below the minimum size, and take it away above it."""
        small = self.size.width < MIN_WIDTH or self.size.height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif showing:
            if small:
                self.screen.refresh()
            else:
                self.pop_screen()


class StoreOpener:
    """The app's `Opener` for a store location: opens it (on the app's worker) and closes it afterwards.

    `prepare` runs once the store is open (the CLI fills a first-run default store there) and may return a
    notice; `notices` keeps every notice, to print again when the terminal is back.
    """

    def __init__(
        self, location: StoreLocation, *, read_only: bool, prepare: Callable[[Store], str | None] | None = None
    ) -> None:
        self.location = location
        self.read_only = read_only
        self.prepare = prepare
        self.notices: list[str] = []
        self._store: Store | None = None
        self._opening = threading.Lock()

    def __call__(self) -> tuple[Review, str | None]:
        from ..review import Review
        from ..store import Store

        with self._opening:
            self._store = Store(self.location, read_only=self.read_only)
            prepared = self.prepare(self._store) if self.prepare else None
            self.notices = [note for note in (self._store.upgrade_note, prepared) if note]
            return Review(self._store), "; ".join(self.notices) or None

    def close(self) -> None:
        """Close the store; an administrator who quit while it was opening waits for the opening to end."""
        with self._opening:
            if self._store is not None:
                self._store.close()


def run_tui(
    location: StoreLocation,
    *,
    read_only: bool,
    days: int,
    as_of: date | None,
    prepare: Callable[[Store], str | None] | None = None,
    keymap: dict[str, str] | None = None,
    theme: str | None = None,
) -> int:
    """Run the app until the administrator quits; the store opens behind the first frame."""
    opener = StoreOpener(location, read_only=read_only, prepare=prepare)
    app = TrialStackApp(opener=opener, store_label=location.display, read_only=read_only,
                        window=ReviewWindow(days, as_of), keymap=keymap, theme=theme)
    try:
        app.run()
    finally:
        opener.close()
    for line in (*(f"trialstack-tui: {notice}" for notice in opener.notices), app.failure):
        if line:
            print(terminal_text(line), file=sys.stderr)
    return app.return_code or 0
