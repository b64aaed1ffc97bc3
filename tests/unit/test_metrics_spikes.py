"""CONTRACT §2a spike rule: a day of one workflow against the same weekday of the 4 weeks before it.

A spike has ≥ 20 events, ≥ 3 × max(expected, 1) and (events − expected) / spread ≥ 3.5, where expected is the
median of those same weekdays and spread = max(1.4826 × their MAD, sqrt(expected), 1); a day with fewer than 2
same weekdays stored is not judged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from math import sqrt

import pytest

from trialstack_tui.metrics.spikes import find_spikes
from trialstack_tui.metrics.windows import DaySpan

from .helpers import row

DAY = date(2026, 3, 28)  # a Saturday
WINDOW = DaySpan(DAY - timedelta(days=6), DAY)
LONG_AGO = DAY - timedelta(days=365)


def history(same_weekdays: list[int], other_days: int = 0, workflow_id: str = "wf-a1") -> list:
    """Rows for the 28 days before DAY: the 4 same weekdays (oldest first) and a count on every other day."""
    assert len(same_weekdays) == 4
    rows = []
    for back in range(1, 29):
        day = DAY - timedelta(days=back)
        events = same_weekdays[4 - back // 7] if back % 7 == 0 else other_days
        if events:
            rows.append(row(day, workflow_id, events=events))
    return rows


def daily(days: int, events: Callable[[date], int], end: date = DAY, workflow_id: str = "wf-a1") -> list:
    """Rows for the `days` days before `end`, each with `events(day)` events."""
    return [
        row(day, workflow_id, events=n)
        for back in range(1, days + 1)
        if (n := events(day := end - timedelta(days=back)))
    ]


def spikes_with(day_events: int, rows: list, *, first: date = LONG_AGO, **kinds):
    return find_spikes([*rows, row(DAY, events=day_events, **kinds)], WINDOW, first)


@pytest.mark.parametrize(("events", "found"), [(20, True), (19, False)])
def test_at_least_20_events(events, found):
    spikes = spikes_with(events, history([0, 0, 0, 0], other_days=50))
    assert bool(spikes) is found
    if found:
        (s,) = spikes
        assert (s.day, s.org_id, s.workflow_id, s.events, s.expected, s.baseline) == (DAY, "org-a", "wf-a1", 20, 0.0, 0.0)
        assert (s.factor, s.spread, s.z) == (pytest.approx(20.0), 1.0, pytest.approx(20.0))


@pytest.mark.parametrize(("events", "found"), [(30, True), (29, False)])
def test_at_least_three_times_the_expected_count(events, found):
    spikes = spikes_with(events, history([10, 10, 10, 10]))
    assert bool(spikes) is found
    if found:
        (s,) = spikes
        assert (s.expected, s.factor) == (10.0, pytest.approx(3.0))
        assert s.spread == pytest.approx(sqrt(10))  # no spread among the weekdays: the Poisson floor


@pytest.mark.parametrize(("events", "z", "found"), [(61, 3.44, False), (63, 3.57, True)])
def test_z_of_at_least_3_5_against_the_weekday_spread(events, z, found):
    # Same weekdays 0, 0, 20, 20: expected 10, every deviation 10, spread 1.4826 × 10 = 14.826.
    # Both counts are ≥ 20 and ≥ 3 × 10; only z separates them.
    spikes = find_spikes([*history([0, 0, 20, 20]), row(DAY, events=events)], WINDOW, LONG_AGO)
    assert bool(spikes) is found
    assert (events - 10) / 14.826 == pytest.approx(z, abs=0.01)
    if found:
        assert (spikes[0].spread, spikes[0].z) == (pytest.approx(14.826), pytest.approx(z, abs=0.01))


@pytest.mark.parametrize(("same_weekdays_stored", "found"), [(2, True), (1, False), (0, False)])
def test_a_day_needs_two_same_weekdays_inside_the_data(same_weekdays_stored, found):
    first = DAY - timedelta(days=7 * same_weekdays_stored)
    assert bool(spikes_with(40, [], first=first)) is found


def test_same_weekdays_before_the_data_are_unknown_not_zero():
    # Data starts 14 days before DAY with 5 events a day: expected is 5 (two weekdays), not 0 (four).
    first = DAY - timedelta(days=14)
    (s,) = spikes_with(40, daily(14, lambda _d: 5), first=first)
    assert (s.expected, s.factor) == (5.0, pytest.approx(8.0))


def test_a_monday_batch_is_its_own_rhythm():
    monday = DAY + timedelta(days=2)
    window = DaySpan(monday - timedelta(days=6), monday)
    rows = daily(60, lambda d: 200 if d.weekday() == 0 else 5, end=monday + timedelta(days=1))
    assert [r.events for r in rows if r.day == monday] == [200]
    assert find_spikes(rows, window, LONG_AGO) == []


def test_a_weekend_run_of_a_weekday_job_is_a_spike():
    # A weekday job: 100 events Monday to Friday, 1 on Saturdays, none on Sundays; then 97 on a Saturday.
    rows = daily(56, lambda d: 100 if d.weekday() < 5 else 1 if d.weekday() == 5 else 0)
    (s,) = spikes_with(97, rows)
    assert (s.day.weekday(), s.expected, s.factor) == (5, 1.0, pytest.approx(97.0))
    assert "Sat 2026-03-28: 97 events" in s.describe("Batch") and "expected 1" in s.describe("Batch")


def test_kind_shares_of_the_spike_day():
    (s,) = spikes_with(40, history([0, 0, 0, 0]), ai=30, queue=4)
    assert (s.ai_share, s.queue_share) == (pytest.approx(0.75), pytest.approx(0.1))


def test_each_workflow_is_judged_against_its_own_weekdays():
    rows = [
        *history([30, 30, 30, 30], workflow_id="wf-busy"),
        *history([0, 0, 0, 0], workflow_id="wf-quiet"),
        row(DAY, "wf-busy", events=35),
        row(DAY, "wf-quiet", events=25),
    ]
    assert [s.workflow_id for s in find_spikes(rows, WINDOW, LONG_AGO)] == ["wf-quiet"]


def test_only_days_inside_the_window_are_reported():
    outside = DAY - timedelta(days=7)  # the day before WINDOW starts
    assert find_spikes([row(outside, events=80)], WINDOW, LONG_AGO) == []


def test_an_empty_window_has_no_spikes():
    assert find_spikes([], WINDOW, LONG_AGO) == []
    assert find_spikes(history([3, 3, 3, 3], other_days=3), WINDOW, LONG_AGO) == []


def test_the_one_pass_over_busy_days_finds_exactly_the_days_the_baseline_rule_admits() -> None:
    # DaySeries.busy_days skips most days without their median (a day can reach 3 × the median of its same
    # weekdays only if one of them is at most a third of it); it must admit exactly the days that the rule,
    # taken day by day through `baseline`, admits: lumpy random series, with and without unknown days first.
    import random

    from trialstack_tui.metrics.evidence import DaySeries

    rng = random.Random(13)
    admitted = 0
    for trial in range(300):
        values = [rng.choice((0, 0, 1, 3, 8, 20, 25, 60, 90, 400)) for _ in range(70)]
        series = DaySeries(DAY, values, first=rng.choice((0, 0, 5, 20, 40)))
        expected = []
        for index in range(28, 70):
            centre, history = series.baseline(index)
            if values[index] >= 20 and centre is not None and values[index] >= 3 * max(centre, 1.0):
                expected.append((index, values[index], centre, history))
        found = list(series.busy_days(28, 69, 20, 3.0))
        assert found == expected, trial
        admitted += len(found)
    assert admitted > 100  # the series do hold spike candidates, so the check is not vacuous
