"""One TUI measurement, run in a process of its own by `benchmarks/run.py` (never by the test suite).

    python benchmarks/tui_probe.py trialstack --db URL --launched EPOCH
    python benchmarks/tui_probe.py bare --launched EPOCH
    python benchmarks/tui_probe.py bare --terminal        # for tmux_probe.py: the bare app in a real terminal

Both apps start the same way: the interpreter starts, imports what the app needs, builds the app and runs it
headless under Textual's Pilot at the same terminal size. A frame counts as painted when the screen's
compositor update has been rendered to the terminal byte string it would send (the headless driver skips
only the final write). Prints one JSON object:

- `launch_to_first_frame_s`: from the parent's clock reading just before it started this process to the
  app's first painted frame, whatever it shows (trialstack: the summary's frame with its loading indicator,
  drawn before the store opens; bare: its label);
- `launch_to_paint_s`: the same clock to the first painted frame that shows the finished content (the
  summary with its data, or the bare app's label);
- `run_to_paint_s`: the same, from the moment the app starts running (imports of the app excluded);
- `push_s` (bare only): Enter → the painted frame of a pushed screen of the drill-down's shape (a title, a
  panel and three 40-row tables, the data already in memory), median of PUSHES;
- `drill_down_s` (trialstack only): Enter on the summary's first org, pressed as soon as the summary is
  painted, to the first painted frame of the org drill-down with its data (the summary starts building the
  drill-down of the org under its cursor when it shows its data, so part of it may be done);
- `drill_down_after_look_s`: the same for the next org after a second's look with that org highlighted;
- `drill_down_unprefetched_s`: Enter pressed the moment the cursor reaches an org (`j` then Enter, before
  the summary's 0.15 s prefetch timer), median over the next orgs: the view model is built after the key;
- `workflow_unprefetched_s`: on an org screen, `j` then Enter at once, to the workflow screen with its data;
- `comparison_unprefetched_s`: on the rollout screen, `j` then Enter at once, to the comparison shown;
- `summary_data_s`: how long the summary screen's worker waited for its first summary (the helper's answer
  when the helper started, else the review seam's read); `drill_down_data_s`: how long the review seam took
  to build each org drill-down (in a worker thread); the rest is Textual composing, laying out and painting;
- `held`: `j` held for HOLD_S at KEY_RATE presses a second (key events posted from another thread, as a
  terminal driver does) on the summary, an org screen and follow-ups: per screen the slowest key (its press
  to the first painted frame that shows its cursor move), the longest gap between frames while keys were
  pending, the last frame after the last press (keys still queued would keep painting), and the rows moved;
- `drill_downs_built`: how many org drill-downs the prefetcher and the screens built in the whole probe;
- `peak_rss_mb`: this process's peak resident set size; `helper_peak_rss_mb`: the summary helper's (0 when
  none was started).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import threading
import time

SIZE = (120, 40)
LOOK_S = 1.0  # how long the probe "reads" the summary before the second Enter
UNPREFETCHED = 3  # orgs entered at once after the cursor reaches them
PUSHES = 5  # pushes of the bare app's drill-down-shaped screen
HOLD_S, KEY_RATE = 2.0, 30  # a held key: two seconds of a terminal's usual auto-repeat


class PaintClock:
    """Wraps an app's `_display` so every compositor update is rendered and its time noted."""

    def __init__(self, app, ready) -> None:
        self.app = app
        self.ready = ready  # () -> bool: does the current screen show the finished content?
        self.painted_at: float | None = None
        self.first_frame_at: float | None = None  # the app's first painted frame, whatever it shows
        self.frames = 0
        self.watch = None  # () -> None, called after every painted frame while set
        # Set by the frame that is ready. Waiting on it, not polling: a loop woken every millisecond takes the
        # interpreter lock from the app's worker thread a thousand times a second (an org's build took 28-67
        # ms under a polling clock, 22-35 ms under this one), which no terminal does to the app.
        self._painted = asyncio.Event()
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(app.console)  # the terminal bytes a real driver would write
            self.frames += 1
            if self.watch is not None:
                self.watch()
            if self.first_frame_at is None:
                self.first_frame_at = time.time()
            if self.painted_at is None and self.ready():
                self.painted_at = time.time()
                self._painted.set()

        app._display = display

    def expect(self, ready) -> None:
        """Start waiting for another finished frame."""
        self.ready = ready
        self.painted_at = None
        self._painted.clear()

    async def wait(self, pilot, timeout: float = 120.0) -> float:
        try:
            await asyncio.wait_for(self._painted.wait(), timeout)
        except asyncio.TimeoutError:
            screen = pilot.app.screen
            raise SystemExit(f"timed out waiting for a painted frame on {type(screen).__name__}, "
                             f"focus on {pilot.app.focused!r}") from None
        return self.painted_at


