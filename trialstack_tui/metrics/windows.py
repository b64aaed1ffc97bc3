"""Review windows and the trend between two of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .evidence import beyond_chance, trend_noise

GROWING = 0.15
DECLINING = -0.15


@dataclass(frozen=True)
class DaySpan:
    """Days start..end, both inclusive: a review window, the one before it, a comparison's before or after.

    (The TUI's `ReviewWindow` is the administrator's choice of days and as-of date; its dates are a DaySpan.)"""

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

    def clip(self, first: date, last: date) -> DaySpan:
        """The part of this window inside first..last (possibly empty: days == 0)."""
        return DaySpan(max(self.start, first), min(self.end, last))


def review_windows(as_of: date, days: int) -> tuple[DaySpan, DaySpan]:
    """The `days` days ending on as_of, and the `days` days before them."""
    current = DaySpan(as_of - timedelta(days=days - 1), as_of)
    previous = DaySpan(current.start - timedelta(days=days), current.start - timedelta(days=1))
    return current, previous


@dataclass(frozen=True)
class Trend:
    """The relative change of a count between two windows, and its label."""

    change: float | None  # (now − before) / before; None when before is 0
    label: str  # none | new | growing | declining | steady
    noise: float | None = None  # for event counts: the 2 × sqrt(1/n + 1/n_prev) of §2a
    within_chance: bool = False  # a change of ±15 % or more that the counts' noise can explain (labelled steady)

    def evidence(self) -> str:
        """The change with the chance it is read against, e.g. "−23 %, beyond chance ±8 %"."""
        if self.change is None:
            return self.label
        text = f"{self.change:+.0%}".replace("-", "−")
        if self.noise is None:
            return text
        verdict = "within chance" if self.within_chance or self.label == "steady" else "beyond chance"
        return f"{text}, {verdict} ±{self.noise:.0%}"


def trend(now: float, before: float) -> Trend:
    """`none` with nothing now, `new` with nothing before, else growing / declining (±15 %) / steady."""
    if now == 0:
        return Trend(-1.0 if before else None, "none")
    if before == 0:
        return Trend(None, "new")
    return _labelled((now - before) / before)


def event_trend(events: int, events_prev: int, covered_days: int, covered_days_prev: int) -> Trend:
    """The trend of events per covered day (§2a): growing or declining only when beyond chance.

    Rates per covered day keep a gap in the data from reading as a decline; a change of any size that the
    Poisson noise of the two counts can explain is `steady`, with `within_chance` set when it looked large.
    """
    if events == 0:
        return Trend(-1.0 if events_prev else None, "none")
    if events_prev == 0 or covered_days_prev <= 0:
        return Trend(None, "new")
    rate, rate_prev = events / max(covered_days, 1), events_prev / covered_days_prev
    labelled = _labelled(rate / rate_prev - 1)
    noise = trend_noise(events, events_prev)
    if labelled.label != "steady" and not beyond_chance(rate, rate_prev, events, events_prev):
        return Trend(labelled.change, "steady", noise, within_chance=True)
    return Trend(labelled.change, labelled.label, noise)


def _labelled(change: float) -> Trend:
    if change >= GROWING:
        return Trend(change, "growing")
    if change <= DECLINING:
        return Trend(change, "declining")
    return Trend(change, "steady")
