"""Spike detection (CONTRACT §2a): a day of one workflow far above what its weekly rhythm leads one to expect."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ..records import DailyCounts
from .evidence import WEEKS, DaySeries, mad_spread
from .windows import DaySpan

MIN_EVENTS = 20
MIN_FACTOR = 3.0
MIN_Z = 3.5
BASELINE_DAYS = 7 * WEEKS
"""A day is judged against the same weekday of the 4 weeks before it, so rows must reach 28 days back."""


@dataclass(frozen=True)
class Spike:
    day: date
    org_id: str
    workflow_id: str
    events: int
    expected: float  # median of the same weekday in the 4 weeks before
    spread: float  # max(1.4826 × MAD of those weekdays, sqrt(expected), 1)
    z: float  # (events − expected) / spread
    factor: float  # events / max(expected, 1)
    ai_share: float
    queue_share: float

    @property
    def baseline(self) -> float:
        """The contract's older name for `expected`."""
        return self.expected

    def describe(self, workflow_name: str) -> str:
        """One line naming the day, the count, what was expected and by how much it differs."""
        kind = "AI" if self.ai_share >= 0.5 else "queue" if self.queue_share >= 0.5 else "mixed"
        return (
            f"{self.day:%a} {self.day.isoformat()}: {self.events:,} events in {workflow_name}, expected "
            f"{self.expected:,.0f} from the same weekday before ({self.factor:,.1f}×, z {self.z:,.1f}; {kind} load)"
        )


def workflow_series(rows: Iterable[DailyCounts], start: date, end: date, first_data_day: date) -> dict[str, DaySeries]:
    """Each workflow's events per day start..end, zeros where it had none (workflow ids are the store's keys)."""
    length = (end - start).days + 1
    offsets = {start + timedelta(days=i): i for i in range(length)}  # a lookup, not a date subtraction per row
    values: defaultdict[str, list[int]] = defaultdict(lambda: [0] * length)
    for row in rows:
        offset = offsets.get(row.day)
        if offset is not None:
            values[row.workflow_id][offset] += row.events
    first = (first_data_day - start).days
    return {key: DaySeries(start, v, first) for key, v in values.items()}


def find_spikes(rows: Iterable[DailyCounts], window: DaySpan, first_data_day: date) -> list[Spike]:
    """Spikes on days of `window`, each judged against the same weekday of the 4 weeks before it.

    A spike has ≥ 20 events, ≥ 3 × max(expected, 1) and `(events − expected) / spread ≥ 3.5`; a day with
    fewer than 2 same weekdays stored is not judged. `rows` must cover the window and the 28 days before it.
    """
    rows = list(rows)
    start = window.start - timedelta(days=BASELINE_DAYS)
    series = workflow_series(rows, start, window.end, first_data_day)
    low, high = BASELINE_DAYS, (window.end - start).days
    found: dict[tuple[str, date], tuple[float, float, float]] = {}  # (workflow, day) → expected, spread, z
    for workflow_id, days in series.items():
        for index, events, expected, history in days.busy_days(low, high, MIN_EVENTS, MIN_FACTOR):
            spread = mad_spread(history, expected)
            if (z := (events - expected) / spread) >= MIN_Z:
                found[workflow_id, days.day(index)] = expected, spread, z
    if not found:
        return []
    days_found = {day for _, day in found}
    spikes = [
        _spike(row, *found[key]) for row in rows
        if row.day in days_found and (key := (row.workflow_id, row.day)) in found
    ]
    spikes.sort(key=lambda s: (s.day, -s.z, s.workflow_id))
    return spikes


def _spike(row: DailyCounts, expected: float, spread: float, z: float) -> Spike:
    return Spike(
        day=row.day,
        org_id=row.org_id,
        workflow_id=row.workflow_id,
        events=row.events,
        expected=expected,
        spread=spread,
        z=z,
        factor=row.events / max(expected, 1.0),
        ai_share=row.ai / row.events,
        queue_share=row.queue / row.events,
    )
