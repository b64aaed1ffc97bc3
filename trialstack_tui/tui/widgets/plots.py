"""The plotext plot inside a DailyChart, drawn through textual-plotext's own `.plt` (no global plotext state).
A module of its own: plotext loads with the first chart a screen shows, not before the first frame."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import accumulate

from plotext._utility import colors_to_ansi
from rich.ansi import AnsiDecoder
from rich.style import Style
from rich.text import Span, Text
from textual_plotext import PlotextPlot

from .charts import OVERLAY_COLOR, OVERLAY_GLYPH, Marker, series_style


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
            self._drawn = (key, self._build())
        return self._drawn[1]

    def _build(self) -> Text:
        """What `PlotextPlot.render` gives (`Text.from_ansi` of plotext's canvas), read from plotext's matrix of
        cells instead: plotext writes every run of cells' escape codes into the canvas and rich parses them back,
        a tenth of a chart's drawing (`_canvas_text`). The same set-up first (plotext is pinned to 5.3.2)."""
        plot = self.plt
        width, height = self.size
        plot.plotsize(width, height)
        plot._set_size(width, height)  # as PlotextPlot.render does (textual-plotext issue 5)
        plot.theme(self._get_plotext_theme_name(self.app.theme))
        plot._set_sizes()
        plot._build_matrix()
        return _canvas_text(plot.monitor.matrix)


class DailyPlot(_DrawnPlot):
    """The plot inside a DailyChart; the chart's legend line sits above it."""

    def __init__(self) -> None:
        super().__init__(classes="daily-plot")
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
        styles = [series_style(n, i, stacked=self.stacked) for i, n in enumerate(names)]
        if self.stacked and names:
            plt.stacked_bar(xs, [self.series[n] for n in names], color=[c for c, _ in styles],
                            marker=[g for _, g in styles], width=0.8)
            top = max((sum(v) for v in zip(*self.series.values(), strict=True)), default=0)
        else:
            for name, (color, glyph) in zip(names, styles, strict=True):
                plt.plot(xs, self.series[name], color=color, marker=glyph)
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


_RUN_STYLES: dict[tuple[object, object, object], Style | None] = {}


def _run_style(colors: tuple[object, object, object]) -> Style | None:
    """The style rich decodes from the escape codes plotext writes before a run of cells of these colours
    (foreground, style, background): a run's span in `Text.from_ansi` of the canvas (None: no span)."""
    if colors not in _RUN_STYLES:
        decoded = AnsiDecoder().decode_line(colors_to_ansi(*colors) + "x")
        _RUN_STYLES[colors] = decoded.spans[0].style if decoded.spans else None
    return _RUN_STYLES[colors]


def _canvas_text(matrix) -> Text:
    """`Text.from_ansi(matrix.set_canvas())` for a built plotext matrix, without writing and parsing the escape
    codes: each row top first, one span a run of cells of the same colours (the canvas writes each run's codes
    and ends it with a reset), every row ending in a newline."""
    plain: list[str] = []
    spans: list[Span] = []
    offset = 0
    for row in reversed(matrix.Rows):
        markers = matrix.marker[row]
        colors = list(zip(matrix.fullground[row], matrix.style[row], matrix.background[row], strict=True))
        ends = list(accumulate(map(len, markers)))  # where each cell's marker ends in the row's text
        start = 0
        for col in range(1, len(markers) + 1):
            if col == len(markers) or colors[col] != colors[start]:
                style = _run_style(colors[start])
                if style is not None:
                    spans.append(Span(offset + (ends[start - 1] if start else 0), offset + ends[col - 1], style))
                start = col
        line = "".join(markers)
        plain.append(line + "\n")
        offset += len(line) + 1
    return Text("".join(plain), end="\n", tab_size=8, spans=spans)