def _loaded(app, screen_type) -> bool:
    screen = app.screen
    return (
        isinstance(screen, screen_type)
        and screen.model is not None
        and not screen.query_one("#body").loading
    )


async def probe_trialstack(db: str, launched: float) -> dict:
    import trialstack_tui.cli  # noqa: F401 - the command parses its arguments before it starts the helper
    from trialstack_tui.config import resolve_store
    from trialstack_tui.metrics.window_days import DEFAULT_DAYS
    from trialstack_tui.summary_ahead import SummaryAhead
    from trialstack_tui.tui.collector import hold_during_startup

    # As `trialstack-tui` starts it: the collector held and the helper reading the first summary before
    # Textual is imported, then the same factory run_tui uses; the store opens behind the first frame.
    location = resolve_store(db)
    hold_during_startup()
    ahead = SummaryAhead.start(location, DEFAULT_DAYS, None)
    from trialstack_tui.tui.launch import StoreOpener, make_app
    from trialstack_tui.tui.prefetch import OrgPrefetcher
    from trialstack_tui.tui.review_window import ReviewWindow
    from trialstack_tui.tui.screens.summary import SummaryScreen

    app, opener = make_app(location, window=ReviewWindow(DEFAULT_DAYS), ahead=ahead)
    data_times: dict[str, list[float]] = {}
    opened = StoreOpener.__call__

    def open_and_time(self):
        # The seam is imported by the opener, on the app's worker: time its calls from then on (importing it
        # here, before the app runs, would put SQLAlchemy's import in front of the first frame).
        result = opened(self)
        from trialstack_tui.review import Review

        data_times.update(_time_calls(Review, "org_detail"))
        return result

    StoreOpener.__call__ = open_and_time
    data_times.update(_time_calls(type(app), "summary"))  # the helper's answer, or the seam's read
    builds = _time_calls(OrgPrefetcher, "_fetch")["_fetch"]
    clock = PaintClock(app, lambda: _loaded(app, SummaryScreen))
    started = time.time()
    try:
        async with app.run_test(size=SIZE) as pilot:
            painted = await clock.wait(pilot)
            await pilot.pause()
            org_id, drill_down = await _enter(app, pilot, clock, "OrgScreen")
            # As a person does: back to the summary, move to the next org, read for a second, then Enter.
            # The summary prefetches the highlighted org's drill-down while it is being read.
            await _back_and_down(pilot)
            await asyncio.sleep(LOOK_S)
            _, after_look = await _enter(app, pilot, clock, "OrgScreen")
            # With nothing prefetched: the next orgs, Enter at once after the cursor reaches each.
            at_once = []
            for _ in range(UNPREFETCHED):
                await _back_and_down(pilot)
                at_once.append((await _enter(app, pilot, clock, "OrgScreen"))[1])
            held = {"org": await _hold(app, pilot, clock, "#workflows")}
            await pilot.press("j")
            workflow = (await _enter(app, pilot, clock, "WorkflowScreen"))[1]
            await pilot.press("h")
            await _settle(pilot, clock, app, "SummaryScreen")
            held["summary"] = await _hold(app, pilot, clock, "#orgs")
            await pilot.press("c")
            await _settle(pilot, clock, app, "RolloutScreen")
            await pilot.press("j")
            comparison = (await _enter(app, pilot, clock, "RolloutScreen", compared=True))[1]
            await pilot.press("f")
            await _settle(pilot, clock, app, "FollowUpsScreen")
            held["followups"] = await _hold(app, pilot, clock, "#followups")
            frames = clock.frames
    finally:
        opener.close()
    return {
        "app": "trialstack",
        "launch_to_first_frame_s": clock.first_frame_at - launched,
        "launch_to_paint_s": painted - launched,
        "run_to_paint_s": painted - started,
        "drill_down_s": drill_down,
        "drill_down_after_look_s": after_look,
        "drill_down_unprefetched_s": statistics.median(at_once),
        "drill_down_unprefetched_all_s": at_once,
        "workflow_unprefetched_s": workflow,
        "comparison_unprefetched_s": comparison,
        "drill_down_org": org_id,
        "summary_data_s": data_times["summary"][0],
        "drill_down_data_s": data_times["org_detail"][0],
        "drill_down_data_all_s": data_times["org_detail"],
        "held": held,
        "drill_downs_built": len(builds),
        "frames": frames,
    }


