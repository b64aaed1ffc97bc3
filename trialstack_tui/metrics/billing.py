"""Credits against each plan's monthly allowance, projected to month end."""

from __future__ import annotations

import calendar
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Projection:
    """Month-to-date credits of one org and where they lead by the end of the month."""

    mtd_credits: float
    projected_credits: float
    included_credits: float
    days_elapsed: int
    days_in_month: int

    @property
    def overage(self) -> float:
        """Credits projected beyond the allowance (0 when within it)."""
        return max(0.0, self.projected_credits - self.included_credits)

    @property
    def use_of_allowance(self) -> float | None:
        """Projected credits / included credits (None for a plan with no included credits)."""
        return self.projected_credits / self.included_credits if self.included_credits else None

    @property
    def heading_for_overage(self) -> bool:
        return self.projected_credits > self.included_credits


def month_start(as_of: date) -> date:
    """The first day of as_of's calendar month."""
    return as_of.replace(day=1)


def project(mtd_credits: float, as_of: date, included_credits: float) -> Projection:
    """Straight-line projection: mtd / days elapsed × days in the month (as_of counts as elapsed).

    Multiplied before dividing: 2000 / 15 × 30 is 4000.0000000000005 in floating point, which would flag a
    pace exactly on the allowance as overage.
    """
    days_in_month = calendar.monthrange(as_of.year, as_of.month)[1]
    elapsed = as_of.day
    return Projection(
        mtd_credits=mtd_credits,
        projected_credits=mtd_credits * days_in_month / elapsed,
        included_credits=included_credits,
        days_elapsed=elapsed,
        days_in_month=days_in_month,
    )


BUDGET_THRESHOLDS = (0.75, 0.90, 1.00)
"""Shares of the included credits whose crossing dates the billing view shows."""
WARNING_THRESHOLD = 0.90
RECENT_DAYS = 7
"""The recent daily rate is the credits of the last 7 days (as_of included) / 7: a whole week, so a weekly
rhythm does not tilt it, and recent enough to catch a pace that changed mid-month."""


@dataclass(frozen=True)
class Crossing:
    """When month-to-date credits reach `threshold` × the included credits."""

    threshold: float
    day: date | None  # None: not in this month (at the recent rate), or never with no recent use
    reached: bool  # True: it happened on `day`; False: `day` is projected at the recent daily rate


@dataclass(frozen=True)
class BudgetOutlook:
    """One org's month against its allowance at the recent daily rate: crossing dates and the projection."""

    mtd_credits: float
    included_credits: float
    recent_daily_rate: float
    days_left: int  # days of the month after as_of
    crossings: tuple[Crossing, ...]  # one per BUDGET_THRESHOLDS; empty for a plan with no included credits
    cumulative: tuple[float, ...]  # month-to-date credits at the end of each day from the 1st to as_of

    def path(self) -> list[float]:
        """Month-to-date credits for every day of the month: as used to as_of, then at the recent rate."""
        return [*self.cumulative, *(self.mtd_credits + self.recent_daily_rate * k for k in range(1, self.days_left + 1))]

    @property
    def projected_recent(self) -> float:
        """Month-to-date credits plus the recent daily rate for every day left in the month."""
        return self.mtd_credits + self.recent_daily_rate * self.days_left

    def crossing(self, threshold: float) -> Crossing | None:
        """The crossing of one of BUDGET_THRESHOLDS (None for a plan with no included credits)."""
        return next((c for c in self.crossings if c.threshold == threshold), None)


def recent_window_start(as_of: date) -> date:
    """The first day the outlook reads: the month's first day or the recent rate's, whichever is earlier."""
    return min(month_start(as_of), as_of - timedelta(days=RECENT_DAYS - 1))


def budget_outlook(daily_credits: Mapping[date, float], as_of: date, included_credits: float) -> BudgetOutlook:
    """Crossing dates of 75 / 90 / 100 % of the included credits and the projection at the recent rate.

    `daily_credits` holds the org's credits per day from `recent_window_start(as_of)` to as_of (days without
    use may be missing). A threshold already reached gives the day the month-to-date total first reached it;
    otherwise the day it will at the recent rate, when that day is in this month.
    """
    first = month_start(as_of)
    cumulative = list(itertools.accumulate(daily_credits.get(first + timedelta(days=i), 0.0) for i in range(as_of.day)))
    mtd = cumulative[-1]
    rate = sum(v for d, v in daily_credits.items() if as_of - timedelta(days=RECENT_DAYS - 1) <= d <= as_of) / RECENT_DAYS
    last_day = as_of.replace(day=calendar.monthrange(as_of.year, as_of.month)[1])
    crossings: list[Crossing] = []
    for threshold in BUDGET_THRESHOLDS if included_credits > 0 else ():
        target = threshold * included_credits
        reached = next((i for i, total in enumerate(cumulative) if total >= target - _EPSILON), None)
        if reached is not None:
            crossings.append(Crossing(threshold, first + timedelta(days=reached), True))
            continue
        day = None
        if rate > 0:
            # The tolerance keeps a whole number of days from rounding up to the next one.
            ahead = as_of + timedelta(days=math.ceil((target - mtd) / rate - _EPSILON))
            day = ahead if ahead <= last_day else None
        crossings.append(Crossing(threshold, day, False))
    return BudgetOutlook(mtd, included_credits, rate, (last_day - as_of).days, tuple(crossings), tuple(cumulative))


_EPSILON = 1e-9


def budget_warning(outlook: BudgetOutlook, in_overage: bool) -> str | None:
    """The detail of a `budget_warning` flag, or None: 90 % of the included credits is crossed, or will be
    before month end at the recent rate, and the org is not already flagged for overage."""
    crossing = outlook.crossing(WARNING_THRESHOLD)
    if in_overage or crossing is None or crossing.day is None:
        return None
    when = "reached on" if crossing.reached else "at the last 7 days' rate, will be reached on"
    full = outlook.crossing(1.0)
    after = f"; 100 % on {full.day.isoformat()}" if full is not None and full.day is not None else ""
    return (
        f"90 % of {outlook.included_credits:,.0f} included credits {when} {crossing.day.isoformat()}{after} "
        f"({outlook.mtd_credits:,.0f} used; {outlook.recent_daily_rate:,.1f}/day over the last {RECENT_DAYS} days, "
        f"{outlook.projected_recent:,.0f} by month end at that rate)"
    )
