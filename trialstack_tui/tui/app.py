"""The App: global bindings, the review window, screen navigation and marking. Screens do the rest."""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import CancelledError, Future
from datetime import date
from importlib import import_module
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.filter import LineFilter, Monochrome, NoColor
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ..errors import UserFacingError, unexpected_error_line
from ..marks import MarkRequest
from ..safe_text import visible
from .collector import KeyPaced, startup_done
from .commands import ReviewCommands
from .contrast import LegibleColors
from .prefetch import OrgPrefetcher
from .review_window import ReviewWindow
from .screens.base import MarkSaved, ReviewScreen
from .screens.summary import SummaryScreen
from .screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from .widgets.tabs import ScreenTabs, keys_in_force
from .workers import build_in_worker

if TYPE_CHECKING:
    from ..metrics.summary import Summary
    from ..records import FollowUpRecord
    from ..review import Review
    from ..summary_ahead import SummaryAhead

Opener = Callable[[], "tuple[Review, str | None]"]
"""Opens the store; returns the review seam over it and a notice for the administrator (or None)."""

AHEAD_WAIT = 3.0  # seconds the store's opening here waits for the first summary's helper to answer
OPEN_WAIT = 0.3  # seconds a drill-down's model may be built before its screen opens with a loading indicator
NAVIGATION = {  # action → (module under tui/screens, screen class, title, help); imported on first use
    "home": ("summary", "SummaryScreen", "Quick summary", "Activity, adoption and flags across every org"),
    "rollouts": ("rollout", "RolloutScreen", "Rollout comparison", "Before / after / control for each change"),
    "billing": ("billing", "BillingScreen", "Billing", "Credits against each plan's allowance, projected to month end"),
    "followups": ("followups", "FollowUpsScreen", "Follow-ups", "Marks for workflow owners: list, close, export"),
}


def screen_class(module: str, name: str) -> type[Screen]:
    """A screen class of `tui/screens`, imported when first needed (the first frame needs the summary only)."""
    return getattr(import_module(f"{__package__}.screens.{module}"), name)