def _screen_is(app, name: str) -> bool:
    return type(app.screen).__name__ == name


async def _settle(pilot, clock: PaintClock, app, screen: str) -> None:
    """Wait for the screen named to be painted with its data (now, or in a frame to come)."""
    def ready() -> bool:
        return _screen_is(app, screen) and _loaded(app, type(app.screen))

    await pilot.pause()
    if not ready():
        clock.expect(ready)
        await clock.wait(pilot)
    await pilot.pause()


async def _enter(app, pilot, clock: PaintClock, screen: str, *, compared: bool = False) -> tuple[str, float]:
    """Enter on the focused table's row: (its key, seconds to the painted screen named, with its data; or, on
    the rollout screen, with the comparison of that change shown)."""
    key = app.focused.selected_key
    if compared:
        def ready() -> bool:
            cmp = app.screen.comparison
            return cmp is not None and cmp.change.change_id == key and not app.screen.query_one("#comparison").loading
    else:
        def ready() -> bool:
            return _screen_is(app, screen) and _loaded(app, type(app.screen))
    clock.expect(ready)
    pressed = time.time()
    await pilot.press("enter")
    drilled = await clock.wait(pilot)
    await pilot.pause()
    return key, drilled - pressed


async def _back_and_down(pilot) -> None:
    """Back to the summary and down one org."""
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("j")


async def _hold(app, pilot, clock: PaintClock, table_id: str) -> dict:
    """`j` held: KEY_RATE key events a second for HOLD_S, posted from a thread as a terminal driver posts them."""
    from textual import events

    table = app.screen.query_one(table_id)
    table.focus()
    await pilot.pause()
    table.move_cursor(row=0, animate=False)
    await pilot.pause()
    last_row = table.row_count - 1
    loop = asyncio.get_running_loop()
    sent: list[float] = []
    seen: list[tuple[float, int]] = []  # (time, cursor row) of every painted frame
    clock.watch = lambda: seen.append((time.time(), table.cursor_row))
    keys = int(HOLD_S * KEY_RATE)

    def press_keys() -> None:
        began = time.perf_counter()
        for i in range(keys):
            while time.perf_counter() < began + i / KEY_RATE:
                time.sleep(0.0005)
            sent.append(time.time())
            loop.call_soon_threadsafe(app.post_message, events.Key("j", "j"))

    thread = threading.Thread(target=press_keys)
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(0.005)
    expected = min(keys, last_row)
    deadline = time.monotonic() + 30
    while table.cursor_row < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.001)
    await pilot.pause()
    await asyncio.sleep(0.2)  # anything still queued would move the cursor on or paint again
    clock.watch = None
    latencies = []
    for i, at in enumerate(sent[:expected]):  # the keys that moved the cursor: key i shows row i + 1
        shown = next((t for t, row in seen if t >= at and row >= i + 1), None)
        latencies.append((shown - at) if shown is not None else float("inf"))
    during = [t for t, _ in seen if t <= sent[-1] + 0.05]
    gaps = [b - a for a, b in zip(during, during[1:])]
    return {
        "keys": keys, "rows": last_row + 1, "moved": table.cursor_row, "expected": expected,
        "slowest_key_ms": max(latencies, default=0.0) * 1000,
        "slowest_key_index": max(range(len(latencies)), key=latencies.__getitem__, default=-1),
        "median_key_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "longest_frame_gap_ms": max(gaps, default=0.0) * 1000,
        # keys still queued at release would keep painting after it
        "last_frame_after_release_ms": max(0.0, seen[-1][0] - sent[-1]) * 1000 if seen else 0.0,
    }


