"""Credits against each plan's monthly allowance, projected to month end."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


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
