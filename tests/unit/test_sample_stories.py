"""The bundled sample (sample_data/, see its README) shows every planted story through the headless commands.

Which org carries which story is set in trialstack_tui/sample.py (`_profiles`, `_plant_stories`,
`_story_workflows`); the dates count back from its last day, 2026-11-20.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from trialstack_tui import cli, sample

STORY_FLAGS = {
    "org-bf": {"narrow_adoption"},  # Bluefin: a handful of 160 seats do the work
    "org-cd": {"concentrated"},  # Cedar: participant screening carries most events
    "org-hx": {"spike", "ai_surge"},  # Helix: one day of AI load, which lifts that workflow's AI share
    "org-ob": {"spike"},  # Orbit: a weekday queue job ran a full batch on a Saturday
    "org-lm": {"high_error_rate"},  # Lumen: the second review step broke verification
    "org-sm": {"overage"},  # Summit: credits projected past the allowance
    "org-wl": {"untrained_users"},  # Willow: few active users trained
    "org-em": {"declining"},  # Ember: falling for two months
    "org-ks": {"ai_low_acceptance"},  # Kestrel: AI-heavy, under half accepted
    "org-td": {"data_gap"},  # Tidewater: the export lost a week
    "org-jn": {"ai_surge"},  # Juniper: AI share tripled while acceptance fell
}
CLEAN = ("org-nw", "org-gr", "org-as", "org-mp", "org-pc")
"""Northwind (broad, healthy), Granite (its rollout lifted usage weeks ago), Aster (ramping, then steady),
Maple (a Monday batch is its rhythm) and Pinecone (small: its −19 % is within chance)."""


def run_json(db: Path, *argv: str):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main([*argv, "--db", str(db), "--json"]) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, sample_db_template: Path) -> Path:
    """One private copy of the imported sample for this module's read-only checks."""
    target = tmp_path_factory.mktemp("stories") / "sample.db"
    shutil.copy(sample_db_template, target)
    return target


@pytest.fixture(scope="module")
def summary(db: Path) -> dict:
    return run_json(db, "summary")


def org(summary: dict, org_id: str) -> dict:
    return next(o for o in summary["orgs"] if o["org_id"] == org_id)


def test_the_summary_reads_as_of_the_last_day_of_the_sample(summary):
    assert summary["as_of"] == sample.DEFAULT_END.isoformat()
    assert len(summary["orgs"]) == 16


@pytest.mark.parametrize("org_id", sorted(STORY_FLAGS))
def test_each_story_org_carries_exactly_its_flag(summary, org_id):
    assert {f["kind"] for f in org(summary, org_id)["flags"]} == STORY_FLAGS[org_id]
    assert {f["kind"] for f in summary["flags"] if f["org_id"] == org_id} == STORY_FLAGS[org_id]


@pytest.mark.parametrize("org_id", CLEAN)
def test_clean_orgs_carry_no_flags(summary, org_id):
    assert org(summary, org_id)["flags"] == []


def test_northwind_is_broad_and_healthy(summary):
    nw = org(summary, "org-nw")
    assert nw["concentration"] == "broad" and nw["top_workflow_share"] < 0.5
    assert nw["adoption"] >= 0.6 and nw["trained_share"] >= 0.8
    assert nw["trend_label"] in ("steady", "growing")
    assert nw["workflows_active"] == nw["workflows_total"]


def test_the_story_figures_behind_the_flags(summary):
    assert org(summary, "org-bf")["adoption"] < 0.3
    cd = org(summary, "org-cd")
    assert cd["concentration"] == "concentrated" and cd["top_workflow_share"] >= 0.5
    assert org(summary, "org-lm")["error_rate"] > org(summary, "org-nw")["error_rate"]
    assert org(summary, "org-sm")["projected_credits"] > org(summary, "org-sm")["included_credits"]
    assert org(summary, "org-wl")["trained_share"] < 0.5
    assert org(summary, "org-em")["trend_label"] == "declining"
    assert org(summary, "org-ks")["ai_acceptance"] < 0.6
    assert org(summary, "org-ks")["ai_share"] > org(summary, "org-nw")["ai_share"]


def test_the_ai_and_queue_spikes(summary):
    spikes = {s["org_id"]: s for s in summary["spikes"]}
    assert set(spikes) == {"org-hx", "org-ob"}
    hx, ob = spikes["org-hx"], spikes["org-ob"]
    assert hx["date"] == (sample.DEFAULT_END - timedelta(days=sample.AI_SPIKE_DAYS_BEFORE_END)).isoformat()
    assert ob["date"] == (sample.DEFAULT_END - timedelta(days=sample.QUEUE_SPIKE_DAYS_BEFORE_END)).isoformat()
    assert hx["ai_share"] >= 0.5 and ob["queue_share"] >= 0.5
    for s in (hx, ob):
        assert s["events"] >= 20 and s["factor"] >= 3
        assert {"date", "org_id", "workflow_id", "events", "baseline", "factor", "ai_share", "queue_share"} <= s.keys()
    flagged = {(f["org_id"], f["workflow_id"]) for f in summary["flags"] if f["kind"] == "spike"}
    assert flagged == {("org-hx", hx["workflow_id"]), ("org-ob", ob["workflow_id"])}


