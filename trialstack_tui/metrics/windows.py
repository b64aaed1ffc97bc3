"""Review windows and the trend between two of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

GROWING = 0.15
DECLINING = -0.15


@dataclass(frozen=True)
class Window:
    """Days start..end, both inclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return max(0, (self.end - self.start).days + 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def each_day(self) -> list[date]:
        """Every day of the window in order."""
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def clip(self, first: date, last: date) -> Window:
        """The part of this window inside first..last (possibly empty: days == 0)."""
        return Window(max(self.start, first), min(self.end, last))


def review_windows(as_of: date, days: int) -> tuple[Window, Window]:
    """The `days` days ending on as_of, and the `days` days before them."""
    current = Window(as_of - timedelta(days=days - 1), as_of)
    previous = Window(current.start - timedelta(days=days), current.start - timedelta(days=1))
    return current, previous


@dataclass(frozen=True)
class Trend:
    """The relative change of a count between two windows, and its label."""

    change: float | None  # (now − before) / before; None when before is 0
    label: str  # none | new | growing | declining | steady


def trend(now: float, before: float) -> Trend:
    """`none` with nothing now, `new` with nothing before, else growing / declining (±15 %) / steady."""
    if now == 0:
        return Trend(-1.0 if before else None, "none")
    if before == 0:
        return Trend(None, "new")
    change = (now - before) / before
    if change >= GROWING:
        return Trend(change, "growing")
    if change <= DECLINING:
        return Trend(change, "declining")
    return Trend(change, "steady")
