"""Lifecycle, stickiness, budget crossing dates, the screen commands and the owner's report, on SQLite and
PostgreSQL.

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
from trialstack_tui.marks import MarkRequest

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
    write_csv(folder, "changes", HEADERS["changes"], [
        ("chg-1", "2026-03-22", "process", "Second review for *screening*", "org-a", "wf-a1"),
    ])
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
    as_of = date(2026, 3, 31)
    a1 = review.workflow_detail("wf-a1", days=10, as_of=as_of).summary.lifecycle
    a2 = review.workflow_detail("wf-a2", days=10, as_of=as_of).summary.lifecycle
    # the same from the grouping over every workflow that summary --json reads
    every = {
        w.workflow.workflow_id: w.lifecycle for w in review.summary(10, as_of, workflow_lifecycle=True).workflows
    }
    assert every["wf-a1"] == a1 and every["wf-a2"] == a2
    assert every["wf-b1"].new == 1
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
    assert run("summary")["workflows"] == []  # per workflow only when asked: the costliest query
    summary = run("summary", "--workflows")
    by_wf = {w["workflow_id"]: w for w in summary["workflows"]}
    assert by_wf["wf-a1"]["lifecycle"] == {"new": 2, "returning": 1, "resurrecting": 1, "dormant": 2}
    assert (by_wf["wf-a1"]["active_users"], by_wf["wf-a2"]["active_users"]) == (4, 1)
    assert {o["org_id"]: o["lifecycle"]["new"] for o in summary["orgs"]} == {"org-a": 2, "org-b": 1}


def test_the_owner_report_field_by_field(review: Review, location: StoreLocation, tmp_path: Path, capsys):
    review.mark(MarkRequest(target_type="workflow", reason="other", org_id="org-a", workspace_id="ws-a", workflow_id="wf-a1",
                note="see *this* | \x1b[31mred"))
    review.mark(MarkRequest(target_type="change", reason="rollout", org_id="org-a", workflow_id="wf-a1", target_ref="chg-1",
                note="did it help?"))
    review.mark(MarkRequest(target_type="org", reason="overage", org_id="org-b", owner="Finance", note="not Dana's"))
    verdict = review.compare("chg-1")
    db = location.url if location.path is None else str(location.path)
    out = tmp_path / "dana.md"
    assert cli.main(["report", "--owner", "Dana Ruiz", "--out", str(out), "--db", db, "--days", "10",
                     "--as-of", AS_OF]) == 0
    assert capsys.readouterr().out.strip() == f"wrote the report for Dana Ruiz to {out}"
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Follow-up for Dana Ruiz"
    assert lines[2] == "Data as of 2026-03-31; window 2026-03-22 to 2026-03-31 (10 days), compared with 2026-03-12 to 2026-03-21."
    marks = lines[lines.index("## Open marks (2)"):lines.index("## Workflows (1)")]
    # newest first: the change, then the workflow; Finance's mark is not in Dana's report
    assert marks[2] == "### 1. change Second review for \\*screening\\*"
    assert "- Org: Alpha Trials" in marks
    assert "- Note: did it help?" in marks
    assert f"- Now: {verdict.verdict.replace('_', ' ')}: {verdict.reason}" in marks
    second = marks[marks.index("### 2. workflow Screening"):]
    assert second[2] == "- Reason: other"
    # the ESC made visible as \x1b, then every backslash and markup character escaped for Markdown
    assert second[4] == r"- Note: see \*this\* \| \\x1b\[31mred"
    assert second[6] == "- Now: not flagged in the current window"
    assert not any("not Dana" in line for line in lines)
    wf = lines[lines.index("### Screening"):]
    assert wf[2] == "Alpha Trials / Oncology · area Enrollment · AI-assisted"
    figures = dict(line.strip("|").split(" | ", 1) for line in wf[4:14] if line.startswith("| ") and "---" not in line)
    assert {k.strip(): v.strip() for k, v in figures.items()} == {
        "figure": "value",
        # twice as many, but within chance (§2a): 2 × sqrt(1/6 + 1/3) = 141 %
        "Events": "6 (steady, +100%, within chance ±141%) against 3 before",
        "Daily events": "`█▄▁▁▁▁▁▁▄█`",  # 2, 1, six empty days, 1, 2
        "Active users": "4",
        "Lifecycle": "2 new · 1 returning · 1 resurrecting · 2 dormant · stickiness 12%",  # 5 user-days / 10 / 4
        "AI share": "0%; acceptance — of 0 reviewed",
        "Error rate": "0.0%",
        "Queue share": "0%",
        "Credits": "25",
    }
    changes = wf.index("Changes that touched it:")
    assert wf[changes + 1].startswith("- 2026-03-22 process: Second review for \\*screening\\* — ")
    untrained = wf[wf.index("Untrained users:") + 1:]
    assert untrained == [
        "- u-dorm (monitor): dormant — an adoption gap",
        "- u-edge: returning — trained use is overdue",
        "- u-new (coordinator): new — a training task",
        "- u-res (admin): resurrecting — back after a break; train before habits set",
    ]
    # never over an existing file
    assert cli.main(["report", "--owner", "Dana Ruiz", "--out", str(out), "--db", db]) == 2
    assert "already exists; nothing was written" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["report", "--owner", "Nobody"], "no workflow and no open mark has the owner 'Nobody'"),
        (["report", "--owner", "  "], "the owner's name is empty"),
        (["org", "org-zz"], "no organization with id 'org-zz'"),
        (["workflow", "wf-zz", "--json"], "no workflow with id 'wf-zz'"),
    ],
)
def test_unknown_names_are_one_line_and_exit_2(review: Review, location: StoreLocation, capsys, argv, said):
    db = location.url if location.path is None else str(location.path)
    assert cli.main([*argv, "--db", db]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"trialstack-tui: {said}\n")
