"""CONTRACT §2 billing: mtd / days elapsed × days in month, and overage = max(0, projected − included)."""

from __future__ import annotations

from datetime import date

import pytest

from trialstack_tui.metrics.billing import month_start, project


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
