"""Headline metric cards: a label, the figure with its trend, and a sparkline of the daily series."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Sparkline


class MetricCard(Vertical):
    """One headline figure. `show()` fills it; the sparkline is the figure's daily series."""

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="metric-card")
        self.title = title

    def compose(self) -> ComposeResult:
        yield Label(Text(self.title, style="bold"), classes="metric-title")
        yield Label("…", classes="metric-value")
        yield Sparkline([], classes="metric-spark")

    def show(self, value: Text, series: Sequence[float]) -> None:
        self.query_one(".metric-value", Label).update(value)
        self.query_one(Sparkline).data = list(series)
