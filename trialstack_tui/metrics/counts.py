"""Event counts and the rates derived from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..records import DailyCounts


@dataclass(slots=True)
class Counts:
    """Summed daily rollup counts for any slice (an org, a workflow, a day, a window)."""

    events: int = 0
    manual: int = 0
    ai: int = 0
    queue: int = 0
    ok: int = 0
    error: int = 0
    accepted: int = 0
    rejected: int = 0
    credits: float = 0.0

    def add(self, row: DailyCounts | Counts) -> None:
        """Accumulate another row's counts into this one.

        Written out rather than looped over records.COUNT_FIELDS: a loop of getattr/setattr is 3× slower here,
        where a summary adds up every rollup row. tests/unit/test_store.py keeps the fields in step."""
        self.events += row.events
        self.manual += row.manual
        self.ai += row.ai
        self.queue += row.queue
        self.ok += row.ok
        self.error += row.error
        self.accepted += row.accepted
        self.rejected += row.rejected
        self.credits += row.credits

    @classmethod
    def total(cls, rows: Iterable[DailyCounts | Counts]) -> Counts:
        """The sum of many rows."""
        counts = cls()
        for row in rows:
            counts.add(row)
        return counts

    @property
    def reviewed(self) -> int:
        """AI events with a review outcome (accepted or rejected)."""
        return self.accepted + self.rejected

    @property
    def ai_share(self) -> float | None:
        """Events of kind `ai` / all events; None without events."""
        return ratio(self.ai, self.events)

    @property
    def queue_share(self) -> float | None:
        """Events of kind `queue` / all events; None without events."""
        return ratio(self.queue, self.events)

    @property
    def error_rate(self) -> float | None:
        """Events with outcome `error` / all events; None without events."""
        return ratio(self.error, self.events)

    @property
    def ai_acceptance(self) -> float | None:
        """accepted / (accepted + rejected); None when no AI event was reviewed."""
        return ratio(self.accepted, self.reviewed)



def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when whole is 0 (a rate of nothing is unknown, not zero)."""
    return part / whole if whole else None
