"""Lifecycle, stickiness and budget crossing dates at their boundaries, on SQLite and PostgreSQL.

The store below is counted by hand. As of 2026-03-31 with a 10-day window: the window is 03-22..03-31, the
previous window 03-12..03-21, and anything earlier is "before".
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from trialstack_tui import cli
from trialstack_tui.config import StoreLocation
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path

from .helpers import HEADERS, write_csv

AS_OF = "2026-03-31"

EVENTS = [
    # user          day       workflow  credits
    ("u-old", "2026-03-01", "wf-a1", "50"),  # before only: in no state
    ("u-res", "2026-03-01", "wf-a1", ""),  # before, then the window: resurrecting
    ("u-dorm", "2026-03-12", "wf-a1", ""),  # the previous window's first day only: dormant
    ("u-ret", "2026-03-15", "wf-a1", ""),  # previous window (wf-a1) and window (wf-a2): returning
    ("u-edge", "2026-03-21", "wf-a1", ""),  # first event on the previous window's last day ...
    ("u-new", "2026-03-22", "wf-a1", "5"),  # first event on the window's first day: new
    ("u-new", "2026-03-22", "wf-a1", "5"),  # twice that day: still one user-day
    ("u-new", "2026-03-23", "wf-a1", ""),
    ("u-ret", "2026-03-25", "wf-a2", ""),
    ("u-res", "2026-03-30", "wf-a1", ""),
    ("u-late", "2026-03-31", "wf-a1", "15"),  # first event on the as-of date: new; credits reach 75 % that day
    ("u-edge", "2026-03-31", "wf-a1", ""),  # ... and active again now: returning
    ("u-future", "2026-04-02", "wf-a1", "100"),  # after the as-of date: not seen when reviewing as of 03-31
    ("u-b1", "2026-03-31", "wf-b1", "3"),  # an org with no included credits
]


def _store(folder: Path, location: StoreLocation) -> Store:
    write_csv(folder, "organizations", HEADERS["organizations"], [
        ("org-a", "Alpha Trials", "Team", "10", "100"), ("org-b", "Beta Bio", "Free", "4", "0"),
    ])
    write_csv(folder, "workspaces", HEADERS["workspaces"], [("ws-a", "org-a", "Oncology"), ("ws-b", "org-b", "Vaccines")])
    write_csv(folder, "workflows", HEADERS["workflows"], [
        ("wf-a1", "ws-a", "Screening", "Enrollment", "Dana Ruiz", "true", "false"),
        ("wf-a2", "ws-a", "Coding", "Safety", "Omar Shah", "false", "true"),
        ("wf-b1", "ws-b", "Filing", "Documents", "Lena Weber", "no", "no"),
    ])
    write_csv(folder, "users", HEADERS["users"], [
        ("u-new", "org-a", "coordinator", ""),
        ("u-dorm", "org-a", "monitor", ""),
        ("u-ret", "org-a", "monitor", "2026-01-01"),
        ("u-res", "org-a", "admin", "2026-04-15"),  # trained only after the as-of date: untrained
        ("u-late", "org-a", "coordinator", AS_OF),  # trained on the as-of date: trained
        ("u-old", "org-a", "coordinator", ""),
    ])  # u-edge is missing from the users file: untrained
    write_csv(folder, "events", HEADERS["events"], [
        (f"e{i}", f"{day}T10:00:00", wf, user, "manual", "ok", credits)
        for i, (user, day, wf, credits) in enumerate(EVENTS)
    ])
    write_csv(folder, "changes", HEADERS["changes"], [])
    store = Store(location)
    import_path(store, folder)
    return store


@pytest.fixture
def review(tmp_path: Path, location: StoreLocation):
    with _store(tmp_path / "data", location) as store:
        yield Review(store)


def test_lifecycle_states_at_the_window_boundaries(review: Review):
    org = review.org_detail("org-a", days=10, as_of=date(2026, 3, 31)).org
    lc = org.lifecycle
    assert (lc.new, lc.returning, lc.resurrecting, lc.dormant) == (2, 2, 1, 1)
    assert lc.active == org.active_users == 5  # the three active states are exactly the active users
    # user-days in the window: u-new 2 (03-22, 03-23), u-late 1, u-edge 1, u-ret 1, u-res 1
    assert lc.user_days == 6
    assert lc.stickiness == pytest.approx(6 / 10 / 5)


def test_workflow_lifecycle_is_per_workflow(review: Review):
    detail = review.org_detail("org-a", days=10, as_of=date(2026, 3, 31))
    by_id = {w.workflow.workflow_id: w.lifecycle for w in detail.workflows}
    a1, a2 = by_id["wf-a1"], by_id["wf-a2"]
    # u-ret used wf-a1 only in the previous window (dormant there) and wf-a2 first in the window (new there)
    assert (a1.new, a1.returning, a1.resurrecting, a1.dormant) == (2, 1, 1, 2)
    assert (a2.new, a2.returning, a2.resurrecting, a2.dormant) == (1, 0, 0, 0)
    assert a2.stickiness == pytest.approx(1 / 10 / 1)


def test_untrained_users_are_split_by_lifecycle(review: Review):
    detail = review.org_detail("org-a", days=10, as_of=date(2026, 3, 31))
    assert [(u.user_id, u.role, u.state) for u in detail.untrained] == [
        ("u-dorm", "monitor", "dormant"),
        ("u-edge", "", "returning"),
        ("u-new", "coordinator", "new"),
        ("u-res", "admin", "resurrecting"),
    ]
    assert [u.user_id for u in detail.untrained_active] == ["u-edge", "u-new", "u-res"]


def test_a_crossing_on_the_as_of_date_and_an_org_without_included_credits(review: Review):
    view = review.billing(as_of=date(2026, 3, 31), days=10)
    lines = {b.org_id: b for b in view.lines}
    a = lines["org-a"].budget
    assert a.mtd_credits == pytest.approx(75.0)
    assert (a.crossing(0.75).day, a.crossing(0.75).reached) == (date(2026, 3, 31), True)
    # 15 credits in the last 7 days: 90 % needs 7 more days, in April: no date this month
    assert a.recent_daily_rate == pytest.approx(15 / 7)
    assert a.crossing(0.90).day is None and a.crossing(1.0).day is None
    assert a.projected_recent == pytest.approx(75.0)  # the month's last day: nothing left to add
    b = lines["org-b"].budget
    assert b.crossings == () and b.crossing(0.9) is None
    assert b.projected_recent == pytest.approx(3.0)
    kinds = {f.kind for o in review.summary(10, date(2026, 3, 31)).orgs for f in o.flags}
    assert "budget_warning" not in kinds


def test_the_screen_commands_print_the_screens_models(review: Review, location: StoreLocation, capsys):
    db = location.url if location.path is None else str(location.path)

    def run(*argv: str) -> dict:
        capsys.readouterr()
        assert cli.main([*argv, "--db", db, "--json", "--days", "10", "--as-of", AS_OF]) == 0
        return json.loads(capsys.readouterr().out)

    org = run("org", "org-a")
    assert org["org"]["lifecycle"] == {"new": 2, "returning": 2, "resurrecting": 1, "dormant": 1}
    assert org["org"]["stickiness"] == pytest.approx(0.12)
    assert org["org"]["budget_crossings"][0] == {"threshold": 0.75, "date": AS_OF, "reached": True}
    assert org["untrained"][0] == {"user_id": "u-dorm", "role": "monitor", "lifecycle": "dormant"}
    wf = run("workflow", "wf-a2")
    assert wf["workflow"]["lifecycle"] == {"new": 1, "returning": 0, "resurrecting": 0, "dormant": 0}
    assert wf["workflow"]["active_users"] == 1
    billing = run("billing")
    assert [o["org_id"] for o in billing["orgs"]] == ["org-a", "org-b"]
    assert billing["orgs"][1]["budget_crossings"] == [] and billing["orgs"][1]["use_of_allowance"] is None
    summary = run("summary")
    by_wf = {w["workflow_id"]: w for w in summary["workflows"]}
    assert by_wf["wf-a1"]["lifecycle"] == {"new": 2, "returning": 1, "resurrecting": 1, "dormant": 2}
    assert {o["org_id"]: o["lifecycle"]["new"] for o in summary["orgs"]} == {"org-a": 2, "org-b": 1}
