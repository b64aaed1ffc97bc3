"""The real `trialstack-tui` command in tmux at 80×24, driven by keys like a person over SSH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from trialstack_tui.config import resolve_store
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.marks import MarkRequest

COMMAND = Path(sys.executable).with_name("trialstack-tui")


class Tmux:
    def __init__(self, env: dict[str, str]) -> None:
        tmux = shutil.which("tmux")
        assert tmux, "tmux is needed for the end-to-end test (.ci/run installs it)"
        self.base = [tmux, "-L", f"trialstack-{uuid.uuid4().hex[:8]}"]
        self.env = env

    def run(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], check=True, capture_output=True, text=True, env=self.env).stdout

    def start(self, command: str) -> None:
        self.run("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", command)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", "e2e", key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "e2e", "-l", text)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def wait_for_reload(self, text: str, timeout: float = 30.0) -> str:
        """Wait for a reload to end: `text` goes away behind the loading indicator (if it is not over before we
        look), then comes back."""
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline and text in self.screen():
            time.sleep(0.05)
        return self.wait_for(text, timeout)

    def alive(self) -> bool:
        return subprocess.run([*self.base, "has-session", "-t", "e2e"], capture_output=True, env=self.env).returncode == 0

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, env=self.env)


@pytest.mark.e2e
def test_summary_org_workflow_mark_quit_and_the_mark_is_stored(tmp_path: Path) -> None:
    data_home = tmp_path / "xdg"
    env = {**os.environ, "XDG_DATA_HOME": str(data_home), "TERM": "xterm-256color"}
    env.pop("TRIALSTACK_DB", None)
    tmux = Tmux(env)
    # The default store, empty at first: the first run loads the bundled sample and says so.
    tmux.start(f"{COMMAND}; sleep 60")
    try:
        tmux.wait_for("Northwind Clinical")
        screen = tmux.wait_for("30 days to 2026-11-20")  # the header's subtitle can paint a frame after the table
        assert "Quick summary" in screen and "Northwind Clinical" in screen
        assert "First run: loaded the bundled sample" in tmux.wait_for("First run")
        tmux.keys("/")
        tmux.type("lumen")
        tmux.keys("Enter", "Enter")
        screen = tmux.wait_for("Org: Lumen Labs")
        assert "Source document verifica" in screen
        tmux.keys("Enter")
        screen = tmux.wait_for("Workflow: Source document verification")
        tmux.keys("m")
        screen = tmux.wait_for("Mark for follow-up")
        assert "high error rate" in screen
        tmux.type("second review step doubles errors")
        tmux.keys("Enter")
        tmux.wait_for("Marked #1")
        tmux.keys("q")
        # Back at the shell, the notice is printed again where the terminal keeps it.
        tmux.wait_for("trialstack-tui: First run: loaded the bundled sample data", timeout=15)
        assert "Workflow:" not in tmux.screen()
    finally:
        tmux.kill()

    db = data_home / "trialstack-tui" / "usage.db"
    with Store(resolve_store(str(db))) as store:
        marks = Review(store).followups(status="all")
    assert [(m.workflow_id, m.reason, m.status, m.note) for m in marks] == [
        ("wf-lm-1a", "high_error_rate", "open", "second review step doubles errors")
    ]
    assert marks[0].owner  # the workflow's owner, pre-filled


@pytest.mark.e2e
def test_a_store_that_cannot_be_opened_ends_the_tui_with_one_literal_line_and_status_2(tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("TRIALSTACK_DB", None)
    blocker = tmp_path / "[bold]file"
    blocker.write_text("a plain file, so no folder can be made below it")
    tmux = Tmux(env)
    tmux.start(f"{COMMAND} --db '{blocker}/usage.db'; echo EXIT=$?; sleep 60")
    try:
        tmux.wait_for("EXIT=")
        screen = tmux.run("capture-pane", "-p", "-J", "-t", "e2e")  # wrapped lines joined
    finally:
        tmux.kill()
    lines = [line for line in screen.splitlines() if line.strip()]
    assert lines[-1] == "EXIT=2"
    assert lines[0].startswith(f"trialstack-tui: cannot create store {blocker}/usage.db")  # markup shown as is
    assert "Traceback" not in screen


@pytest.mark.e2e
def test_after_every_action_at_80x24_j_moves_the_cursor_and_enter_drills_in(tmp_path: Path, sample_dir: Path) -> None:
    """w, r, a + Enter and each screen key, then j and Enter: the keyboard works at once, without Tab."""
    from trialstack_tui.store.importer import import_path

    db = tmp_path / "usage.db"
    with Store(resolve_store(str(db))) as store:
        import_path(store, sample_dir)
        review = Review(store)
        review.mark(MarkRequest(target_type="workflow", reason="high_error_rate", workflow_id="wf-lm-1a", org_id="org-lm",
                    note="errors"))
        review.mark(MarkRequest(target_type="org", reason="overage", owner="Finance Desk", org_id="org-sm", note="over"))
        orders = {days: [o.org.name for o in review.summary(days=days).orgs] for days in (7, 30, 90)}
        billing = [line.name for line in review.billing().lines]
        changes = review.change_list().changes
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1"}
    env.pop("TRIALSTACK_DB", None)
    tmux = Tmux(env)
    tmux.start(f"{COMMAND} --db '{db}'; sleep 60")

    def drill(expected_title: str) -> None:
        tmux.keys("j")
        tmux.keys("Enter")
        tmux.wait_for(expected_title)

    try:
        tmux.wait_for(orders[30][0])
        cursor = orders[30][0]  # the summary opens on the busiest org
        for keys, days in ((["w"], 90), (["r"], 90), (["a", "Enter"], 90), (["w"], 7)):
            tmux.keys(*keys)
            tmux.wait_for_reload(cursor)
            assert f"{days} days to 2026-11-20" in tmux.screen()
            order = orders[days]
            cursor = order[order.index(cursor) + 1]  # j moved the cursor one row down from where it was
            drill(f"Org: {cursor}")
            tmux.keys("Escape")
            tmux.wait_for("Quick summary")
        tmux.keys("c")
        tmux.wait_for("[c Rollouts]")
        tmux.wait_for(changes[0].title[:20])
        drill(changes[1].change_id)  # the second change's comparison, which names its id
        tmux.keys("b")
        tmux.wait_for("[b Billing]")
        tmux.wait_for(billing[0])
        drill(f"Org: {billing[1]}")
        tmux.keys("f")
        tmux.wait_for("[f Follow-ups]")
        tmux.wait_for("Finance Desk")
        drill("Workflow: Source document verification")  # the older mark, on Lumen Labs' workflow
        tmux.keys("h")
        tmux.wait_for("[h Summary]")
        assert "Quick summary" in tmux.wait_for(cursor)
        cursor = orders[7][orders[7].index(cursor) + 1]
        drill(f"Org: {cursor}")
    finally:
        tmux.kill()