def _time_calls(obj, *names: str) -> dict[str, list[float]]:
    """Record how long each call of obj.<name> takes (on a class, every instance's calls are timed)."""
    times: dict[str, list[float]] = {name: [] for name in names}
    for name in names:
        method = getattr(obj, name)

        def timed(*args, _method=method, _name=name, **kwargs):
            began = time.perf_counter()
            try:
                return _method(*args, **kwargs)
            finally:
                times[_name].append(time.perf_counter() - began)

        setattr(obj, name, timed)
    return times


def bare_app():
    """A bare Textual app: one label; Enter pushes a screen of the drill-down's shape (a title, a panel and
    three 40-row tables, the data already in memory), Esc goes back."""
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import DataTable, Footer, Header, Label, Static

    class Shape(Screen):
        BINDINGS = [("escape", "app.pop_screen", "Back")]

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static(PANEL, id="panel")
            for n in range(3):
                yield DataTable(id=f"t{n}")
            yield Footer()

        def on_mount(self) -> None:
            for n in range(3):
                table = self.query_one(f"#t{n}", DataTable)
                table.add_columns(*COLUMNS)
                table.add_rows(ROWS)

    class Bare(App):
        BINDINGS = [("enter", "push", "Open")]

        def compose(self) -> ComposeResult:
            yield Label("Hello", id="hello")

        def action_push(self) -> None:
            self.push_screen(Shape(id="shape"))

    return Bare()


async def probe_bare(launched: float) -> dict:
    app = bare_app()
    clock = PaintClock(app, lambda: bool(app.screen.query("#hello")))
    started = time.time()
    pushes = []
    async with app.run_test(size=SIZE) as pilot:
        painted = await clock.wait(pilot)
        await pilot.pause()
        for _ in range(PUSHES):
            clock.expect(lambda: app.screen.id == "shape" and app.screen.query_one("#t2").row_count)
            pressed = time.time()
            await pilot.press("enter")
            pushes.append(await clock.wait(pilot) - pressed)
            await pilot.press("escape")
            await pilot.pause()
    return {
        "app": "bare", "launch_to_first_frame_s": clock.first_frame_at - launched,
        "launch_to_paint_s": painted - launched, "run_to_paint_s": painted - started,
        "push_s": statistics.median(pushes), "push_all_s": pushes,
    }


COLUMNS = ("Workflow", "Area", "Owner", "Events", "Share", "Trend", "AI", "Acc", "Err", "Users")
ROWS = [(f"workflow {i}", "support", "A. Owner", f"{1000 - i:,}", "3.1%", "+4%", "20%", "81%", "2%", str(i))
        for i in range(40)]
PANEL = "Adoption\n" + "\n".join(f"line {i}: 12 of 40 seats active" for i in range(8))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("app", choices=("trialstack", "bare"))
    parser.add_argument("--db")
    parser.add_argument("--launched", type=float, help="time.time() just before this process started")
    parser.add_argument("--terminal", action="store_true", help="bare only: run it in this terminal (tmux_probe.py)")
    args = parser.parse_args()
    if args.terminal:
        bare_app().run()
        return
    if args.launched is None:
        parser.error("--launched is required under Pilot")
    if args.app == "trialstack":
        result = asyncio.run(probe_trialstack(args.db, args.launched))
    else:
        result = asyncio.run(probe_bare(args.launched))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["helper_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
