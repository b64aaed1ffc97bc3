"""Pilot tests of compare, mark, close a mark and export; read-only and hostile names."""

from __future__ import annotations

import csv
import io
import shutil
import stat
from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from trialstack_tui.config import resolve_store
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path
from trialstack_tui.tui.screens.followups import FollowUpsScreen
from trialstack_tui.tui.screens.rollout import RolloutScreen
from trialstack_tui.tui.widgets.dialogs import MarkDialog
from trialstack_tui.tui.widgets.tables import ReviewTable
from trialstack_tui.marks import MarkRequest

from .conftest import current, panel_text, press, settle, store_of_orgs


def _marks(db: Path, status: str = "all"):
    with Store(resolve_store(str(db))) as store:
        return Review(store).followups(status=status)


async def _open_followups(pilot) -> tuple[FollowUpsScreen, ReviewTable]:
    """From the start: `f`, the follow-ups screen and its list."""
    await settle(pilot)
    await press(pilot, "f")
    screen = current(pilot)
    assert isinstance(screen, FollowUpsScreen)
    return screen, screen.query_one("#followups", ReviewTable)


async def _open_change(pilot, change_id: str) -> RolloutScreen:
    await press(pilot, "c")
    screen = current(pilot)
    table = screen.query_one("#changes", ReviewTable)
    while table.selected_key != change_id:
        await press(pilot, "j")
    await press(pilot, "enter")
    return screen


