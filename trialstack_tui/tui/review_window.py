"""What every screen shares: the review window and as-of date the administrator chose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..metrics.window_days import WINDOW_CHOICES


@dataclass(frozen=True)
class ReviewWindow:
    days: int = 30
    as_of: date | None = None  # None: the last day with events
    generation: int = 0  # bumped by refresh, so screens know to reload even when nothing else changed

    def next_days(self) -> ReviewWindow:
        """The next of 7 / 30 / 90 days (a non-standard window steps to the next larger choice)."""
        bigger = [d for d in WINDOW_CHOICES if d > self.days]
        return ReviewWindow(bigger[0] if bigger else WINDOW_CHOICES[0], self.as_of, self.generation)

    def at(self, as_of: date | None) -> ReviewWindow:
        return ReviewWindow(self.days, as_of, self.generation)

    def refreshed(self) -> ReviewWindow:
        return ReviewWindow(self.days, self.as_of, self.generation + 1)

    def describe(self) -> str:
        return f"{self.days} days to {self.as_of.isoformat() if self.as_of else 'latest'}"
