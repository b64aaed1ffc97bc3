"""Evidence (CONTRACT §2a): the weekly rhythm, data gaps and chance that every flag and verdict is read against.

A day's count is compared with the same weekday of the weeks before it (a Monday batch is its own rhythm), a
run of empty days where many events were expected is a gap in the data (not a decline), and a change between
two counts is only called a change when it is larger than the Poisson noise of those counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import log, sqrt
from statistics import median

WEEKS = 4
MIN_SAME_WEEKDAYS = 2
GAP_MIN_EXPECTED = 10.0
"""A run of empty days whose expected counts add up to 10 happens by chance with probability e⁻¹⁰ < 1/20,000."""
CHANCE_SIGMAS = 2.0
"""A trend is beyond chance when its log ratio exceeds twice the Poisson noise of the two counts."""
Z_CRITICAL = 1.96
MAD_SCALE = 1.4826  # makes the MAD comparable to a standard deviation for normal data


@dataclass(frozen=True)
class DaySeries:
    """Events per day of one series (an org, a workflow), `values[i]` on `start + i` days.

    Index `first` is the first day inside the stored data (it may be 0 or negative when the series starts there
    or later): days before it are unknown, not empty, and never serve as a baseline.
    """

    start: date
    values: Sequence[int]
    first: int = 0

    def index(self, day: date) -> int:
        return (day - self.start).days

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def same_weekdays(self, index: int) -> list[int]:
        """The counts of the same weekday in the 4 weeks before day `index`, those inside the stored data."""
        return _same_weekdays(self.values, index, max(self.first, 0))

    def expected(self, index: int) -> float | None:
        """The median of the same weekday in the 4 weeks before; None with fewer than 2 of them stored."""
        return _median(self.same_weekdays(index))

    def baseline(self, index: int) -> tuple[float | None, list[int]]:
        """(expected count, the same weekdays it comes from) for day `index`."""
        history = self.same_weekdays(index)
        return _median(history), history

    def busy_days(self, low: int, high: int, at_least: int, factor: float) -> list[tuple[int, int, float, list[int]]]:
        """(index, count, expected, same weekdays) of each day low..high (all ≥ 28) with at least `at_least`
        events and at least `factor` × its expected count, in order: `baseline` for the days that can be
        spikes. A summary at 10M events has ~12,750 workflow-days to judge, and finds a handful.

        A day reaches `factor` × the median of its same weekdays only if it reaches `factor` × the least of
        them, and so `factor` × the least count of its weekday in the 4 weeks before the first day judged up to
        the week before the last: one weekday's days are passed over together when the most of them falls short
        of that (or of `at_least`), two slices, a max and a min, in C. At 10M events 132 of a summary's 2,975
        workflow-weekdays are left to judge day by day (the busy days 3.7 → 2.4 ms)."""
        values, first = self.values, max(self.first, 0)
        low, high = max(low, 7 * WEEKS), min(high, len(values) - 1)
        found = []
        for weekday in range(low, min(low + 7, high + 1)):
            most = max(values[weekday:high + 1:7])
            if most < at_least or most < factor * min(values[weekday - 7 * WEEKS:high + 1 - 7:7]):
                continue
            for index in range(weekday, high + 1, 7):
                count = values[index]
                if count < at_least:
                    continue
                history = _same_weekdays(values, index, first)
                expected = _median(history)
                if expected is not None and count >= factor * max(expected, 1.0):
                    found.append((index, count, expected, history))
        found.sort()
        return found


def _same_weekdays(values: Sequence[int], index: int, first: int) -> list[int]:
    return [values[j] for j in range(index - 7, index - 7 * WEEKS - 1, -7) if j >= first]


def _median(history: list[int]) -> float | None:
    """`statistics.median` of the same weekdays (None with fewer than 2), without its overhead per call."""
    if len(history) < MIN_SAME_WEEKDAYS:
        return None
    ordered = sorted(history)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Gap:
    """Consecutive days without events where the weekly rhythm expected some: data missing, not a quiet spell."""

    org_id: str
    first: date
    last: date
    expected_missing: float

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def describe(self) -> str:
        span = self.first.isoformat() if self.days == 1 else f"{self.first.isoformat()}..{self.last.isoformat()}"
        return (
            f"no events on {span} ({self.days} day{'s' * (self.days != 1)}) where ~{self.expected_missing:,.0f} "
            f"were expected from the same weekdays before; left out of the rates"
        )


def find_gaps(org_id: str, series: DaySeries, start: date, end: date) -> list[Gap]:
    """Maximal runs of empty days in start..end whose expected counts add up to ≥ 10.

    A run must be followed by a day with events: an org whose events stop and never resume has stopped (its
    decline is real and stays in its rates), while a run with events after it is the export losing days.
    """
    values = series.values
    lo = max(series.index(start), series.first, 0)
    hi = min(series.index(end), len(values) - 1)
    last_active = next((k for k in range(len(values) - 1, -1, -1) if values[k]), -1)
    gaps: list[Gap] = []
    i = lo
    while i <= hi:
        if values[i]:
            i += 1
            continue
        j = i
        while j + 1 <= hi and not values[j + 1]:
            j += 1
        resumed = j < last_active
        expected = sum(e for k in range(i, j + 1) if (e := series.expected(k)) is not None)
        if resumed and expected >= GAP_MIN_EXPECTED:
            gaps.append(Gap(org_id, series.day(i), series.day(j), expected))
        i = j + 1
    return gaps


def gap_days(gaps: Sequence[Gap]) -> set[date]:
    """Every day inside the gaps."""
    return {g.first + timedelta(days=i) for g in gaps for i in range(g.days)}


def trend_noise(events: int, events_prev: int) -> float | None:
    """`2 × sqrt(1/events + 1/events_prev)`: how far the log ratio of two Poisson counts moves by chance."""
    if events <= 0 or events_prev <= 0:
        return None
    return CHANCE_SIGMAS * sqrt(1 / events + 1 / events_prev)


def beyond_chance(rate: float, rate_prev: float, events: int, events_prev: int) -> bool:
    """Whether `|ln(rate / rate_prev)|` reaches the noise of the two counts (always true with a zero count)."""
    noise = trend_noise(events, events_prev)
    if noise is None or rate <= 0 or rate_prev <= 0:
        return True
    return abs(log(rate / rate_prev)) >= noise


def two_proportion_z(hits_a: int, n_a: int, hits_b: int, n_b: int) -> float | None:
    """Pooled two-proportion z of b's rate against a's (positive when b is higher); None when undefined."""
    if n_a <= 0 or n_b <= 0:
        return None
    pooled = (hits_a + hits_b) / (n_a + n_b)
    var = pooled * (1 - pooled) * (1 / n_a + 1 / n_b)
    if var <= 0:
        return None
    return (hits_b / n_b - hits_a / n_a) / sqrt(var)


def mad_spread(history: Sequence[int], expected: float) -> float:
    """`max(1.4826 × MAD, sqrt(expected), 1)`: the usual day-to-day spread of a count around its expected value."""
    mad = median(abs(v - expected) for v in history)
    return max(MAD_SCALE * mad, sqrt(max(expected, 0.0)), 1.0)


def chance_words(z: float | None) -> str:
    """A short plain-language reading of a z score for a person who is not a statistician."""
    if z is None:
        return "too few events to judge"
    if abs(z) >= 3.5:
        return "far beyond chance"
    if abs(z) >= Z_CRITICAL:
        return "beyond chance"
    return "within chance"
