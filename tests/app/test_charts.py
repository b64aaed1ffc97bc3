"""Charts read without colour and never draw a bar longer than its value, however many bars there are."""

from __future__ import annotations

import re
from pathlib import Path

from textual_plotext import PlotextPlot

from trialstack_tui.config import resolve_store
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path
from trialstack_tui.tui.widgets.charts import BarChart, DailyChart, bar_lines
from trialstack_tui.tui.widgets.plots import DailyPlot

from .conftest import current, press, settle, write_org_set

BAR = re.compile(r"^(?P<label>.+?) +(?P<bar>[█▓▏▎▍▌▋▊▉]*) *│? *(?P<figure>[\d,]+)(?P<unit>%?)$")
EIGHTHS = {"▏": 1, "▎": 2, "▍": 3, "▌": 4, "▋": 5, "▊": 6, "▉": 7}


def _cells(bar: str) -> float:
    return sum(1 if ch in "█▓" else EIGHTHS[ch] / 8 for ch in bar)


def _check_bars(lines: list[str], unit: str = "%") -> list[tuple[str, float, int]]:
    """Each drawn bar's (label, length in cells, value); asserts every bar is as long as its value, to an
    eighth of a cell and never longer, on the scale of the longest value's bar (the full width)."""
    bars = []
    for line in lines:
        match = BAR.match(line.rstrip())
        assert match and match["unit"] == unit, f"not a bar line: {line!r}"
        bars.append((match["label"].strip(), _cells(match["bar"]), int(match["figure"].replace(",", ""))))
    top = max(value for _, _, value in bars)
    bar_width = next(cells for _, cells, value in bars if value == top)
    for label, cells, value in bars:
        assert cells <= value / top * bar_width + 1e-9, f"{label}: {cells} cells for {value}"
        assert cells >= value / top * bar_width - 1 / 8 - 1e-9, f"{label}: {cells} cells for {value}"
    return bars


def test_bar_lines_with_more_bars_than_rows_keep_every_bar_to_its_value() -> None:
    values = [145, 81, 72, 71, 68, 65, 64, 63, 63, 60, 58, 40, 12, 3, 0]
    labels = [f"Org {i}" for i in range(len(values))]
    lines = [t.plain for t in bar_lines(labels, values, width=60, rows=6, limit=100, unit="%")]
    assert len(lines) == 6 and lines[-1] == "… 10 more, in the table"
    bars = _check_bars(lines[:-1])
    assert [label for label, _, _ in bars] == labels[:5]
    assert bars[0][1] > bars[1][1]  # 145 % is drawn longer than 81 %, never the same
    assert all(len(line) <= 60 for line in lines)
    assert "▓" in lines[0] and "▓" not in lines[1]  # past the limit reads without colour
    assert all("│" in line for line in lines[1:5])  # the 100 % line on bars short of it


def _many_areas_store(tmp_path: Path, count: int) -> Path:
    """`count` orgs, each with one workflow in an area of its own and a different number of events."""
    folder = tmp_path / "many" / "data"
    names = {f"org-{i:02d}": f"Org {i:02d}" for i in range(count)}
    write_org_set(folder, names, events_per_org=1)
    (folder / "workflows.csv").write_text(
        "workflow_id,workspace_id,name,area,owner,ai_assisted,queue_backed\n"
        + "".join(f"f-{k},w-{k},Intake,Area {i:02d},Dana,true,false\n" for i, k in enumerate(names))
    )
    (folder / "events.csv").write_text(
        "event_id,ts,workflow_id,user_id,kind,outcome,credits\n"
        + "".join(
            f"e-{k}-{j},2026-11-{1 + j % 20:02d}T09:00:00,f-{k},u-{k},ai,accepted,1\n"
            for i, k in enumerate(names) for j in range(5 * (count - i))
        )
    )
    db = folder.parent / "store.db"
    with Store(resolve_store(str(db))) as store:
        import_path(store, folder)
    return db


