"""The headless commands (CONTRACT §4) driven through `cli.main`, on a tiny SQLite store counted by hand.

The store holds helpers.TINY plus five more manual events of org-b on 2026-03-02, so org-b (6 events)
outranks org-a (5 events) although it sorts after it by id and name.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from trialstack_tui import cli, config
from trialstack_tui.config import resolve_store
from trialstack_tui.report import FOLLOWUP_COLUMNS, FOLLOWUP_CSV_COLUMNS
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.marks import MarkRequest

from .helpers import TINY, write_tiny

EXTRA_B = [(f"b{i}", f"2026-03-02T1{i}:00:00", "wf-b1", "u-b1", "manual", "ok", "1") for i in range(5)]
METRICS = (
    "events", "events_prev", "trend", "trend_label", "active_users", "adoption", "workflows_active", "workflows_total",
    "top_workflow_share", "concentration", "ai_share", "queue_share", "ai_acceptance", "error_rate", "credits",
    "mtd_credits", "projected_credits", "overage", "trained_share",
)
WINDOW_FIGURES = ("events_per_day", "active_users", "adoption", "workflows_active", "ai_share", "ai_acceptance",
                  "error_rate", "credits_per_day")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def db(tmp_path: Path, capsys) -> str:
    path = str(tmp_path / "store" / "usage.db")
    folder = write_tiny(tmp_path / "in", {"events": [*TINY["events"], *EXTRA_B]})
    status, out, err = run(capsys, "import", "--db", path, str(folder))
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == "total: added 23, updated 0, skipped 0"
    assert "events.csv: added 11, updated 0, skipped 0" in out
    return path


def json_of(capsys, *argv: str):
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    return json.loads(out)


# ----------------------------------------------------------------------------- summary


def test_summary_json_has_the_contract_shape(capsys, db):
    doc = json_of(capsys, "summary", "--db", db, "--json")
    assert {"as_of", "window_days", "totals", "orgs", "areas", "spikes", "flags"} <= doc.keys()
    assert (doc["as_of"], doc["window_days"]) == ("2026-03-02", 30)  # the last day with events
    assert [o["org_id"] for o in doc["orgs"]] == ["org-b", "org-a"]  # events descending
    for o in doc["orgs"]:
        assert {"org_id", "name", "flags", *METRICS} <= o.keys()
    assert all({"area", "events", "share", "trend"} <= a.keys() for a in doc["areas"])
    assert all(f.keys() >= {"kind", "org_id", "workflow_id", "detail"} for f in doc["flags"])
    assert doc["spikes"] == []
    assert (doc["totals"]["events"], doc["totals"]["active_users"]) == (11, 3)
    # The users trend the summary's Users card shows is in the document too.
    totals = doc["totals"]
    prev = totals["active_users_prev"]
    expected = ("new", None) if prev == 0 else (totals["users_trend_label"], round((3 - prev) / prev, 4))
    assert (totals["users_trend_label"], totals["users_trend"]) == expected


def test_summary_json_figures_of_one_org(capsys, db):
    a = json_of(capsys, "summary", "--db", db, "--json")["orgs"][1]
    # e1 ai accepted 2, e2 ai rejected 2, e3 manual error, e4 queue ok 0.5, e5 manual ok 0.25; u-a1 and u-a2.
    assert {k: a[k] for k in METRICS if k not in ("projected_credits",)} == {
        "events": 5, "events_prev": 0, "trend": None, "trend_label": "new", "active_users": 2, "adoption": 0.2,
        "workflows_active": 2, "workflows_total": 2, "top_workflow_share": 0.8, "concentration": "concentrated",
        "ai_share": 0.4, "queue_share": 0.2, "ai_acceptance": 0.5, "error_rate": 0.2, "credits": 4.75,
        "mtd_credits": 4.75, "overage": 0.0, "trained_share": 0.5,
    }
    assert a["projected_credits"] == pytest.approx(4.75 * 31 / 2, abs=0.01)
    assert sorted((f["kind"], f["workflow_id"]) for f in a["flags"]) == [
        ("concentrated", "wf-a1"), ("narrow_adoption", None)
    ]


def test_summary_areas_by_events(capsys, db):
    areas = json_of(capsys, "summary", "--db", db, "--json")["areas"]
    assert [(a["area"], a["events"], a["share"]) for a in areas] == [
        ("Documents", 6, pytest.approx(6 / 11, abs=1e-4)), ("Enrollment", 4, pytest.approx(4 / 11, abs=1e-4)),
        ("Safety", 1, pytest.approx(1 / 11, abs=1e-4)),
    ]


def test_summary_days_and_as_of_override(capsys, db):
    doc = json_of(capsys, "summary", "--db", db, "--json", "--days", "1", "--as-of", "2026-03-01")
    assert (doc["as_of"], doc["window_days"]) == ("2026-03-01", 1)
    assert {o["org_id"]: o["events"] for o in doc["orgs"]} == {"org-a": 4, "org-b": 0}


def test_summary_text_is_an_aligned_table(capsys, db):
    status, out, _ = run(capsys, "summary", "--db", db)
    assert status == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("org "))
    rule = lines[lines.index(header) + 1]
    assert set(rule.replace(" ", "")) == {"─"}
    beta, alpha = lines[lines.index(header) + 2: lines.index(header) + 4]
    assert beta.startswith("Beta Bio") and alpha.startswith("Alpha Trials")
    assert header.index("events") + len("events") == beta.index(" 6 ") + 2  # numbers right-aligned under their header


# ----------------------------------------------------------------------------- compare


def test_compare_json_keys_and_a_clipped_change(capsys, db):
    doc = json_of(capsys, "compare", "chg-1", "--db", db, "--json")
    assert {"before", "after", "control", "did", "verdict", "reason"} <= doc.keys()
    for side in (doc["before"], doc["after"], doc["control"]["before"], doc["control"]["after"]):
        assert set(WINDOW_FIGURES) <= side.keys()
    # Data spans 03-01..03-02: before is 03-01 (4 events of org-a), after is 03-02 (e5 only).
    assert (doc["before"]["days"], doc["before"]["events_per_day"]) == (1, 4.0)
    assert (doc["after"]["days"], doc["after"]["events_per_day"]) == (1, 1.0)
    assert doc["clipped"] is True
    assert doc["did"] == -0.75  # the control (org-b) had nothing before: its change counts as 0
    assert doc["verdict"] == "no_clear_change"
    assert any("clipped" in n for n in doc["notes"])


def test_compare_of_an_every_org_change_has_no_control(capsys, db):
    doc = json_of(capsys, "compare", "chg-2", "--db", db, "--json")
    assert doc["control"] is None
    assert doc["control_change"] == 0.0
    assert doc["did"] == doc["scope_change"] == 0.75  # 4 events on 03-01, 7 on 03-02


def test_compare_text_says_the_verdict(capsys, db):
    status, out, _ = run(capsys, "compare", "chg-1", "--db", db)
    assert status == 0
    assert "verdict: no_clear_change" in out
    assert "(Alpha Trials)" in out and "difference vs control -75%" in out  # a name, not org-a; no jargon


def test_changes_lists_the_ids_compare_takes_with_names(capsys, db):
    status, out, _ = run(capsys, "changes", "--db", db)
    lines = out.splitlines()
    assert status == 0 and lines[0].split() == ["change", "id", "date", "kind", "scope", "title"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert set(rows) == {"chg-1", "chg-2"}
    assert "Alpha Trials" in rows["chg-1"] and "org-a" not in rows["chg-1"]
    assert "every org" in rows["chg-2"]
    doc = json_of(capsys, "changes", "--db", db, "--json")
    assert [(c["change_id"], c["org_id"]) for c in doc] == [("chg-2", None), ("chg-1", "org-a")]


def test_changes_and_compare_honour_the_as_of_date(capsys, db):
    assert run(capsys, "changes", "--db", db, "--as-of", "2026-03-01")[:2] == (0, "no changes\n")
    status, out, err = run(capsys, "compare", "chg-1", "--db", db, "--as-of", "2026-03-01")
    assert (status, out) == (2, "")
    assert err == "trialstack-tui: change chg-1 on 2026-03-02 is after the as-of date 2026-03-01\n"


# ----------------------------------------------------------------------------- follow-ups


@pytest.fixture
def marked_db(db: str) -> str:
    with Store(resolve_store(db)) as s:
        review = Review(s)
        review.mark(MarkRequest(target_type="workflow", reason="high_error_rate", note="pipe | and\nnewline", org_id="org-a",
                    workflow_id="wf-a1"))
        done = review.mark(MarkRequest(target_type="change", reason="rollout", note="looked", org_id="org-a", target_ref="chg-1"))
        review.set_followup_status(done.id, "done")
    return db


def test_followups_csv(capsys, marked_db):
    status, out, _ = run(capsys, "followups", "--db", marked_db, "--status", "all", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert status == 0 and tuple(rows[0]) == FOLLOWUP_CSV_COLUMNS and len(rows) == 3
    assert set(FOLLOWUP_COLUMNS) < set(FOLLOWUP_CSV_COLUMNS)  # the ids stay, beside the names
    by_note = {r[FOLLOWUP_CSV_COLUMNS.index("note")]: dict(zip(FOLLOWUP_CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_note["pipe | and\nnewline"]["owner"] == "Dana Ruiz"
    assert (by_note["pipe | and\nnewline"]["org"], by_note["pipe | and\nnewline"]["org_id"]) == ("Alpha Trials", "org-a")
    assert by_note["pipe | and\nnewline"]["workflow"] == "Screening"
    assert by_note["looked"]["status"] == "done" and by_note["looked"]["closed_at"] != ""


def test_followups_json(capsys, marked_db):
    marks = json_of(capsys, "followups", "--db", marked_db, "--format", "json")  # open only, by default
    assert len(marks) == 1
    assert set(FOLLOWUP_COLUMNS) == marks[0].keys()
    assert (marks[0]["workflow_id"], marks[0]["reason"], marks[0]["closed_at"]) == ("wf-a1", "high_error_rate", None)


def test_followups_markdown_escapes_cells(capsys, marked_db):
    status, out, _ = run(capsys, "followups", "--db", marked_db, "--status", "all", "--format", "markdown")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 4  # header, rule, two marks: a note's newline does not break a row
    assert all(line.startswith("|") and line.endswith("|") for line in lines)
    assert "pipe \\| and" in out


def test_followups_table(capsys, marked_db):
    status, out, _ = run(capsys, "followups", "--db", marked_db, "--status", "done", "--format", "table")
    assert status == 0
    assert "change:chg-1" in out and "looked" in out and "high_error_rate" not in out


def test_followups_markdown_and_table_name_the_org_and_workflow(capsys, marked_db):
    for fmt in ("markdown", "table"):
        status, out, _ = run(capsys, "followups", "--db", marked_db, "--status", "all", "--format", fmt)
        assert status == 0 and "Alpha Trials" in out and "Screening" in out
        assert "org-a" not in out and "wf-a1" not in out


@pytest.mark.parametrize("search", ["dana ruiz", "DANA", "ruiz"])
def test_the_owner_filter_finds_any_case_and_part_of_the_name(capsys, marked_db, search):
    marks = json_of(capsys, "followups", "--db", marked_db, "--owner", search, "--format", "json")
    assert [m["owner"] for m in marks] == ["Dana Ruiz"]
    assert json_of(capsys, "followups", "--db", marked_db, "--owner", "omar", "--format", "json") == []


def test_followups_table_when_there_are_none(capsys, db):
    assert run(capsys, "followups", "--db", db)[:2] == (0, "no follow-ups\n")


# ----------------------------------------------------------------------------- sample


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_sample_is_deterministic_per_seed(capsys, tmp_path):
    def sample(name: str, seed: str) -> dict[str, bytes]:
        status, _, err = run(capsys, "sample", "--out", str(tmp_path / name), "--days", "20", "--seed", seed)
        assert (status, err) == (0, "")
        return _files(tmp_path / name)

    first, again, other = sample("a", "3"), sample("b", "3"), sample("c", "4")
    assert set(first) == {f"{n}.csv" for n in ("organizations", "workspaces", "workflows", "users", "events", "changes")}
    assert first == again
    assert first["events.csv"] != other["events.csv"]


def test_sample_with_fewer_orgs_than_the_stories(capsys, tmp_path):
    status, _, err = run(capsys, "sample", "--out", str(tmp_path / "s"), "--orgs", "3", "--days", "20")
    assert (status, err) == (0, "")
    assert len((tmp_path / "s" / "organizations.csv").read_text().splitlines()) == 1 + 3


# ----------------------------------------------------------------------------- errors and first run


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["compare", "chg-nope"], "no change with id 'chg-nope'"),
        (["summary", "--as-of", "2026-02-30"], "--as-of"),
        (["summary", "--days", "0"], "--days"),
        (["import", "{tmp}/missing"], "no such file or folder"),
        (["followups", "--format", "xml"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, db, tmp_path, argv, says):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    status, out, err = run(capsys, *argv[:1], "--db", db, *argv[1:])
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and says in err


def test_a_store_without_events_exits_2(capsys, tmp_path):
    status, out, err = run(capsys, "summary", "--db", str(tmp_path / "empty.db"))
    assert (status, out) == (2, "")
    assert len(err.splitlines()) == 1 and "no events" in err


def test_first_run_fills_the_default_store_with_the_sample_and_says_so(capsys):
    default = config.data_dir() / config.DB_FILENAME
    assert str(default).startswith(os.environ["XDG_DATA_HOME"])
    assert not default.exists()
    status, out, err = run(capsys, "summary", "--json")
    assert status == 0
    assert "first run" in err.lower() and "sample" in err and str(default) in err
    assert len(json.loads(out)["orgs"]) == 16
    status, _, err = run(capsys, "followups")
    assert (status, err) == (0, "")  # only the first run loads and says so


def test_a_comparison_as_of_a_date_uses_only_the_data_up_to_it(capsys, sample_db):
    db = str(sample_db)
    full = json_of(capsys, "compare", "chg-rollout-dashboard", "--db", db, "--json")
    then = json_of(capsys, "compare", "chg-rollout-dashboard", "--db", db, "--json", "--as-of", "2026-10-25")
    assert (full["after"]["days"], then["after"]["days"]) == (14, 5)  # 10-21 .. 10-25
    assert then["after"]["end"] == "2026-10-25" and then["clipped"] is True
    assert then["before"] == full["before"]
    listed = [c["change_id"] for c in json_of(capsys, "changes", "--db", db, "--json", "--as-of", "2026-10-25")]
    assert listed[0] == "chg-rollout-dashboard" and "chg-process-lumen" not in listed
