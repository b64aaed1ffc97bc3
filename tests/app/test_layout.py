"""At 80×24 every answer is on screen: names, not ids; panels that wrap; the area chart and flag details in
reach of the keyboard; labelled sparklines; the comparison as of the chosen date."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Sparkline, Static

from trialstack_tui.tui.screens.rollout import RolloutScreen
from trialstack_tui.tui.widgets.cards import MetricCard
from trialstack_tui.tui.widgets.charts import BarChart
from trialstack_tui.tui.widgets.tables import ReviewTable

from .conftest import current, panel_text, press, screen_text, settle


async def test_tab_reaches_the_whole_area_chart_and_the_highlighted_flag_in_full(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        summary = current(pilot)
        areas = summary.query_one("#areas", BarChart)
        await press(pilot, "tab")
        assert app.focused is areas
        assert areas.region.height == 1 + len(summary.model.areas)  # the title and every area
        assert summary.screen.region.contains_region(areas.region)  # scrolled fully into view
        biggest = summary.model.areas[0].area
        assert biggest in screen_text(app)
        await press(pilot, "tab", "j", "j", "j", "j", "j")
        flags = summary.query_one("#flags", ReviewTable)
        assert app.focused is flags
        flag = summary.model.flags[int(flags.selected_key)]
        detail = summary.query_one(".flag-detail")
        shown = " ".join(panel_text(detail).split())
        assert " ".join(flag.detail.split()) in shown  # the whole detail, wrapped, not cut
        assert summary.screen.region.contains_region(detail.region)



async def test_the_flag_detail_follows_the_cursor_growing_and_shrinking_with_each_detail(make_app) -> None:
    # The panel is laid out again only when its height changes (a held key repaints the panel alone): every
    # flag's whole detail must still show, in a panel exactly as tall as it.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        summary = current(pilot)
        await press(pilot, "tab", "tab")
        flags = summary.query_one("#flags", ReviewTable)
        assert app.focused is flags
        detail = summary.query_one(".flag-detail")
        heights = set()
        for _ in range(min(8, len(summary.model.flags))):
            flag = summary.model.flags[int(flags.selected_key)]
            lines = detail.render_lines(detail.region.reset_offset)  # what the panel paints now
            painted = " ".join(" ".join(strip.text for strip in lines).split())
            assert " ".join(flag.detail.split()) in painted
            assert painted.endswith(" ".join(flag.detail.split()).split()[-1])  # nothing after it: no stale line
            heights.add(detail.region.height)
            await press(pilot, "j")
        assert len(heights) > 1  # the sample's details differ in length: the panel did grow and shrink


async def test_a_flag_detail_wraps_again_when_the_terminal_is_resized(make_app) -> None:
    # The panel paints the lines it measured at its width; at any other width it lays the detail out afresh.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        summary = current(pilot)
        await press(pilot, "tab", "tab", "j")
        flag = summary.model.flags[int(summary.query_one("#flags", ReviewTable).selected_key)]
        detail = summary.query_one(".flag-detail")
        painted = {}
        for width in (80, 160):
            await pilot.resize_terminal(width, 40)
            await pilot.pause()
            lines = [strip.text.rstrip() for strip in detail.render_lines(detail.region.reset_offset)]
            assert " ".join(flag.detail.split()) in " ".join(" ".join(lines).split())
            assert max(len(line) for line in lines) <= detail.region.width
            painted[width] = [line for line in lines if any(c.isalpha() for c in line)]  # not the panel's rule
        assert max(map(len, painted[160])) > 80  # wrapped again at the wider width, not the 80-column lines


async def test_the_org_panel_wraps_instead_of_cutting(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        text = screen_text(app)
        assert "…" not in "".join(line[37:] for line in text.splitlines()[2:16])  # the side panel's column
        areas = current(pilot).model.summary.areas[:2]
        wrapped = " ".join(panel_text(current(pilot).query_one("#org-adoption", Static)).split())
        assert " · ".join(f"{a.area} {a.share:.0%}" for a in areas) in wrapped  # whole, over two lines


async def test_sparklines_are_one_cell_per_day_with_their_dates_and_longer_when_wider(make_app) -> None:
    widths = {}
    for size in ((80, 24), (120, 40)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            widths[size] = app.screen.query_one("#card-events Sparkline", Sparkline).content_region.width
    assert widths[(120, 40)] >= widths[(80, 24)]
    app = make_app(days=7)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        card = current(pilot).query_one("#card-events", MetricCard)
        assert card.query_one(Sparkline).content_region.width == 7  # a cell a day, not a stretched step
        assert card.query_one(".metric-dates").render().plain == "11-14→11-20"


async def test_changes_show_names_and_the_comparison_its_id_as_of_the_chosen_date(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        screen = current(pilot)
        assert isinstance(screen, RolloutScreen)
        text = screen_text(app)
        assert "Lumen Labs / Sour" in text and "Granite Pharma" in text and "org-" not in text
        await press(pilot, "enter")
        verdict = screen.query_one("#cmp-verdict").render().plain
        assert "chg-process-lumen" in verdict and " did " not in verdict
        assert "Difference vs control" in screen.query_one("#cmp-evidence").render().plain
        await press(pilot, "a", *"2026-10-25", "enter")
        changes = screen.query_one("#changes", ReviewTable)
        assert "chg-process-lumen" not in changes.visible_keys  # after the as-of date: not yet happened
        assert changes.visible_keys[0] == "chg-rollout-dashboard"
        assert screen.comparison is None and "Select a change" in screen.query_one("#cmp-verdict").render().plain
        await press(pilot, "enter")
        assert screen.comparison.after.window.end.isoformat() == "2026-10-25"  # the data up to the as-of date


async def test_every_screen_is_laid_out_first_with_its_width_class_so_it_is_styled_and_painted_once(
    make_app, monkeypatch
) -> None:
    # The -narrow / -wide class comes with a screen's first Resize event, after its first layout: a screen that
    # got it only then was styled, laid out and painted a second time (an org's drill-down: ~100 ms at 10M events).
    first_layout: dict[int, tuple[str, set[str]]] = {}
    original = Screen._refresh_layout

    def noted(self, size=None, scroll=False) -> None:
        first_layout.setdefault(id(self), (type(self).__name__, set(self.classes)))
        original(self, size, scroll)

    monkeypatch.setattr(Screen, "_refresh_layout", noted)
    for size, expected in (((80, 24), "-narrow"), ((120, 40), "-wide")):
        first_layout.clear()
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await press(pilot, "enter")  # an org
            await press(pilot, "enter")  # its busiest workflow
            for key in ("c", "b", "f"):
                await press(pilot, key)
        screens = {name: classes for name, classes in first_layout.values() if name.endswith("Screen")}
        assert set(screens) >= {"SummaryScreen", "OrgScreen", "WorkflowScreen", "RolloutScreen", "BillingScreen",
                                "FollowUpsScreen"}, size
        for name, classes in screens.items():
            assert expected in classes, (size, name, classes)
