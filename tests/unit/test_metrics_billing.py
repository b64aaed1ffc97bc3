"""CONTRACT §2 billing: mtd / days elapsed × days in month, and overage = max(0, projected − included)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trialstack_tui.metrics.billing import Crossing, budget_outlook, budget_warning, month_start, project

from .helpers import flag_kinds, only_org, org, row, summarize


@pytest.mark.parametrize(
    ("as_of", "elapsed", "month_days", "mtd", "projected"),
    [
        (date(2026, 1, 10), 10, 31, 100.0, 310.0),
        (date(2026, 4, 10), 10, 30, 100.0, 300.0),
        (date(2027, 2, 14), 14, 28, 70.0, 140.0),
        (date(2028, 2, 14), 14, 29, 70.0, 145.0),  # leap year
        (date(2026, 12, 31), 31, 31, 42.0, 42.0),  # last day: projection = month to date
        (date(2026, 6, 1), 1, 30, 3.0, 90.0),  # first day
    ],
)
def test_projection_uses_days_elapsed_and_the_month_length(as_of, elapsed, month_days, mtd, projected):
    p = project(mtd, as_of, 1_000.0)
    assert (p.days_elapsed, p.days_in_month) == (elapsed, month_days)
    assert p.projected_credits == pytest.approx(projected)


@pytest.mark.parametrize(
    ("mtd", "included", "overage", "heading"),
    [(60.0, 100.0, 20.0, True), (50.0, 100.0, 0.0, False), (40.0, 100.0, 0.0, False), (5.0, 0.0, 10.0, True)],
)
def test_overage_is_never_negative(mtd, included, overage, heading):
    p = project(mtd, date(2026, 4, 15), included)  # 15 of 30 days: projected = 2 × mtd
    assert p.overage == pytest.approx(overage)
    assert p.heading_for_overage is heading


@pytest.mark.parametrize(
    ("mtd", "as_of", "included"),
    [(2000.0, date(2026, 4, 15), 4000.0), (100.0, date(2026, 4, 3), 1000.0), (700.0, date(2026, 4, 21), 1000.0)],
)
def test_a_pace_exactly_on_the_allowance_is_not_overage(mtd, as_of, included):
    p = project(mtd, as_of, included)
    assert p.projected_credits == included
    assert p.overage == 0.0
    assert not p.heading_for_overage


def test_month_start():
    assert month_start(date(2026, 2, 28)) == date(2026, 2, 1)


def test_use_of_allowance_is_null_without_included_credits():
    assert project(10.0, date(2026, 4, 15), 0.0).use_of_allowance is None
    assert project(10.0, date(2026, 4, 15), 40.0).use_of_allowance == pytest.approx(0.5)


def _days(first: date, values: list[float]) -> dict[date, float]:
    return {first + timedelta(days=i): v for i, v in enumerate(values)}


def test_crossings_ahead_at_the_last_seven_days_rate_and_a_budget_warning():
    # April: 20/day for 10 days, nothing for 3, then 60/day for 7 days: 620 used, 930 projected at the month's
    # pace (not overage), 60/day recently.
    daily = _days(date(2026, 4, 1), [20.0] * 10 + [0.0] * 3 + [60.0] * 7)
    as_of = date(2026, 4, 20)
    outlook = budget_outlook(daily, as_of, 1_000.0)
    assert outlook.recent_daily_rate == pytest.approx(60.0)
    assert outlook.projected_recent == pytest.approx(620 + 60 * 10)
    assert [(c.threshold, c.day, c.reached) for c in outlook.crossings] == [
        (0.75, date(2026, 4, 23), False),  # 130 more: 3 days
        (0.90, date(2026, 4, 25), False),  # 280 more: 5 days
        (1.00, date(2026, 4, 27), False),  # 380 more: 7 days
    ]
    assert not project(620.0, as_of, 1_000.0).heading_for_overage
    detail = budget_warning(outlook, in_overage=False)
    assert detail is not None and "will be reached on 2026-04-25" in detail and "100 % on 2026-04-27" in detail
    assert budget_warning(outlook, in_overage=True) is None  # the overage flag says it already


def test_a_crossing_already_past_is_the_day_it_happened():
    daily = _days(date(2026, 4, 1), [35.0] * 26 + [0.0, 0.0])  # 910 by the 26th: 900 crossed that day
    outlook = budget_outlook(daily, date(2026, 4, 28), 1_000.0)
    assert outlook.crossing(0.75) == Crossing(0.75, date(2026, 4, 22), True)  # 770 ≥ 750 on the 22nd
    assert outlook.crossing(0.90) == Crossing(0.90, date(2026, 4, 26), True)
    assert outlook.crossing(1.00) == Crossing(1.00, None, False)  # 90/7 a day: 7 more days, past April
    detail = budget_warning(outlook, in_overage=False)
    assert detail is not None and "reached on 2026-04-26" in detail


def test_a_whole_number_of_days_does_not_round_up():
    outlook = budget_outlook(_days(date(2026, 4, 1), [0.1] * 7), date(2026, 4, 7), 1.0)
    assert [c.day for c in outlook.crossings] == [date(2026, 4, 8), date(2026, 4, 9), date(2026, 4, 10)]


def test_no_recent_use_and_no_included_credits_give_no_dates():
    daily = _days(date(2026, 4, 1), [50.0] + [0.0] * 19)
    outlook = budget_outlook(daily, date(2026, 4, 20), 1_000.0)
    assert [c.day for c in outlook.crossings] == [None, None, None]
    assert budget_warning(outlook, in_overage=False) is None
    free = budget_outlook(daily, date(2026, 4, 20), 0.0)
    assert free.crossings == () and budget_warning(free, in_overage=False) is None


def test_the_recent_rate_reaches_into_the_previous_month():
    daily = {date(2026, 3, 30): 70.0, date(2026, 4, 2): 0.0}  # early April: the last 7 days start in March
    outlook = budget_outlook(daily, date(2026, 4, 2), 1_000.0)
    assert outlook.mtd_credits == 0.0
    assert outlook.recent_daily_rate == pytest.approx(10.0)


def test_the_summary_flags_a_budget_warning_naming_the_date():
    as_of = date(2026, 4, 20)
    credits = [20.0] * 10 + [0.0] * 3 + [60.0] * 7
    rows = [row(date(2026, 4, 1) + timedelta(days=i), events=1, credits=c) for i, c in enumerate(credits)]
    summary = summarize(rows, orgs=[org(included=1_000.0)], as_of=as_of)
    warning = [f for f in only_org(summary).flags if f.kind == "budget_warning"]
    assert len(warning) == 1 and "2026-04-25" in warning[0].detail
    assert "overage" not in flag_kinds(summary)
    over = summarize(rows, orgs=[org(included=600.0)], as_of=as_of)  # overage: that flag, not this one
    assert "overage" in flag_kinds(over) and "budget_warning" not in flag_kinds(over)
