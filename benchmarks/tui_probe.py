"""One TUI measurement, run in a process of its own by `benchmarks/run.py` (never by the test suite).

    python benchmarks/tui_probe.py trialstack --db URL --launched EPOCH
    python benchmarks/tui_probe.py bare --launched EPOCH

Both apps start the same way: the interpreter starts, imports what the app needs, builds the app and runs it
headless under Textual's Pilot at the same terminal size. A frame counts as painted when the screen's
compositor update has been rendered to the terminal byte string it would send (the headless driver skips
only the final write). Prints one JSON object:

- `launch_to_first_frame_s`: from the parent's clock reading just before it started this process to the
  app's first painted frame, whatever it shows (trialstack: the summary's frame with its loading indicator,
  drawn before the store opens; bare: its label);
- `launch_to_paint_s`: the same clock to the first painted frame that shows the finished content (the
  summary with its data, or the bare app's label);
- `run_to_paint_s`: the same, from the moment the app starts running (imports of the app excluded; the
  store opens on the app's worker, as `trialstack-tui` does it);
- `drill_down_s` (trialstack only): from the Enter key on the summary's first org, pressed as soon as the
  summary is painted, to the first painted frame of the org drill-down with its data (the summary starts
  building the drill-down of the org under its cursor when it shows its data, so part of it may be done);
- `drill_down_after_look_s` (trialstack only): the same for the next org after the probe has looked at the
  summary for a second with that org highlighted (the summary prefetches the highlighted org meanwhile);
- `drill_down_unprefetched_s` (trialstack only): the same for the org after that, Enter pressed the moment
  the cursor reaches it (before the summary's 0.15 s prefetch timer): the view model is built after the key;
- `summary_data_s`, `drill_down_data_s` (trialstack only): how long the review seam took to build the view
  model of each (in the screen's worker thread); the rest of the figure above is Textual composing, laying
  out and painting the screen;
- `peak_rss_mb`: this process's peak resident set size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time

SIZE = (120, 40)
LOOK_S = 1.0  # how long the probe "reads" the summary before the second Enter


class PaintClock:
    """Wraps an app's `_display` so every compositor update is rendered and its time noted."""

    def __init__(self, app, ready) -> None:
        self.app = app
        self.ready = ready  # () -> bool: does the current screen show the finished content?
        self.painted_at: float | None = None
        self.first_frame_at: float | None = None  # the app's first painted frame, whatever it shows
        self.frames = 0
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(app.console)  # the terminal bytes a real driver would write
            self.frames += 1
            if self.first_frame_at is None:
                self.first_frame_at = time.time()
            if self.painted_at is None and self.ready():
                self.painted_at = time.time()

        app._display = display

    def expect(self, ready) -> None:
        """Start waiting for another finished frame."""
        self.ready = ready
        self.painted_at = None

    async def wait(self, pilot, timeout: float = 120.0) -> float:
        deadline = time.monotonic() + timeout
        while self.painted_at is None:
            if time.monotonic() > deadline:
                raise SystemExit("timed out waiting for a painted frame")
            await asyncio.sleep(0.001)
        return self.painted_at


def _loaded(app, screen_type) -> bool:
    screen = app.screen
    return (
        isinstance(screen, screen_type)
        and screen.model is not None
        and not screen.query_one("#body").loading
    )


async def probe_trialstack(db: str, launched: float) -> dict:
    from trialstack_tui.config import resolve_store
    from trialstack_tui.review import Review
    from trialstack_tui.tui.launch import make_app
    from trialstack_tui.tui.screens.summary import SummaryScreen

    # As `trialstack-tui` starts it (the same factory run_tui uses): the store opens behind the first frame.
    app, opener = make_app(resolve_store(db))
    data_times = _time_calls(Review, "summary", "org_detail")
    clock = PaintClock(app, lambda: _loaded(app, SummaryScreen))
    started = time.time()
    try:
        async with app.run_test(size=SIZE) as pilot:
            painted = await clock.wait(pilot)
            await pilot.pause()
            org_id, drill_down = await _enter_org(app, pilot, clock)
            # As a person does: back to the summary, move to the next org, read for a second, then Enter.
            # The summary prefetches the highlighted org's drill-down while it is being read.
            await _next_org(pilot)
            await asyncio.sleep(LOOK_S)
            _, after_look = await _enter_org(app, pilot, clock)
            # And with nothing prefetched: the next org, Enter at once after the cursor reaches it.
            await _next_org(pilot)
            _, at_once = await _enter_org(app, pilot, clock)
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
        "drill_down_unprefetched_s": at_once,
        "drill_down_org": org_id,
        "summary_data_s": data_times["summary"][0],
        "drill_down_data_s": data_times["org_detail"][0],
        "frames": frames,
    }


async def _enter_org(app, pilot, clock: PaintClock) -> tuple[str, float]:
    """Enter on the summary's highlighted org: (its id, seconds to the painted drill-down with its data)."""
    from trialstack_tui.tui.screens.org import OrgScreen

    org_id = app.screen.query_one("#orgs").selected_key
    clock.expect(lambda: _loaded(app, OrgScreen))
    pressed = time.time()
    await pilot.press("enter")
    drilled = await clock.wait(pilot)
    assert app.screen.org_id == org_id
    return org_id, drilled - pressed


async def _next_org(pilot) -> None:
    """Back to the summary and down one org."""
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("j")


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


async def probe_bare(launched: float) -> dict:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Label("Hello", id="hello")

    app = Bare()
    clock = PaintClock(app, lambda: bool(app.screen.query("#hello")))
    started = time.time()
    async with app.run_test(size=SIZE) as pilot:
        painted = await clock.wait(pilot)
    return {
        "app": "bare", "launch_to_first_frame_s": clock.first_frame_at - launched,
        "launch_to_paint_s": painted - launched, "run_to_paint_s": painted - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("app", choices=("trialstack", "bare"))
    parser.add_argument("--db")
    parser.add_argument("--launched", type=float, required=True, help="time.time() just before this process started")
    args = parser.parse_args()
    if args.app == "trialstack":
        result = asyncio.run(probe_trialstack(args.db, args.launched))
    else:
        result = asyncio.run(probe_bare(args.launched))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
