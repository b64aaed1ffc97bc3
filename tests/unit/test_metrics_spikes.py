"""CONTRACT §2 spike rule: ≥ 20 events, ≥ 3× the median of the 28 days before, robust z ≥ 3.5 (MAD floored at 1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trialstack_tui.metrics.spikes import find_spikes
from trialstack_tui.metrics.windows import Window

from .helpers import row

DAY = date(2026, 3, 31)
WINDOW = Window(DAY - timedelta(days=6), DAY)
LONG_AGO = DAY - timedelta(days=365)
Z = 0.6745


def baseline(values: list[int], workflow_id: str = "wf-a1") -> list:
    """Rows for the 28 days before DAY, oldest first; zero days are left out (missing days count as zero)."""
    assert len(values) == 28
    return [
        row(DAY - timedelta(days=28 - i), workflow_id, events=v) for i, v in enumerate(values) if v
    ]


def spikes_with(day_events: int, history: list, *, first: date = LONG_AGO, **kinds):
    return find_spikes([*history, row(DAY, events=day_events, **kinds)], WINDOW, first)


@pytest.mark.parametrize(("events", "found"), [(20, True), (19, False)])
def test_at_least_20_events(events, found):
    spikes = spikes_with(events, baseline([0] * 28))
    assert bool(spikes) is found
    if found:
        (s,) = spikes
        assert (s.day, s.org_id, s.workflow_id, s.events, s.baseline) == (DAY, "org-a", "wf-a1", 20, 0.0)
        assert s.factor == pytest.approx(20.0)  # events / max(median, 1)
        assert s.robust_z == pytest.approx(Z * 20)


@pytest.mark.parametrize(("events", "found"), [(30, True), (29, False)])
def test_at_least_three_times_the_median(events, found):
    spikes = spikes_with(events, baseline([10] * 28))
    assert bool(spikes) is found
    if found:
        assert (spikes[0].baseline, spikes[0].factor) == (10.0, pytest.approx(3.0))


@pytest.mark.parametrize(("events", "found"), [(36, True), (35, False)])
def test_robust_z_of_at_least_3_5(events, found):
    # 14 days of 5 and 14 of 15: median 10, every deviation 5, so MAD 5.
    # 35 is ≥ 20 and ≥ 3× 10 but z = 0.6745 × 25 / 5 = 3.37; 36 gives 0.6745 × 26 / 5 = 3.51.
    spikes = spikes_with(events, baseline([5, 15] * 14))
    assert bool(spikes) is found
    if found:
        assert spikes[0].robust_z == pytest.approx(Z * 26 / 5)


def test_mad_is_floored_at_one():
    # 14 days of 0 and 14 of 1: median 0.5 and MAD 0.5, floored to 1.
    (s,) = spikes_with(20, baseline([0, 1] * 14))
    assert s.baseline == 0.5
    assert s.robust_z == pytest.approx(Z * 19.5 / 1.0)


def test_a_flat_baseline_has_mad_zero_and_still_judges():
    (s,) = spikes_with(30, baseline([10] * 28))
    assert s.robust_z == pytest.approx(Z * 20)


@pytest.mark.parametrize(("days_of_data", "found"), [(14, True), (13, False)])
def test_a_baseline_needs_14_days_of_data(days_of_data, found):
    first = DAY - timedelta(days=days_of_data)
    assert bool(spikes_with(40, [], first=first)) is found


def test_the_baseline_is_clipped_to_the_first_day_of_data():
    # Data starts 14 days before DAY at 2 events a day; the 14 days before the data are not zeros.
    first = DAY - timedelta(days=14)
    history = [row(first + timedelta(days=i), events=2) for i in range(14)]
    (s,) = spikes_with(20, history, first=first)
    assert s.baseline == 2.0
    assert s.factor == pytest.approx(10.0)


def test_kind_shares_of_the_spike_day():
    (s,) = spikes_with(40, [], ai=30, queue=4)
    assert (s.ai_share, s.queue_share) == (pytest.approx(0.75), pytest.approx(0.1))


def test_each_org_workflow_is_judged_against_its_own_baseline():
    busy = baseline([30] * 28, "wf-busy")
    rows = [*busy, row(DAY, "wf-busy", events=35), row(DAY, "wf-quiet", events=25)]
    assert [s.workflow_id for s in find_spikes(rows, WINDOW, LONG_AGO)] == ["wf-quiet"]


def test_only_days_inside_the_window_are_reported():
    outside = DAY - timedelta(days=7)  # the day before WINDOW starts
    assert find_spikes([row(outside, events=80)], WINDOW, LONG_AGO) == []


def test_an_empty_window_has_no_spikes():
    assert find_spikes([], WINDOW, LONG_AGO) == []
    assert find_spikes(baseline([3] * 28), WINDOW, LONG_AGO) == []