async def test_a_bar_chart_with_more_bars_than_rows_draws_no_bar_longer_than_its_value(make_app, tmp_path) -> None:
    # The summary's area chart at 120×40 has a fixed height: 30 areas are more than its rows.
    app = make_app(db=_many_areas_store(tmp_path, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chart = current(pilot).query_one("#areas", BarChart)
        rendered = chart.render().plain.splitlines()
        assert 1 < chart.size.height < 30  # fewer rows than areas
        assert len(rendered) <= chart.size.height
        assert rendered[-1].startswith("… ") and rendered[-1].endswith(" more, in the table")
        bars = _check_bars(rendered[1:-1], unit="")
        values = [value for _, _, value in bars]
        assert values == sorted(values, reverse=True) and values[0] == 150


async def test_chart_series_differ_by_glyph_in_no_color(make_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        chart = current(pilot).query_one("#org-activity", DailyChart)
        legend = chart.query_one(".chart-legend").render().plain
        assert "█ manual" in legend and "▒ ai" in legend and "░ queue" in legend
        drawn = chart.query_one(DailyPlot).render().plain
        assert {"█", "▒", "░"} <= set(drawn)  # each series drawn in its own glyph
        await press(pilot, "c", "enter")  # the newest change: one org's, so it has a control
        chart = current(pilot).query_one("#cmp-chart", DailyChart)
        legend = chart.query_one(".chart-legend").render().plain
        assert "• scope" in legend and "x control" in legend
        drawn = chart.query_one(DailyPlot).render().plain
        assert "•" in drawn and "x" in drawn


async def test_an_orgs_chart_is_drawn_once_when_the_org_opens(make_app, monkeypatch) -> None:
    # plotext's draw is the costliest part of opening an org: it must not run again when the screen's
    # scrollbar appears after the first layout (the org screen keeps the scrollbar's columns from the start).
    draws = []
    original = DailyPlot.draw

    def counted(self) -> None:
        draws.append(self.size)
        original(self)

    monkeypatch.setattr(DailyPlot, "draw", counted)
    for size in ((80, 24), (120, 40)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            draws.clear()
            await press(pilot, "enter")
            await settle(pilot)
            chart = current(pilot).query_one("#org-activity", DailyChart)
            assert current(pilot).query_one("#org-scroll").show_vertical_scrollbar
            assert draws == [chart.query_one(DailyPlot).size], size  # one draw, at the size it is shown


def _as_textual_plotext_draws_it(plot: DailyPlot) -> None:
    """The chart's text, read from plotext's matrix of cells, is the text textual-plotext's own render gives
    (plotext's canvas of escape codes parsed back by rich): the same characters, the same styled runs."""
    plot._drawn = None
    ours = plot.render()
    plot.plt.clear_data()
    plot.plt.clear_figure()
    plot.draw()
    theirs = PlotextPlot.render(plot)
    assert ours.plain == theirs.plain and ours.plain.count("\n") == plot.size.height
    assert ours.spans == theirs.spans
    assert (ours.end, ours.tab_size, ours.style, ours.justify) == (theirs.end, theirs.tab_size, theirs.style, theirs.justify)


async def test_every_chart_is_the_text_textual_plotext_renders(make_app) -> None:
    # The org's stacked bars with gap and change markers, a workflow's with its expected counts, a comparison's
    # lines, billing's credits; at both sizes, and in a light theme too.
    for size, theme in (((120, 40), None), ((80, 24), "textual-light")):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            if theme:
                app.theme = theme
            for keys, chart_id in (("enter", "#org-activity"), ("j enter", "#wf-daily"), ("c enter", "#cmp-chart"),
                                   ("b", "#billing-chart")):
                await press(pilot, *keys.split())
                plot = current(pilot).query_one(chart_id, DailyChart).query_one(DailyPlot)
                assert plot.has_data(), chart_id
                _as_textual_plotext_draws_it(plot)