async def test_compare_shows_the_verdict_and_plus_minus_change_the_window(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await _open_change(pilot, "chg-rollout-granite")
        assert screen.comparison.verdict == "rollout_effect" and screen.comparison.days == 14
        verdict = screen.query_one("#cmp-verdict").render().plain
        assert verdict.startswith("ROLLOUT EFFECT") and "beyond chance" in verdict
        evidence = screen.query_one("#cmp-evidence").render().plain
        ev = screen.comparison.evidence
        assert f"Difference vs control {screen.comparison.did:+.0%}" in evidence
        assert f"usual 14-day change {ev.usual_change:+.0%}" in evidence and f"p {ev.p_value:.2f}" in evidence
        assert f"z {ev.z:.1f} (far beyond chance)" in evidence
        # The placebo histogram: a row of bars, a row with ▲ (this change) and ┴ (the usual change).
        bars, marks, legend = evidence.splitlines()[-3:]
        assert "▲" in marks and "┴" in marks and marks.index("▲") > marks.index("┴")
        assert f"{len(ev.placebo_dids)} earlier windows" in legend
        await press(pilot, "plus")
        assert screen.comparison.days == 21 and screen.comparison.before.days == 21
        await press(pilot, "minus", "minus")
        assert screen.comparison.days == 7
        table = screen.query_one("#changes", ReviewTable)
        while table.selected_key != "chg-process-lumen":
            await press(pilot, "k")
        await press(pilot, "enter")
        assert screen.comparison.verdict == "process_problem"


async def test_mark_a_comparison_records_the_change_and_its_verdict(make_app, sample_db) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _open_change(pilot, "chg-process-lumen")
        await press(pilot, "m")
        dialog = app.screen
        assert isinstance(dialog, MarkDialog)
        assert dialog.query_one("#reason").value == "rollout"
        await press(pilot, "ctrl+s")
    (mark,) = _marks(sample_db)
    assert (mark.target_type, mark.target_ref, mark.workflow_id, mark.reason) == (
        "change", "chg-process-lumen", "wf-lm-1a", "rollout",
    )
    assert mark.owner and mark.note.startswith("process_problem: error rate 3.0% → 18.6%")


async def test_mark_a_workflow_from_its_view_prefills_the_owner(make_app, sample_db) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", *"lumen", "enter", "enter", "enter")
        wf = current(pilot).model.workflow
        assert wf.workflow_id == "wf-lm-1a"
        await press(pilot, "m")
        dialog = app.screen
        assert isinstance(dialog, MarkDialog)
        assert dialog.query_one("#owner").value == wf.owner
        assert dialog.query_one("#reason").value == "high_error_rate"
        await pilot.press(*"errors since the second review step")
        await press(pilot, "enter")
        assert not isinstance(app.screen, MarkDialog)
    marks = _marks(sample_db)
    assert len(marks) == 1
    mark = marks[0]
    assert (mark.target_type, mark.workflow_id, mark.owner, mark.reason, mark.status) == (
        "workflow", "wf-lm-1a", wf.owner, "high_error_rate", "open",
    )
    assert mark.note.endswith("errors since the second review step")
    assert mark.org_id == "org-lm" and mark.created_by


async def test_mark_a_flag_from_the_summary_takes_reason_and_owner_from_it(make_app, sample_db) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        summary = current(pilot)
        flags = summary.query_one("#flags", ReviewTable)
        spike_index = next(i for i, f in enumerate(summary.model.flags) if f.kind == "spike")
        flags.focus()
        await settle(pilot)
        while flags.selected_key != str(spike_index):
            await press(pilot, "j")
        spike = summary.model.flags[spike_index]
        await press(pilot, "m")
        assert app.screen.query_one("#reason").value == "spike"
        await press(pilot, "ctrl+s")
    (mark,) = _marks(sample_db)
    assert (mark.target_type, mark.reason, mark.workflow_id, mark.target_ref) == (
        "spike", "spike", spike.workflow_id, spike.day.isoformat(),
    )
    assert mark.note == spike.detail  # no note typed: the finding itself is stored


async def test_an_org_mark_needs_an_owner_and_escape_cancels(make_app, sample_db) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        assert isinstance(app.screen, MarkDialog)
        await press(pilot, "enter")  # no owner yet
        assert isinstance(app.screen, MarkDialog)
        assert "owner is needed" in app.screen.query_one("#mark-error").render().plain
        await press(pilot, "escape")
        assert not isinstance(app.screen, MarkDialog)
    assert _marks(sample_db) == []


async def test_followups_filter_close_and_export(make_app, sample_db, tmp_path, monkeypatch) -> None:
    with Store(resolve_store(str(sample_db))) as store:
        review = Review(store)
        review.mark(MarkRequest(target_type="workflow", reason="spike", workflow_id="wf-hx-1b", org_id="org-hx", note="a"))
        review.mark(MarkRequest(target_type="org", reason="overage", owner="Finance Desk", org_id="org-sm", note="b"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await _open_followups(pilot)
        assert len(table.visible_keys) == 2
        # the newest first: the overage mark
        assert screen.selected().reason == "overage"
        await press(pilot, "d")
        assert len(table.visible_keys) == 1  # only open marks are listed
        await press(pilot, "o")
        assert screen.status == "done" and len(table.visible_keys) == 1
        assert screen.selected().status == "done" and screen.selected().closed_at is not None
        await press(pilot, "o")
        assert screen.status == "all" and len(table.visible_keys) == 2
        await press(pilot, "u", *["backspace"] * 20, *"finance", "enter")  # any case, part of the name
        assert [m.owner for m in screen.model.marks] == ["Finance Desk"]
        await press(pilot, "e")
        shown = screen.query_one("#followups-export").render().plain
        assert shown.startswith("Exported 1 mark to ")
        path = Path(shown.split(" to ", 1)[1])
        rows = list(csv.DictReader(io.StringIO(path.read_text())))
        assert [(r["owner"], r["status"], r["org"]) for r in rows] == [("Finance Desk", "done", "Summit Sites")]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        await press(pilot, "E")
        shown = screen.query_one("#followups-export").render().plain
        md = Path(shown.split(" to ", 1)[1]).read_text()
        assert md.startswith("| id | status |") and "Finance Desk" in md
    statuses = sorted(m.status for m in _marks(sample_db))
    assert statuses == ["done", "open"]


async def test_read_only_store_browses_but_refuses_marks(make_app, sample_db) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "m")
        assert not isinstance(app.screen, MarkDialog)
        messages = [n.message for n in app._notifications]
        assert any("read-only" in m for m in messages)
    assert _marks(sample_db) == []


async def test_names_holding_markup_and_escapes_are_shown_literally(make_app, tmp_path) -> None:
    names = {"o1": "[bold]x[/]", "o2": "[@click=app.quit]quit[/]", "o3": "esc\x1b[31mred"}
    db = store_of_orgs(tmp_path, names, workflow="[red]flow[/]", owner="[b]owner[/b]", events_per_org=5)
    app = make_app(db=db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        orgs = current(pilot).query_one("#orgs", ReviewTable)
        shown = {orgs.get_row(k)[0].plain for k in orgs.visible_keys}
        assert shown == {"[bold]x[/]", "[@click=app.quit]quit[/]", "esc\\x1b[31mred"}
        cell = orgs.get_row("o1")[0]
        assert isinstance(cell, Text) and not cell.spans
        await press(pilot, "enter")
        assert app.is_running
        workflows = current(pilot).query_one("#workflows", ReviewTable)
        assert workflows.get_row(workflows.visible_keys[0])[0].plain.startswith("[red]flow[/]")


async def test_R_writes_the_highlighted_marks_owner_a_report(make_app, sample_db) -> None:
    with Store(resolve_store(str(sample_db))) as store:
        review = Review(store)
        review.mark(MarkRequest(target_type="flag", reason="high_error_rate", org_id="org-lm", workflow_id="wf-lm-1a",
                    target_ref="high_error_rate", note="errors after the second review"))
        expected = review.owner_report("Sofia Rossi")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _table = await _open_followups(pilot)
        assert screen.selected().owner == "Sofia Rossi"
        await press(pilot, "R")
        await settle(pilot)
        shown = screen.query_one("#followups-export").render().plain
        assert shown.startswith("Wrote the report for Sofia Rossi to ")
        path = Path(shown.split(" to ", 1)[1])
        assert path.name.startswith("owner-sofia-rossi-") and path.suffix == ".md"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text(encoding="utf-8")
    # the file is the report the seam builds for the app's window: same marks, workflows and findings
    assert text.startswith("# Follow-up for Sofia Rossi\n\nData as of 2026-11-20; window 2026-10-22 to 2026-11-20")
    assert "### 1. high error rate flag on workflow Source document verification" in text
    assert f"- Now: {expected.marks[0].findings[0]}" in text
    assert [line[4:] for line in text.splitlines() if line.startswith("### ") and not line[4].isdigit()] == [
        w.summary.workflow.name for w in expected.workflows
    ]


async def test_the_workflow_chart_draws_the_expected_count_and_the_comparison_says_which_test_failed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_workflow("wf-ob-1c")  # the weekday job that ran a batch on a Saturday
        await settle(pilot)
        screen = current(pilot)
        model = screen.model
        (spike,) = model.spikes
        day = [d.day for d in model.days].index(spike.day)
        assert model.expected[day] == spike.expected and model.days[day].events > 3 * model.expected[day]
        legend = screen.query_one("#wf-daily .chart-legend").render().plain
        assert "◆ expected" in legend and "spike" in legend
        facts = panel_text(screen.query_one("#wf-facts", Static))
        assert f"Sat {spike.day:%m-%d} {spike.events} (expected {spike.expected:,.0f})" in facts
        app.open_comparison("chg-rollout-aster")
        await settle(pilot)
        screen = current(pilot)
        assert screen.comparison.verdict == "no_clear_change"
        assert "already moving this much before the change" in screen.query_one("#cmp-verdict").render().plain


async def test_a_data_gap_is_drawn_and_flagged_on_the_org_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_org("org-td")  # Tidewater: the export lost a week of its events
        await settle(pilot)
        screen = current(pilot)
        (gap,) = screen.model.org.gaps
        legend = screen.query_one("#org-activity .chart-legend").render().plain
        assert "│ data gap" in legend
        flags = screen.query_one("#org-flags", ReviewTable)
        details = [flags.get_row(k)[-1].plain for k in flags.visible_keys]
        assert any(f"no events on {gap.first}..{gap.last} (7 days)" in d for d in details)


async def test_the_summary_says_when_the_whole_export_is_missing_days(make_app, tmp_path, sample_dir) -> None:
    # The sample without 2026-11-02..2026-11-05 for every org.
    folder = tmp_path / "export"
    shutil.copytree(sample_dir, folder)
    events = (folder / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lost = tuple(f",2026-11-0{d}T" for d in range(2, 6))
    (folder / "events.csv").write_text("".join(e for e in events if not any(day in e for day in lost)), encoding="utf-8")
    db = tmp_path / "gap.db"
    with Store(resolve_store(str(db))) as store:
        import_path(store, folder)
    app = make_app(db=db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = current(pilot)
        assert "the export is missing 2026-11-02..2026-11-05: left out of every rate" in screen.sub_title
        warning = screen.query_one("#export-gap")
        assert warning.display and warning.region.height >= 1  # on screen even where the title line is cut
        assert "The export is missing 2026-11-02..2026-11-05 (4 days" in warning.render().plain
        assert screen.model.totals.activity.covered_days == 26
        # Credits are read per covered day too: the lost days are no fall in spend.
        assert abs(screen.model.totals.activity.credits_trend.change) < 0.06  # read per day of all 30: −11 %


async def test_a_mark_made_from_a_drill_down_of_the_followups_list_is_listed_on_escape(make_app, sample_db) -> None:
    """follow-ups → Enter → m → Esc: the list under the drill-down hears MarkSaved and shows the mark at once."""
    with Store(resolve_store(str(sample_db))) as store:
        Review(store).mark(MarkRequest(target_type="workflow", reason="spike", workflow_id="wf-hx-1b",
                                       org_id="org-hx", note="first"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        followups, table = await _open_followups(pilot)
        assert len(table.visible_keys) == 1
        await press(pilot, "enter")
        assert current(pilot) is not followups  # drilled into the mark's workflow
        await press(pilot, "m")
        assert isinstance(app.screen, MarkDialog)
        await pilot.press(*"second look")
        await press(pilot, "enter")
        await press(pilot, "escape")
        assert app.screen is followups
        assert len(table.visible_keys) == 2  # no `r` pressed
        assert followups.model.marks[0].note.endswith("second look")
        assert app.focused is table
    assert len(_marks(sample_db)) == 2


async def test_an_unforeseen_error_in_a_screens_read_is_one_line_and_the_keyboard_stays(make_app, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(Review, "org_detail", broken)  # the drill-down's read (and its prefetch) fails
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        screen = current(pilot)
        assert screen.model is None
        assert not any(w.loading for w in screen.walk_children())  # no spinner left turning
        error = screen.query_one("#load-error", Static)
        assert error.display and "disk on fire" in error.render().plain
        toasts = [n.message for n in app._notifications]
        assert any("disk on fire" in t and "\n" not in t and "Traceback" not in t for t in toasts)
        assert app.return_code is None  # the app lives on
        await press(pilot, "escape", "j")
        assert current(pilot).query_one("#orgs", ReviewTable).cursor_row == 1

