"""One org's user figures come from two reads (each user's state, and who was active in which workflow);
every one of them must equal the same question asked of the raw events."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from trialstack_tui.metrics.windows import review_windows
from trialstack_tui.review import Review
from trialstack_tui.store import Store


def _distinct(db: sqlite3.Connection, sql: str, *params) -> dict:
    return {key: n for key, n in db.execute(sql, params)}


# back 0: windows ending on the newest day (users per workflow and workspace from workflow_user); -3: ending
# after it (the same); 1 and 45: ending before it (from daily_user).
@pytest.mark.parametrize("days, back", [(30, 0), (7, 0), (90, 0), (30, -3), (30, 1), (30, 45)])
def test_one_orgs_user_figures_equal_the_raw_events(sample_store: Store, sample_db: Path, days: int, back: int) -> None:
    review = Review(sample_store)
    last = review.data_range()[1]
    as_of = last - timedelta(days=back)
    window, previous = review_windows(as_of, days)
    every = {o.org.org_id: o for o in review.summary(days, as_of, lifecycle=True).orgs}  # the all-org SQL path
    db = sqlite3.connect(sample_db)
    span = (window.start.isoformat(), window.end.isoformat())
    before = (previous.start.isoformat(), previous.end.isoformat())
    checked = 0
    for org_id, overall in every.items():
        detail = review.org_detail(org_id, days, as_of)
        mine = detail.org
        now = db.execute("SELECT COUNT(DISTINCT user_id) FROM events WHERE org_id = ? AND day BETWEEN ? AND ?",
                         (org_id, *span)).fetchone()[0]
        prev = db.execute("SELECT COUNT(DISTINCT user_id) FROM events WHERE org_id = ? AND day BETWEEN ? AND ?",
                          (org_id, *before)).fetchone()[0]
        assert mine.active_users == overall.active_users == now
        assert detail.summary.totals.active_users == now and detail.summary.totals.active_users_prev == prev
        assert mine.trained_users == overall.trained_users
        assert mine.lifecycle == overall.lifecycle
        by_workflow = _distinct(db, "SELECT workflow_id, COUNT(DISTINCT user_id) FROM events WHERE org_id = ? "
                                    "AND day BETWEEN ? AND ? GROUP BY workflow_id", org_id, *span)
        assert {w.workflow.workflow_id: w.active_users for w in detail.summary.workflows} == {
            w.workflow.workflow_id: by_workflow.get(w.workflow.workflow_id, 0) for w in detail.summary.workflows
        }
        by_workspace = _distinct(db, "SELECT w.workspace_id, COUNT(DISTINCT e.user_id) FROM events e JOIN workflows w "
                                     "ON w.workflow_id = e.workflow_id WHERE e.org_id = ? AND e.day BETWEEN ? AND ? "
                                     "GROUP BY w.workspace_id", org_id, *span)
        assert {line.workspace.workspace_id: line.active_users for line in detail.workspaces} == {
            line.workspace.workspace_id: by_workspace.get(line.workspace.workspace_id, 0) for line in detail.workspaces
        }
        untrained = sorted(
            user_id for (user_id,) in db.execute(
                "SELECT DISTINCT e.user_id FROM events e LEFT JOIN users u ON u.user_id = e.user_id "
                "WHERE e.org_id = ? AND e.day BETWEEN ? AND ? AND (u.trained_on IS NULL OR u.trained_on > ?)",
                (org_id, before[0], span[1], as_of.isoformat()),
            )
        )
        assert [u.user_id for u in detail.untrained] == untrained
        checked += now > 0
    assert checked >= 10  # the sample's orgs are active: the comparisons above were not over empty sets


@pytest.mark.parametrize("days, back", [(30, 0), (90, 45)])
def test_a_workflows_screen_shows_the_figures_of_its_orgs_screen(sample_store: Store, sample_db: Path, days: int,
                                                                  back: int) -> None:
    """A workflow's drill-down reads its org's summary without the org's users (only its own, counted by its
    lifecycle): every figure it shows equals that workflow's line, flags, spikes and gaps on the org's screen,
    and its active users equal the raw events'."""
    review = Review(sample_store)
    as_of = review.data_range()[1] - timedelta(days=back)
    window, _previous = review_windows(as_of, days)
    db = sqlite3.connect(sample_db)
    checked = 0
    for org_id in review.catalog().orgs:
        org = review.org_detail(org_id, days, as_of)
        for line in org.summary.workflows:
            workflow_id = line.workflow.workflow_id
            detail = review.workflow_detail(workflow_id, days, as_of)
            raw = db.execute("SELECT COUNT(DISTINCT user_id) FROM events WHERE workflow_id = ? AND day BETWEEN ? AND ?",
                             (workflow_id, window.start.isoformat(), window.end.isoformat())).fetchone()[0]
            mine = detail.summary
            assert mine.active_users == line.active_users == raw == mine.lifecycle.active
            assert (mine.activity, mine.share_of_org, mine.daily_events) == (line.activity, line.share_of_org,
                                                                             line.daily_events)
            assert detail.flags == [f for f in org.summary.flags if f.workflow_id == workflow_id]
            assert detail.spikes == [s for s in org.summary.spikes if s.workflow_id == workflow_id]
            assert detail.gaps == org.org.gaps
            checked += raw > 0
    assert checked >= 100  # most of the sample's workflows have users in these windows
