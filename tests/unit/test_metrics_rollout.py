"""CONTRACT §3 rollout comparison, fed hand-built rows (no database).

The change is on 2026-03-15 with windows of 3 days: before = 03-12..03-14, after = 03-15..03-17.
Each side's counts sit on one day of its window, so events/day = the window's events / 3.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trialstack_tui.metrics.rollout import ComparisonInputs, comparison_windows, compare
from trialstack_tui.records import ChangeRecord

from .helpers import row

D = date(2026, 3, 15)
BEFORE_DAY, AFTER_DAY = D - timedelta(days=2), D + timedelta(days=1)


def change(kind: str = "rollout", org_id: str | None = "org-a", workflow_id: str | None = None) -> ChangeRecord:
    return ChangeRecord("chg-x", D, kind, "A change", org_id, workflow_id)


def side(before: int, after: int, org_id: str = "org-a", workflow_id: str = "wf-a1", **after_kinds) -> list:
    """Rows with `before` events in the before window and `after` in the after window."""
    rows = []
    if before:
        rows.append(row(BEFORE_DAY, workflow_id, org_id, events=before))
    if after:
        rows.append(row(AFTER_DAY, workflow_id, org_id, events=after, **after_kinds))
    return rows


def run(
    scope_rows: list,
    control_rows: list | None = None,
    *,
    kind: str = "rollout",
    every_org: bool = False,
    first: date = date(2026, 1, 1),
    last: date = date(2026, 12, 31),
    scope_active: tuple[int, int] = (10, 10),
    control_active: tuple[int, int] = (10, 10),
    scope_seats: int = 20,
):
    if control_rows is None and not every_org:
        control_rows = side(30, 30, "org-b", "wf-b1")
    return compare(
        ComparisonInputs(
            change=change(kind, None if every_org else "org-a"),
            days=3,
            data_first=first,
            data_last=last,
            scope_rows=scope_rows,
            control_rows=None if every_org else control_rows,
            scope_active=scope_active,
            control_active=control_active,
            scope_seats=scope_seats,
            control_seats=40,
        )
    )


def test_comparison_windows():
    before, after = comparison_windows(D, 14)
    assert (before.start, before.end, before.days) == (date(2026, 3, 1), date(2026, 3, 14), 14)
    assert (after.start, after.end, after.days) == (D, date(2026, 3, 28), 14)


def test_window_figures_and_difference_in_differences():
    scope = [
        row(BEFORE_DAY, "wf-a1", events=20, ai=10, accepted=6, rejected=2, error=2, credits=9.0),
        row(BEFORE_DAY, "wf-a2", events=10),
        row(AFTER_DAY, "wf-a1", events=45, credits=3.0),
    ]
    c = run(scope, side(60, 66, "org-b", "wf-b1"), kind="plan", scope_active=(8, 9), control_active=(30, 31))
    b, a = c.before, c.after
    assert (b.days, b.counts.events, b.events_per_day, b.credits_per_day) == (3, 30, 10.0, 3.0)
    assert (b.active_users, b.adoption, b.workflows_active) == (8, pytest.approx(0.4), 2)
    assert (b.counts.ai_share, b.counts.ai_acceptance, b.counts.error_rate) == (
        pytest.approx(1 / 3), pytest.approx(0.75), pytest.approx(2 / 30)
    )
    assert (a.events_per_day, a.active_users, a.workflows_active, a.credits_per_day) == (15.0, 9, 1, 1.0)
    assert (c.control_before.events_per_day, c.control_after.events_per_day) == (20.0, 22.0)
    assert c.control_before.adoption == pytest.approx(30 / 40)
    assert c.scope_change == pytest.approx(0.5)
    assert c.control_change == pytest.approx(0.1)
    assert c.did == pytest.approx(0.4)
    assert not c.clipped and c.notes == []


# ----------------------------------------------------------------------------- verdicts


def test_insufficient_data_when_the_after_window_is_outside_the_data():
    c = run(side(30, 0), last=D - timedelta(days=1))
    assert c.verdict == "insufficient_data"
    assert c.after.days == 0
    assert any("after window" in n and "outside the data" in n for n in c.notes)


def test_insufficient_data_when_the_scope_had_no_events_before():
    c = run(side(0, 30))
    assert c.verdict == "insufficient_data"
    assert "before" in c.reason


@pytest.mark.parametrize(
    ("before_errors", "after_errors", "after_events", "verdict"),
    [
        (40, 60, 400, "process_problem"),  # 10 % → 15 % of 400: exactly +5 points, z 2.1
        (40, 140, 1000, "no_clear_change"),  # 10 % → 14 %
        (0, 20, 400, "process_problem"),  # 0 % → 5 %
    ],
)
def test_process_problem_when_errors_rise_by_5_points(before_errors, after_errors, after_events, verdict):
    scope = [row(BEFORE_DAY, events=400, error=before_errors), row(AFTER_DAY, events=after_events, error=after_errors)]
    c = run(scope, side(400, after_events, "org-b", "wf-b1"), kind="process")
    assert c.verdict == verdict
    if verdict == "process_problem":
        assert "error rate" in c.reason and "beyond chance" in c.reason


def test_an_error_rise_within_chance_is_no_process_problem():
    # 1 error in 38 events before, 4 in 38 after: +7.9 points, but z 1.4.
    scope = [row(BEFORE_DAY, events=38, error=1), row(AFTER_DAY, events=38, error=4)]
    c = run(scope, side(38, 38, "org-b", "wf-b1"), kind="process")
    assert c.verdict == "no_clear_change"
    assert c.evidence.error_z == pytest.approx(1.39, abs=0.01)
    assert "error rate 2.6% → 10.5%" in c.reason and "within chance" in c.reason


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [
        ((180, 20), (160, 40), "process_problem"),  # 90 % → 80 %: exactly −10 points, z −2.8
        ((180, 20), (170, 30), "no_clear_change"),  # 90 % → 85 %
        ((180, 20), (13, 6), "no_clear_change"),  # 90 % → 68 % (z −2.8), but only 19 reviewed after
        ((17, 2), (100, 100), "no_clear_change"),  # 89 % → 50 % (z −3.3), but only 19 reviewed before
    ],
)
def test_process_problem_when_ai_acceptance_drops_10_points_with_20_reviewed(before, after, verdict):
    (acc_b, rej_b), (acc_a, rej_a) = before, after
    scope = [
        row(BEFORE_DAY, events=300, ai=300, accepted=acc_b, rejected=rej_b),
        row(AFTER_DAY, events=300, ai=300, accepted=acc_a, rejected=rej_a),
    ]
    c = run(scope, kind="process")
    assert c.verdict == verdict
    if verdict == "process_problem":
        assert "acceptance" in c.reason


@pytest.mark.parametrize(
    ("scope_after", "control_after", "kind", "verdict"),
    [
        (3900, 3300, "rollout", "rollout_effect"),  # +30 % vs +10 %: did exactly +20 %, z 4.8
        (3900, 3400, "rollout", "no_clear_change"),  # +30 % vs +13.3 %
        (6000, 3000, "training", "no_clear_change"),  # did +100 %, but not a rollout
        (6000, 3000, "rollout", "rollout_effect"),
    ],
)
def test_rollout_effect_when_a_rollout_beats_the_control_by_20_percent(scope_after, control_after, kind, verdict):
    c = run(side(3000, scope_after), side(3000, control_after, "org-b", "wf-b1"), kind=kind)
    assert c.verdict == verdict
    if verdict == "rollout_effect":
        assert "beyond chance" in c.reason and "difference +" in c.reason


def test_a_rollout_jump_within_chance_is_no_rollout_effect():
    # A three-events-a-day org: 38 events before, 52 after (+37 %), against a flat control; z 1.5.
    c = run(side(38, 52), side(3000, 3000, "org-b", "wf-b1"))
    assert c.did == pytest.approx(14 / 38)
    assert c.evidence.z == pytest.approx(1.46, abs=0.01)
    assert c.verdict == "no_clear_change"
    assert "within chance" in c.reason and "z 1.5" in c.reason


def test_process_problem_comes_before_rollout_effect():
    scope = [row(BEFORE_DAY, events=300), row(AFTER_DAY, events=600, error=60)]  # +100 % and 0 % → 10 % errors
    assert run(scope).verdict == "process_problem"


@pytest.mark.parametrize(
    ("scope_users", "control_users", "workflows_after", "verdict"),
    [
        ((200, 260), (10, 12), ("wf-a1", "wf-a2"), "growth"),  # +30 % vs +20 %: exactly +10 points
        ((200, 240), (10, 12), ("wf-a1", "wf-a2"), "no_clear_change"),  # no better than the control
        ((200, 260), (10, 12), ("wf-a1",), "no_clear_change"),  # workflows active fell 2 → 1
        ((10, 20), (10, 10), ("wf-a1", "wf-a3"), "no_clear_change"),  # +100 % but 10 → 20 of 400 seats is chance
        ((100, 200), (10, 10), ("wf-a1", "wf-a3"), "growth"),
    ],
)
def test_growth_when_active_users_outgrow_the_control(scope_users, control_users, workflows_after, verdict):
    scope = [row(BEFORE_DAY, "wf-a1", events=15), row(BEFORE_DAY, "wf-a2", events=15)]
    scope += [row(AFTER_DAY, w, events=30 // len(workflows_after)) for w in workflows_after]
    c = run(scope, kind="training", scope_active=scope_users, control_active=control_users, scope_seats=400)
    assert c.verdict == verdict
    if verdict == "growth":
        assert "active users" in c.reason


def test_no_clear_change_names_the_figures():
    c = run(side(30, 31))
    assert c.verdict == "no_clear_change"
    assert "events/day" in c.reason


# ----------------------------------------------------------------------------- clipping and control


def test_a_change_near_the_start_of_the_data_clips_the_before_window():
    c = run(side(6, 9), first=D - timedelta(days=1), kind="plan")
    assert (c.before.window.start, c.before.window.end, c.before.days) == (D - timedelta(days=1), D - timedelta(days=1), 1)
    assert c.clipped
    assert any("before window is clipped" in n and "1 of 3 days" in n for n in c.notes)
    # The before events sit on 03-13, outside the clipped window: no events before, so no verdict.
    assert c.verdict == "insufficient_data"


def test_a_change_near_the_end_of_the_data_uses_the_days_it_has():
    c = run(side(30, 30), last=D + timedelta(days=1))
    assert (c.after.window.start, c.after.window.end, c.after.days) == (D, D + timedelta(days=1), 2)
    assert c.after.events_per_day == 15.0  # 30 events over the 2 days that exist, not 3
    assert c.control_after.events_per_day == 15.0
    assert c.scope_change == pytest.approx(0.5)
    assert c.did == pytest.approx(0.0)
    assert any("after window is clipped" in n and "2 of 3 days" in n for n in c.notes)
    assert c.verdict == "no_clear_change"


def test_an_every_org_change_has_no_control_and_counts_its_change_as_zero():
    c = run(side(300, 450), every_org=True)
    assert c.control_before is None and c.control_after is None
    assert c.control_change == 0.0
    assert c.did == pytest.approx(0.5)  # the scope's own change, minus 0
    assert c.verdict == "rollout_effect"
    assert any("no control group" in n for n in c.notes)


def test_a_control_without_events_before_counts_as_zero():
    c = run(side(30, 45), side(0, 10, "org-b", "wf-b1"))
    assert c.control_change is None
    assert c.did == pytest.approx(0.5)
    assert any("control group had no events before" in n for n in c.notes)
