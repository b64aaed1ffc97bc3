"""Charts: daily series drawn with plotext (`plots.py`, imported with the first chart) and text bars."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Label

from ...safe_text import visible

if TYPE_CHECKING:
    from ...metrics.evidence import Gap

KIND_COLORS = {"manual": "blue", "ai": "magenta", "queue": "orange"}
SERIES_COLORS = ["cyan", "orange", "green", "magenta"]
# Series differ by glyph as well as colour, so they read in 16 colours, in NO_COLOR and in grey-scale themes
# (AI in grey 237 on 234 was invisible): shades for stacked kinds, marks for lines.
KIND_GLYPHS = {"manual": "█", "ai": "▒", "queue": "░"}
BAR_GLYPHS = ["█", "▒", "░", "▓"]
LINE_GLYPHS = ["•", "x", "+", "o"]


def series_style(name: str, index: int, *, stacked: bool) -> tuple[str, str]:
    """(plotext colour, glyph) of a chart series: by kind when it is one, else by position."""
    color = KIND_COLORS.get(name, SERIES_COLORS[index % len(SERIES_COLORS)])
    if stacked:
        return color, KIND_GLYPHS.get(name, BAR_GLYPHS[index % len(BAR_GLYPHS)])
    return color, LINE_GLYPHS[index % len(LINE_GLYPHS)]


RICH_COLORS = {"orange": "dark_orange", "gray": "grey50"}  # plotext colour names that Rich spells differently
OVERLAY_COLOR, OVERLAY_GLYPH = "white", "◆"  # a line of its own glyph over the bars: readable without colour
MARKER_LEGEND = (("red", "change"), ("yellow", "spike"), ("gray", "data gap"), ("green", "crossing"))


@dataclass(frozen=True)
class Marker:
    """A vertical line on the time axis (a change or a spike) with a short label."""

    day: date
    label: str
    color: str = "red"


def gap_markers(gaps: Iterable[Gap]) -> list[Marker]:
    """Every day of every data gap as a grey line: the days the export is missing, drawn as such."""
    return [Marker(g.first + timedelta(days=i), "data gap", "gray") for g in gaps for i in range(g.days)]


class DailyChart(Vertical, can_focus=True):
    """Daily series over the window: stacked bars (kinds) or lines, with change and spike markers.

    A legend line names the series in their colours (plotext's own legend would cover the bars). Focusable
    so Tab / Shift+Tab bring it back into view on a scrolled screen.
    """

    def compose(self) -> ComposeResult:
        from .plots import DailyPlot  # plotext loads with the first chart, not with the first frame

        yield Label(classes="chart-legend")
        yield DailyPlot()

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
        from .plots import DailyPlot  # loaded by compose already

        plot = self.query_one(DailyPlot)
        plot.days = list(days)
        plot.series = {name: list(values) for name, values in series.items()}
        plot.overlay = {name: list(values) for name, values in (overlay or {}).items()}
        plot.markers = [m for m in markers if m.day in plot.days]
        plot.stacked = stacked
        plot.data_changed()
        legend = Text(visible(title) + "  ", style="bold")
        for i, name in enumerate(series):
            color, glyph = series_style(name, i, stacked=stacked)
            legend.append(f"{glyph} ", style=RICH_COLORS.get(color, color))
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


_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar_lines(
    labels: Sequence[str], values: Sequence[float], *, width: int, rows: int, limit: float | None = None, unit: str = ""
) -> list[Text]:
    """One text line per bar, biggest scale first: `label  ████▌  145%`, at most `rows` lines.

    Each bar is as long as its value (to an eighth of a cell, never longer), so bars cannot overlap or
    stretch as plotext's did when rows ran short; with more bars than rows the last line says how many are
    left out. The part of a bar past `limit` is drawn in another glyph (▓), so it reads without colour.
    """
    if not labels or rows < 1:
        return []
    shown = len(labels) if len(labels) <= rows else max(0, rows - 1)
    figures = [f"{v:,.0f}{unit}" for v in values]
    figure_w = max(len(f) for f in figures)
    label_w = min(max(len(label) for label in labels), max(6, width // 2 - figure_w))
    bar_w = max(1, width - label_w - figure_w - 2)
    top = max([*values, limit or 0]) or 1
    limit_at = None if limit is None else int(limit / top * bar_w)
    lines = []
    for label, value, figure in zip(labels[:shown], values[:shown], figures, strict=False):
        eighths = int(max(0.0, value) / top * bar_w * 8)  # floor: a bar never runs past its value
        full, part = divmod(eighths, 8)
        line = Text(no_wrap=True, overflow="crop")
        line.append(label[:label_w] if len(label) <= label_w else label[: label_w - 1] + "…")
        line.append(" " * (label_w - min(len(label), label_w) + 1))
        inside = full if limit_at is None else min(full, limit_at)
        line.append("█" * inside, style="cyan")
        line.append("▓" * (full - inside), style="bold red")
        used = full + (1 if part else 0)
        if part:
            line.append(_EIGHTHS[part], style="bold red" if limit_at is not None and full >= limit_at else "cyan")
        if limit_at is not None and used <= limit_at <= bar_w:
            line.append(" " * (limit_at - used))
            line.append("│", style="red")
            used = limit_at + 1
        line.append(" " * (bar_w - used + 1))
        line.append(figure.rjust(figure_w))
        lines.append(line)
    if shown < len(labels):
        lines.append(Text(f"… {len(labels) - shown} more, in the table", style="dim", no_wrap=True))
    return lines


class BarChart(Widget, can_focus=True):
    """Horizontal text bars, one per label, first label at the top; an optional limit line (e.g. 100 %).

    Drawn as text rather than with plotext, which overlapped bars and drew unequal values equally long when
    there were more bars than rows. Focusable, so Tab brings it into view on a scrolled screen.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._labels: list[str] = []
        self._values: list[float] = []
        self._title = ""
        self._limit: float | None = None
        self._unit = ""

    def show(
        self, title: str, labels: Sequence[str], values: Sequence[float], limit: float | None = None, unit: str = ""
    ) -> None:
        self._title = title
        self._labels = [visible(label) for label in labels]
        self._values = list(values)
        self._limit = limit
        self._unit = unit
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + len(self._labels) if self._title else 0

    def render(self) -> Text:
        if not self._title:
            return Text()
        width = self.content_region.width or self.size.width
        title = visible(self._title)
        lines = [Text(title if len(title) <= width else title[: width - 1] + "…", style="bold")]  # one line
        lines += bar_lines(self._labels, self._values, width=width, rows=self.size.height - 1, limit=self._limit,
                           unit=self._unit)
        return Text("\n").join(lines)
