"""Charts drawn with plotext through textual-plotext's own `.plt` (no global plotext state)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label
from textual_plotext import PlotextPlot

from ...metrics.evidence import Gap
from ...safe_text import visible

KIND_COLORS = {"manual": "blue", "ai": "magenta", "queue": "orange"}
SERIES_COLORS = ["cyan", "orange", "green", "magenta"]
RICH_COLORS = {"orange": "dark_orange", "gray": "grey50"}
OVERLAY_COLOR, OVERLAY_GLYPH = "white", "◆"  # a line of its own glyph over the bars: readable without colour
MARKER_LEGEND = (("red", "change"), ("yellow", "spike"), ("gray", "data gap"), ("green", "crossing"))
CHART_FRAME_ROWS = 4  # title, top and bottom frame, tick labels  # plotext colour names that Rich spells differently


@dataclass(frozen=True)
class Marker:
    """A vertical line on the time axis (a change or a spike) with a short label."""

    day: date
    label: str
    color: str = "red"


def gap_markers(gaps: Iterable[Gap]) -> list[Marker]:
    """Every day of every data gap as a grey line: the days the export is missing, drawn as such."""
    return [Marker(g.first + timedelta(days=i), "data gap", "gray") for g in gaps for i in range(g.days)]


def _tick_labels(days: Sequence[date], slots: int) -> tuple[list[int], list[str]]:
    """A few evenly spaced day ticks that fit the width."""
    if not days:
        return [], []
    step = max(1, len(days) // max(1, slots))
    ticks = list(range(0, len(days), step))
    return ticks, [days[i].strftime("%m-%d") for i in ticks]


class _DrawnPlot(PlotextPlot):
    """A plot drawn at render time, when the final size is known, so output depends only on data and size.

    Drawing (plotext's build and the ANSI parse after it) is the costly part of a chart, so the drawn text is
    kept until the data, the size or the theme changes; a plot with no data draws nothing.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._drawn: tuple[object, Text] | None = None  # (data version, size, theme) and what it drew

    def has_data(self) -> bool:
        raise NotImplementedError

    def draw(self) -> None:
        """Put the data on `self.plt` (cleared before)."""
        raise NotImplementedError

    def data_changed(self) -> None:
        self._drawn = None
        self.refresh()

    def render(self):
        if not self.has_data():
            return Text()
        key = (self.size, self.app.theme)
        if self._drawn is None or self._drawn[0] != key:
            self.plt.clear_data()
            self.plt.clear_figure()
            self.draw()
            self._drawn = (key, super().render())
        return self._drawn[1]


class _DailyPlot(_DrawnPlot):
    """The plot inside a DailyChart; the chart's legend line sits above it."""

    def __init__(self) -> None:
        super().__init__()
        self.days: list[date] = []
        self.series: dict[str, list[float]] = {}
        self.markers: list[Marker] = []
        self.overlay: dict[str, list[float | None]] = {}
        self.stacked = True

    def has_data(self) -> bool:
        return bool(self.days)

    def draw(self) -> None:
        plt = self.plt
        xs = list(range(len(self.days)))
        names = list(self.series)
        colors = [KIND_COLORS.get(n, SERIES_COLORS[i % len(SERIES_COLORS)]) for i, n in enumerate(names)]
        if self.stacked and names:
            plt.stacked_bar(xs, [self.series[n] for n in names], color=colors, width=0.8)
            top = max((sum(v) for v in zip(*self.series.values(), strict=True)), default=0)
        else:
            for name, color in zip(names, colors, strict=True):
                plt.plot(xs, self.series[name], color=color)
            top = max((max(v, default=0) for v in self.series.values()), default=0)
        for name, values in self.overlay.items():
            points = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
            if points:
                plt.plot([x for x, _ in points], [v for _, v in points], color=OVERLAY_COLOR, marker=OVERLAY_GLYPH)
                top = max(top, *(v for _, v in points))
        for marker in self.markers:
            plt.vertical_line(self.days.index(marker.day), color=marker.color)
        ticks, labels = _tick_labels(self.days, max(2, self.size.width // 12))
        plt.xticks(ticks, labels)
        if top > 0:
            y_ticks = _nice_ticks(top)
            plt.yticks(y_ticks, [f"{t:,.0f}" for t in y_ticks])


def _nice_ticks(top: float) -> list[float]:
    """0, the middle and the top of the axis, rounded to whole numbers."""
    return sorted({0.0, float(round(top / 2)), float(round(top))})


class DailyChart(Vertical, can_focus=True):
    """Daily series over the window: stacked bars (kinds) or lines, with change and spike markers.

    A legend line names the series in their colours (plotext's own legend would cover the bars). Focusable
    so Tab / Shift+Tab bring it back into view on a scrolled screen.
    """

    def compose(self) -> ComposeResult:
        yield Label(classes="chart-legend")
        yield _DailyPlot()

    def show(
        self,
        title: str,
        days: Sequence[date],
        series: dict[str, Sequence[float]],
        markers: Sequence[Marker] = (),
        *,
        stacked: bool = True,
        overlay: dict[str, Sequence[float | None]] | None = None,
    ) -> None:
        """Draw the series; `overlay` series (e.g. the expected count) are lines of ◆ over the bars."""
        plot = self.query_one(_DailyPlot)
        plot.days = list(days)
        plot.series = {name: list(values) for name, values in series.items()}
        plot.overlay = {name: list(values) for name, values in (overlay or {}).items()}
        plot.markers = [m for m in markers if m.day in plot.days]
        plot.stacked = stacked
        plot.data_changed()
        legend = Text(visible(title) + "  ", style="bold")
        for i, name in enumerate(series):
            color = KIND_COLORS.get(name, SERIES_COLORS[i % len(SERIES_COLORS)])
            legend.append("■ ", style=RICH_COLORS.get(color, color))
            legend.append(f"{visible(name)}  ")
        for name in plot.overlay:
            legend.append(f"{OVERLAY_GLYPH} ", style="bold")
            legend.append(f"{visible(name)}  ")
        kinds = {m.color for m in plot.markers}
        for color, label in MARKER_LEGEND:
            if color in kinds:
                legend.append("│ ", style=RICH_COLORS.get(color, color))
                legend.append(f"{label}  ")
        self.query_one(".chart-legend", Label).update(legend)


class BarChart(_DrawnPlot):
    """Horizontal bars, one per label, first label at the top; an optional limit line (e.g. 100 %)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._labels: list[str] = []
        self._values: list[float] = []
        self._title = ""
        self._limit: float | None = None

    def show(self, title: str, labels: Sequence[str], values: Sequence[float], limit: float | None = None) -> None:
        self._title = title
        self._labels = [visible(label) for label in labels]
        self._values = list(values)
        self._limit = limit
        self.data_changed()

    def has_data(self) -> bool:
        return bool(self._title or self._labels)

    def draw(self) -> None:
        plt = self.plt
        plt.title(visible(self._title))
        # One row per bar: with more bars than rows plotext drops labels, and not always the same ones.
        rows = max(1, self.size.height - CHART_FRAME_ROWS)
        if self._labels:
            width = max(8, self.size.width // 3)
            labels = [label if len(label) <= width else label[: width - 1] + "…" for label in self._labels[:rows]]
            values = self._values[: len(labels)]
            # plotext draws the first horizontal bar at the bottom; reverse so the list reads top-down.
            plt.bar(labels[::-1], values[::-1], orientation="horizontal", width=0.6, color="cyan")
            top = max([*values, self._limit or 0])
            if top > 0:
                ticks = _nice_ticks(top)
                plt.xticks(ticks, [f"{t:,.0f}" for t in ticks])
            if self._limit is not None:
                plt.vertical_line(self._limit, color="red")
