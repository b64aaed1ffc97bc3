"""Headless commands piped into other programs, and ids that look like SQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from trialstack_tui.config import resolve_store
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.marks import MarkRequest

COMMAND = Path(sys.executable).with_name("trialstack-tui")


def _run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERM": "xterm-256color", "FORCE_COLOR": "", **(env_extra or {})}
    return subprocess.run([str(COMMAND), *args], capture_output=True, text=True, env=env, timeout=120)


def test_piped_commands_carry_no_colour_codes_and_no_progress_bar(tmp_path: Path, sample_dir: Path) -> None:
    db = str(tmp_path / "piped.db")
    imported = _run("--db", db, "import", str(sample_dir))
    assert imported.returncode == 0, imported.stderr
    assert "events.csv: added 72,417" in imported.stdout
    assert imported.stderr == ""  # no progress bar when stderr is not a terminal
    for args in (("summary",), ("summary", "--json"), ("compare", "chg-process-lumen"), ("followups",)):
        result = _run("--db", db, *args)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    assert json.loads(_run("--db", db, "summary", "--json").stdout)["window_days"] == 30


def test_ids_reach_sql_only_as_bound_parameters(sample_db: Path) -> None:
    hostile = "x' OR '1'='1'; DROP TABLE events; --"
    result = _run("--db", str(sample_db), "compare", hostile)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(f"no change with id {hostile!r}")
    result = _run("--db", str(sample_db), "followups", "--owner", "' OR 1=1 --", "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout) == []
    with Store(resolve_store(str(sample_db))) as store:
        review = Review(store)
        assert review.data_range() is not None  # the events table is still there
        mark = review.mark(MarkRequest(target_type="org", reason="other", owner="'); DELETE FROM followups; --", org_id="org-bf"))
        assert [m.owner for m in review.followups(owner=mark.owner)] == [mark.owner]


def test_a_mark_with_a_reason_outside_the_contract_is_refused(sample_db: Path) -> None:
    import pytest

    from trialstack_tui.errors import UserFacingError

    with Store(resolve_store(str(sample_db))) as store:
        review = Review(store)
        with pytest.raises(UserFacingError, match="unknown follow-up reason 'process_problem'"):
            review.mark(MarkRequest(target_type="org", reason="process_problem", owner="Dana", org_id="org-lm"))
        assert review.followups(status="all") == []


def test_a_flag_that_follows_a_change_names_it(sample_store) -> None:
    summary = Review(sample_store).summary()
    (errors,) = [f for f in summary.flags if f.kind == "high_error_rate"]
    assert errors.change_id == "chg-process-lumen"
    assert errors.detail.endswith("after process chg-process-lumen on 2026-10-31")
    # Changes outside the review windows, or to other orgs, do not colour a flag.
    assert all(f.change_id is None for f in summary.flags if f.org_id != "org-lm")