class TrialStackApp(App):
    """The review app: global keys, the review window the administrator chose, navigation and marking.

    It opens no store itself: its opener (`tui.launch`) runs on a worker once the first frame is drawn, and
    `review` hands the seam to screens' workers when it is ready. Every unforeseen error of a worker, the app's
    or a screen's, reaches `report_worker_failure` and becomes one line, never a crash.
    """

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

    def __init__(self, opener: Opener, *, store_label: str, read_only: bool = False,
                 window: ReviewWindow | None = None, keymap: dict[str, str] | None = None,
                 theme: str | None = None, ahead: SummaryAhead | None = None) -> None:
        """Review the store `opener` opens once the first frame is drawn (`tui.launch.make_app` builds it).

        `keymap` (binding id → keys) and `theme` are the administrator's own, already checked (`tui.keys`).
        `ahead` is the helper process reading the first summary beside the app's start, if one was started.
        """
        super().__init__()
        self._review: Future[Review] = Future()
        self._opener = opener
        self._ahead = ahead
        self._summary_painted = threading.Event()  # the helper's summary is on the screen, or there is none
        self.failure: str | None = None  # why the app ended early (the store could not be opened)
        self.prefetcher = OrgPrefetcher(lambda: self.review)
        self.collector = KeyPaced(self)  # no full garbage collection inside a held key
        self._opening: ReviewScreen | None = None  # the drill-down Enter asked for, while its model is built
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
        except Exception as exc:  # reported once, by report_worker_failure
            raise UserFacingError("the store could not be opened") from exc

    def summary(self, window: ReviewWindow) -> Summary:
        """The quick summary of a window (from a worker thread): the helper's, the first time and if it read
        this window, without waiting for the store to open here; else the store's."""
        found = self._ahead.take(window.days, window.as_of) if self._ahead is not None else None
        if found is not None:
            return found
        self._summary_painted.set()  # no summary of the helper's to paint: the store opens at once
        return self.review.summary(days=window.days, as_of=window.as_of)

    def summary_painted(self) -> None:
        """The summary screen has painted its data (`_open_store` waits for the first time)."""
        self._summary_painted.set()

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
        self.call_after_refresh(self._open_store)

    @work(thread=True, group="open", exit_on_error=False)
    def _open_store(self) -> None:
        try:
            self._open_store_once_the_summary_is_shown()
        finally:
            startup_done()  # opened or not: the collector runs again

    def _open_store_once_the_summary_is_shown(self) -> None:
        if self._ahead is not None:
            # What the helper's answer unpickles into (the summary's dataclasses: the metrics and records),
            # imported while the helper still reads, the first frame painted and the interpreter idle, instead
            # of after the answer, in front of its paint.
            import_module("trialstack_tui.metrics.summary")
            # Importing SQLAlchemy here while the helper imports it too, its answer would wait for a core
            # wherever the machine has fewer than two free: the store opens here once it has answered.
            self._ahead.settled.wait(AHEAD_WAIT)
            # Nor while the helper's summary is being painted: the import took the interpreter from that first
            # paint (its answer to the painted frame at 10M: 83-96 ms beside the import, 60-63 ms after it).
            self._summary_painted.wait(AHEAD_WAIT)
        if not self._review.set_running_or_notify_cancel():
            return  # the app was closed before it got this far
        try:
            review, notice = self._opener()
        except BaseException as exc:  # screens waiting for the seam learn it failed; the app, how (below)
            self._review.set_exception(exc)
            raise
        self._review.set_result(review)
        if notice:
            self.call_from_thread(self.notify, notice, timeout=8)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:  # once a key, not again as it bubbles back
            self.collector.key()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.collector.release()
        self._summary_painted.set()
        self._review.cancel()  # if the store never started opening, screens waiting for it stop waiting
        self.prefetcher.close()

    # ------------------------------------------------------------------ worker failures

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker_failure(event)

    def report_worker_failure(self, event: Worker.StateChanged) -> None:
        """The one handler of unforeseen worker errors (foreseen ones are `UserFacingError`s, which the
        workers show where they belong): the app's and every screen's workers end here.

        A store that could not be opened ends the app with its line (exit status 2 when foreseen, else 1);
        any other error becomes one line in a toast and on the screen that was loading, which stops loading."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        assert error is not None  # an ERROR state always carries its exception
        debug = os.environ.get("TRIALSTACK_DEBUG")
        if event.worker.group == "open":
            if isinstance(error, UserFacingError):
                self._end(2, f"trialstack-tui: {error}")
            else:
                details = "".join(traceback.format_exception(error))
                self._end(1, details if debug else unexpected_error_line(error))
            return
        line = unexpected_error_line(error)
        self.log.error("".join(traceback.format_exception(error)))
        self.notify(line, severity="error", timeout=10)
        node = event.worker.node
        if isinstance(node, ReviewScreen):
            node.load_failed(line)

    def _end(self, status: int, message: str) -> None:
        """End the app: the store cannot be used. run_tui prints `failure` once the terminal is back."""
        self.failure = message
        self.exit(return_code=status)

    # ------------------------------------------------------------------ navigation

    def open_org(self, org_id: str) -> None:
        window = self.window
        screen = screen_class("org", "OrgScreen")(org_id)
        if self.prefetcher.ready(org_id, window) is not None:
            self.push_screen(screen)  # prefetched: its first frame is the finished one
        else:
            self._open_built(screen, lambda: self.prefetcher.get(org_id, window))

    def open_workflow(self, workflow_id: str) -> None:
        window = self.window
        screen = screen_class("workflow", "WorkflowScreen")(workflow_id)
        self._open_built(screen, lambda: self.review.workflow_detail(workflow_id, days=window.days, as_of=window.as_of))

    def _open_built(self, screen: ReviewScreen, build: Callable[[], object]) -> None:
        """Open a drill-down whose view model is built first, for up to OPEN_WAIT, while the current screen
        stays: composing the new screen at the same time would take the interpreter from the build (each row
        read hands the lock back and forth) and paint an empty screen first. The screen then paints finished
        in one frame; a build that takes longer opens it with its loading indicator and arrives there."""
        window, asked_on = self.window, self.screen
        self._opening = screen
        screen.arriving = True

        def push() -> None:
            if self._opening is screen and self.screen is asked_on:  # no newer Enter, nothing opened since
                self._opening = None
                self.push_screen(screen)

        def arrived(model: object) -> None:
            screen.arrive(window, model)
            push()

        def refused(message: str) -> None:  # a foreseen fault: the screen shows it
            screen.arriving = False
            if screen.is_mounted:
                screen.load_failed(message)
            else:
                push()

        def build_or_give_up() -> object:
            try:
                return build()
            except UserFacingError:
                raise
            except Exception as exc:  # unforeseen: the worker's ERROR state tells it; the screen stops waiting
                self.call_from_thread(refused, unexpected_error_line(exc))
                raise

        self.set_timer(OPEN_WAIT, push)
        build_in_worker(self, build_or_give_up, arrived, refused, group="drill-down")

    def open_comparison(self, change_id: str) -> None:
        self.push_screen(screen_class("rollout", "RolloutScreen")(select=change_id))

    def _go(self, action: str) -> None:
        if getattr(self.screen, "TAB", None) == action:
            return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, TooSmallScreen):
            self.pop_screen()
        if action != "home":  # the summary is the default screen, at the bottom of the stack
            module, name, _title, _help = NAVIGATION[action]
            self.push_screen(screen_class(module, name)())

    def action_home(self) -> None:
        self._go("home")

    def action_rollouts(self) -> None:
        self._go("rollouts")

    def action_billing(self) -> None:
        self._go("billing")

    def action_followups(self) -> None:
        self._go("followups")

    def action_help(self) -> None:
        help_screen = screen_class("help", "HelpScreen")
        if not isinstance(self.screen, help_screen):
            self.push_screen(help_screen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for action, (_module, _name, title, help_text) in NAVIGATION.items():
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
        """Ask for a date, with the stored data's first and last day (read on a worker, off the UI thread)."""
        build_in_worker(self, lambda: self.review.data_range(), self._ask_as_of, self._say_error, group="as-of")

    def _say_error(self, message: str) -> None:
        self.notify(message, severity="error")

    def _ask_as_of(self, span: tuple[date, date] | None) -> None:
        from .widgets.dialogs import AsOfChoice, AsOfDialog

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
        request = self.screen.mark_target() if isinstance(self.screen, ReviewScreen) else None
        if request is None:
            self.notify("Nothing to mark here: highlight an org, workflow, flag or change first.", severity="warning")
            return
        # The seam fills the mark's defaults (the owner is the workflow's), on a worker; the dialog opens on them.
        build_in_worker(self, lambda: self.review.mark_defaults(request), self._ask_mark,
                        lambda message: self._say_error(f"Cannot mark: {message}"), group="mark", exclusive=False)

    def _ask_mark(self, request: MarkRequest) -> None:
        from .widgets.dialogs import MarkDialog

        self.push_screen(MarkDialog(request), self._save_mark)

    def _save_mark(self, request: MarkRequest | None) -> None:
        if request is not None:
            build_in_worker(self, lambda: self.review.mark(request), self._mark_saved,
                            lambda message: self._say_error(f"Not saved: {message}"), group="mark", exclusive=False)

    def _mark_saved(self, mark: FollowUpRecord) -> None:
        """Say so, and tell every screen on the stack (the follow-ups list under a drill-down shows it)."""
        self.notify(f"Marked #{mark.id} for {mark.owner} ({mark.reason})")
        for screen in self.screen_stack:
            screen.post_message(MarkSaved(mark))

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
