"""The TUI through a real terminal: tmux runs the app, this script types keys and polls `capture-pane`.

    python benchmarks/tmux_probe.py --db URL [--size 120x40] [--repeat 3]

Run by `benchmarks/run.py` (never by the test suite). The clock is this process's: it starts just before a
key is sent (or before tmux starts the app) and stops at the first capture of the pane that shows what a
person waits for, so every figure includes the terminal (tmux parsing the app's output) and the polling
(a capture takes a few milliseconds). What is waited for comes from the review seam, read before the app
starts:

- `first_frame_s`: start → the summary's frame (its title), data or not;
- `summary_s`: start → the summary showing its busiest org;
- `org_s`: on the summary, `j` and Enter sent together (nothing prefetched: the summary's prefetch timer has
  not fired) → the org screen showing the org's title and its busiest workflow; median over --repeat orgs;
- `workflow_s`: on that org screen, `j` and Enter together → the workflow screen's title and owner;
- `comparison_s`: on the rollout screen, `j` and Enter together → the comparison of that change;
- `bare_first_frame_s`, `bare_push_s`: a bare Textual app (`tui_probe.py bare --terminal`) started the same
  way, to its first frame, and Enter → its pushed screen of the drill-down's shape fully shown.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 120.0
POLL_S = 0.005
"""The rest between two captures. Captured without rest, each a tmux client started anew, the probe kept a core
busy, which the app's start then shared with its summary helper on a two-core machine: the first frame read
2.0x the bare app's where it is 1.3x with this rest (the bare app's own, one process, 172 ms either way)."""


class Pane:
    """One tmux session running a command at a fixed size."""

    def __init__(self, command: list[str], size: tuple[int, int]) -> None:
        self.name = f"probe-{uuid.uuid4().hex[:8]}"
        self.command = command
        self.size = size

    def start(self) -> float:
        began = time.perf_counter()
        width, height = self.size
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
             shlex.join(self.command)],
            check=True,
        )
        return began

    def capture(self) -> str:
        done = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the pane is gone: {self.command} ended ({done.stderr.strip()})")
        return done.stdout

    def send(self, *keys: str) -> float:
        began = time.perf_counter()
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)
        return began

    def wait_for(self, began: float, *texts: str) -> float:
        """Seconds from `began` to the first capture showing every text, captured every POLL_S."""
        while True:
            screen = self.capture()
            if all(text in screen for text in texts):
                return time.perf_counter() - began
            if time.perf_counter() - began > TIMEOUT_S:
                raise SystemExit(f"timed out waiting for {texts!r}; the pane shows:\n{screen}")
            time.sleep(POLL_S)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def expectations(db: str, repeat: int) -> dict:
    """What each step waits for, from the seam: org names in the summary's order, each org's busiest
    workflow, the workflow the org screen's `j` reaches and its owner, and the change the rollout's `j` reaches."""
    from trialstack_tui.config import resolve_store
    from trialstack_tui.review import Review
    from trialstack_tui.store import Store

    with Store(resolve_store(db), read_only=True) as store:
        review = Review(store)
        orgs = [o.org for o in review.summary().orgs]
        steps = []
        for org in orgs[1:repeat + 1]:
            workflows = sorted(review.org_detail(org.org_id).workflows, key=lambda w: -w.activity.events)
            steps.append({"org": org.name, "busiest": workflows[0].workflow.name[:20]})
        second = sorted(review.org_detail(orgs[repeat].org_id).workflows, key=lambda w: -w.activity.events)[1]
        changes = sorted(review.change_list().changes, key=lambda c: (c.date, c.change_id), reverse=True)
    return {
        "first": orgs[0].name, "steps": steps,
        "workflow": {"name": second.workflow.name, "owner": second.workflow.owner},
        "change": changes[1].change_id,
    }


def probe_app(db: str, size: tuple[int, int], repeat: int) -> dict:
    expected = expectations(db, repeat)
    pane = Pane([sys.executable, "-m", "trialstack_tui", "--db", db], size)
    try:
        began = pane.start()
        first_frame = pane.wait_for(began, "Quick summary")
        summary = pane.wait_for(began, expected["first"], "Events ▼")
        time.sleep(1.0)  # let the first org's prefetch finish, so it does not share the machine with the keys
        org_times = []
        for step in expected["steps"]:
            org_times.append(pane.wait_for(pane.send("j", "Enter"), f"Org: {step['org']}", step["busiest"]))
            time.sleep(0.3)
            pane.send("Escape")
            pane.wait_for(time.perf_counter(), "Quick summary")
            time.sleep(0.3)
        # The last org again, then j and Enter on its workflows.
        pane.send("Enter")
        pane.wait_for(time.perf_counter(), f"Org: {expected['steps'][-1]['org']}", expected["steps"][-1]["busiest"])
        time.sleep(0.3)
        workflow = expected["workflow"]
        workflow_s = pane.wait_for(pane.send("j", "Enter"), f"Workflow: {workflow['name']}", workflow["owner"])
        time.sleep(0.3)
        pane.send("c")
        pane.wait_for(time.perf_counter(), "Rollout comparison", "Date ▼")
        time.sleep(0.3)
        comparison_s = pane.wait_for(pane.send("j", "Enter"), expected["change"], "Difference vs control")
    finally:
        pane.close()
    return {
        "first_frame_s": first_frame, "summary_s": summary,
        "org_s": statistics.median(org_times), "org_all_s": org_times,
        "workflow_s": workflow_s, "comparison_s": comparison_s,
    }


def probe_bare(size: tuple[int, int], repeat: int) -> dict:
    pane = Pane([sys.executable, str(HERE / "tui_probe.py"), "bare", "--terminal"], size)
    try:
        began = pane.start()
        first_frame = pane.wait_for(began, "Hello")
        time.sleep(0.5)
        pushes = []
        for _ in range(repeat):
            pushes.append(pane.wait_for(pane.send("Enter"), "line 7: 12 of 40", "workflow 0 "))
            time.sleep(0.3)
            pane.send("Escape")
            pane.wait_for(time.perf_counter(), "Hello")
            time.sleep(0.3)
    finally:
        pane.close()
    return {"bare_first_frame_s": first_frame, "bare_push_s": statistics.median(pushes), "bare_push_all_s": pushes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    result = {**probe_bare((width, height), args.repeat), **probe_app(args.db, (width, height), args.repeat)}
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