@pytest.mark.parametrize(
    ("change_id", "verdict"),
    [
        ("chg-rollout-granite", "rollout_effect"),
        ("chg-process-lumen", "process_problem"),
        ("chg-rollout-aster", "no_clear_change"),
        ("chg-rollout-pinecone", "no_clear_change"),
    ],
)
def test_planted_changes_get_their_verdicts(db, change_id, verdict):
    doc = run_json(db, "compare", change_id)
    assert doc["verdict"] == verdict
    assert doc["control"] is not None


def test_the_granite_rollout_beats_its_control(db):
    doc = run_json(db, "compare", "chg-rollout-granite")
    assert doc["did"] >= 0.2
    assert doc["after"]["active_users"] > doc["before"]["active_users"]


def test_the_lumen_process_change_raised_errors(db):
    doc = run_json(db, "compare", "chg-process-lumen")
    assert doc["change"]["workflow_id"] == "wf-lm-1a"
    assert doc["after"]["error_rate"] - doc["before"]["error_rate"] >= 0.05


@pytest.mark.parametrize("change_id", ["chg-rollout-dashboard", "chg-training-q3"])
def test_every_org_changes_have_no_control(db, change_id):
    doc = run_json(db, "compare", change_id)
    assert doc["change"]["org_id"] is None
    assert doc["control"] is None and doc["control_change"] == 0.0
    assert doc["did"] == doc["scope_change"]


# ----------------------------------------------------------------------------- the evidence stories (§2a, §3)


def test_the_lost_export_week_is_a_gap_not_a_decline(summary):
    td = org(summary, "org-td")
    first, last = (sample.DEFAULT_END - timedelta(days=n) for n in sample.LOST_EXPORT_DAYS_BEFORE_END)
    (gap,) = [g for g in summary["gaps"] if g["org_id"] == "org-td"]
    assert (gap["first"], gap["last"], gap["days"]) == (first.isoformat(), last.isoformat(), 7)
    assert gap["expected_missing"] >= 10
    assert td["covered_days"] == 23 and td["covered_days_prev"] == 30
    assert td["events"] / td["events_prev"] < 0.85  # the raw counts fall by more than 15 %
    assert td["trend_label"] == "steady"  # the rate per covered day does not
    (flag,) = [f for f in td["flags"] if f["kind"] == "data_gap"]
    assert (flag["first"], flag["last"]) == (first.isoformat(), last.isoformat())
    assert summary["export_gaps"] == []  # only Tidewater lost days


def test_a_monday_batch_is_no_spike_and_a_saturday_batch_is(summary):
    days = {s["date"] for s in summary["spikes"] if s["org_id"] in ("org-mp", "org-ob")}
    saturday = sample.DEFAULT_END - timedelta(days=sample.QUEUE_SPIKE_DAYS_BEFORE_END)
    assert saturday.weekday() == 5
    assert days == {saturday.isoformat()}
    (ob,) = [s for s in summary["spikes"] if s["org_id"] == "org-ob"]
    assert ob["expected"] <= 3 and ob["factor"] >= 5 and ob["z"] >= 3.5


def test_the_small_org_moves_within_chance(summary, db):
    pc = org(summary, "org-pc")
    assert pc["trend"] <= -0.15 and pc["trend_label"] == "steady" and pc["trend_within_chance"]
    doc = run_json(db, "compare", "chg-rollout-pinecone")
    assert doc["did"] >= 0.2 and doc["z"] < 1.96
    assert "within chance" in doc["reason"]


def test_the_ramping_org_was_already_moving_before_its_rollout(db):
    doc = run_json(db, "compare", "chg-rollout-aster")
    assert doc["did"] >= 0.2 and doc["usual_change"] >= 0.2 and doc["adjusted_did"] < 0.2
    assert doc["placebo_windows"] >= 20 and doc["p_value"] is not None
    assert "already moving this much before the change" in doc["reason"]


def test_the_ai_surge_shows_acceptance_and_errors_beside_the_share(summary):
    (flag,) = org(summary, "org-jn")["flags"]
    assert flag["kind"] == "ai_surge" and flag["workflow_id"] is None
    assert "AI share" in flag["detail"] and "acceptance" in flag["detail"] and "errors" in flag["detail"]
    jn = org(summary, "org-jn")
    assert jn["ai_share"] >= 0.45
