"""Headline metric cards: a label, the figure with its trend, and a sparkline of the daily series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Sparkline


def day_span(first: date, last: date) -> Text:
    """The dates a daily sparkline covers, e.g. '10-22→11-20'."""
    return Text(f"{first:%m-%d}→{last:%m-%d}", style="dim")


def show_daily(spark: Sparkline, values: Sequence[float]) -> None:
    """One cell per day while the days fit: a 7-day series is 7 cells, not a step stretched over the width.

    Longer series than the width are squeezed by Sparkline itself (the busiest day of each bucket).
    """
    spark.data = list(values)
    spark.styles.max_width = len(values) + spark.styles.padding.width if values else None


class MetricCard(Vertical):
    """One headline figure. `show()` fills it; the sparkline is the figure's daily series."""

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="metric-card")
        self.title = title

    def compose(self) -> ComposeResult:
        with Horizontal(classes="metric-head"):
            yield Label(Text(self.title, style="bold"), classes="metric-title")
            yield Label(classes="metric-dates")
        yield Label("…", classes="metric-value")
        yield Sparkline([], classes="metric-spark")

    def show(self, value: Text, series: Sequence[float], first: date, last: date) -> None:
        self.query_one(".metric-value", Label).update(value)
        self.query_one(".metric-dates", Label).update(day_span(first, last))
        show_daily(self.query_one(Sparkline), series)
