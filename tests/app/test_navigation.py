"""Pilot tests of the key paths: open, drill in, back, filter, sort, change window and as-of."""

from __future__ import annotations

import time
from datetime import date

from trialstack_tui.tui.screens.help import HelpScreen
from trialstack_tui.tui.screens.org import OrgScreen
from trialstack_tui.tui.screens.summary import SummaryScreen
from trialstack_tui.tui.screens.too_small import TooSmallScreen
from trialstack_tui.tui.screens.workflow import WorkflowScreen
from trialstack_tui.tui.widgets.tables import ReviewTable

from .conftest import current, press, settle


async def test_summary_lists_orgs_busiest_first_with_flags(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = current(pilot)
        assert isinstance(screen, SummaryScreen)
        orgs = screen.query_one("#orgs", ReviewTable)
        events = [o.activity.events for o in screen.model.orgs]
        assert len(orgs.visible_keys) == 16
        assert events == sorted(events, reverse=True)
        assert orgs.visible_keys[0] == screen.model.orgs[0].org.org_id
        flag_kinds = {f.kind for f in screen.model.flags}
        assert {"narrow_adoption", "concentrated", "spike", "overage", "declining"} <= flag_kinds
        assert len(screen.query_one("#flags", ReviewTable).visible_keys) == len(screen.model.flags)
        assert "30 days to 2026-11-20" in screen.sub_title


async def test_enter_drills_into_org_then_workflow_and_escape_goes_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        summary = current(pilot)
        first_org = summary.query_one("#orgs", ReviewTable).selected_key
        await press(pilot, "enter")
        org = current(pilot)
        assert isinstance(org, OrgScreen) and org.org_id == first_org
        assert org.model.org.org.org_id == first_org
        busiest = org.model.workflows[0].workflow.workflow_id
        assert org.query_one("#workflows", ReviewTable).selected_key == busiest
        await press(pilot, "enter")
        wf = current(pilot)
        assert isinstance(wf, WorkflowScreen) and wf.model.workflow.workflow_id == busiest
        assert len(wf.model.days) == 30
        await press(pilot, "escape")
        assert isinstance(current(pilot), OrgScreen)
        await press(pilot, "backspace")
        assert isinstance(current(pilot), SummaryScreen)
        await press(pilot, "escape")  # nothing below the summary: stays
        assert isinstance(current(pilot), SummaryScreen)


async def test_j_and_k_move_and_enter_opens_the_highlighted_org(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        orgs = current(pilot).query_one("#orgs", ReviewTable)
        await press(pilot, "j", "j", "j", "k")
        expected = orgs.visible_keys[2]
        await press(pilot, "enter")
        assert current(pilot).org_id == expected


async def test_slash_filters_the_focused_table_and_escape_clears(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        orgs = current(pilot).query_one("#orgs", ReviewTable)
        await press(pilot, "slash", *"cedar")
        assert orgs.visible_keys == ["org-cd"]
        await press(pilot, "enter")
        assert app.focused is orgs and orgs.filter_text == "cedar"
        await press(pilot, "enter")
        assert current(pilot).org_id == "org-cd"
        await press(pilot, "escape", "slash", "escape")
        assert len(orgs.visible_keys) == 16 and orgs.filter_text == ""


async def test_s_cycles_the_sort_column_and_shift_s_reverses(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = current(pilot)
        orgs = screen.query_one("#orgs", ReviewTable)
        await press(pilot, "s")  # Events → Trend, largest first
        changes = {o.org.org_id: o.activity.trend.change for o in screen.model.orgs}
        shown = [changes[k] for k in orgs.visible_keys]
        assert shown == sorted(shown, reverse=True)
        await press(pilot, "S")
        shown = [changes[k] for k in orgs.visible_keys]
        assert shown == sorted(shown)
        assert orgs.visible_keys[0] == "org-em"  # the declining org has the lowest trend


async def test_w_cycles_the_window_and_a_sets_the_as_of_date(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "w")
        screen = current(pilot)
        assert screen.model.window.days == 90 and "90 days" in screen.sub_title
        await press(pilot, "w")
        assert current(pilot).model.window.days == 7
        await press(pilot, "a")
        await press(pilot, *"2026-10-15", "enter")
        model = current(pilot).model
        assert model.as_of == date(2026, 10, 15) and model.window.days == 7
        await press(pilot, "a", *["backspace"] * 10, *"bad", "enter")
        assert app.screen.query_one("#asof-error").render().plain.startswith("bad is not a date")
        await press(pilot, "escape")
        assert current(pilot).model.as_of == date(2026, 10, 15)


async def test_window_change_reaches_screens_below(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "w", "escape")
        assert current(pilot).model.window.days == 90


async def test_help_lists_the_keys_of_the_current_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {text for _key, text in app.screen.key_rows()}
        assert {"Widen", "Narrow", "Sort", "Filter", "Mark", "Quit"} <= rows
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_opens_an_org_by_name(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"Org: Cedar")
        await pilot.pause(0.5)
        await press(pilot, "enter")
        screen = current(pilot)
        assert isinstance(screen, OrgScreen) and screen.org_id == "org-cd"


async def test_command_palette_reaches_every_screen(make_app) -> None:
    from trialstack_tui.tui.screens.billing import BillingScreen
    from trialstack_tui.tui.screens.followups import FollowUpsScreen
    from trialstack_tui.tui.screens.rollout import RolloutScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for title, screen_class in (("Billing", BillingScreen), ("Rollout comparison", RolloutScreen),
                                    ("Follow-ups", FollowUpsScreen), ("Quick summary", SummaryScreen)):
            await pilot.press("ctrl+p")
            await pilot.pause(0.3)
            await pilot.press(*title)
            await pilot.pause(0.5)
            await press(pilot, "enter")
            assert isinstance(app.screen, screen_class), title


async def test_a_small_terminal_is_told_it_needs_more_room(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert "60×20" in app.screen.query_one("#too-small").render().plain
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        await pilot.resize_terminal(70, 18)
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)


async def test_the_highlighted_org_is_prefetched_and_enter_shows_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        org_id = current(pilot).query_one("#orgs", ReviewTable).selected_key
        await pilot.pause(0.4)
        prefetched = None
        for _ in range(100):
            prefetched = app.prefetcher.ready(org_id, app.window)
            if prefetched is not None:
                break
            await pilot.pause(0.05)
        assert prefetched is not None and prefetched.org.org.org_id == org_id
        assert app.prefetcher.ready(org_id, app.window.next_days()) is None  # other windows are not
        await press(pilot, "enter")
        assert current(pilot).model is prefetched
        await press(pilot, "w")  # a new window is fetched afresh, not taken from the prefetch
        assert current(pilot).model is not prefetched and current(pilot).model.summary.window.days == 90


async def test_the_first_org_is_prefetched_as_soon_as_the_summary_shows(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = current(pilot).query_one("#orgs", ReviewTable).selected_key
        # No rest of the cursor was needed: the build started with the summary, before the 0.15 s timer.
        assert app.prefetcher.requested(first, app.window)
        await press(pilot, "enter")
        assert current(pilot).model is app.prefetcher.ready(first, app.window)


def _frames(app) -> list[tuple[str, bool]]:
    """(screen class, whether its body shows the loading indicator) of every frame the app paints from now."""
    seen: list[tuple[str, bool]] = []
    original = app._display

    def display(screen, renderable) -> None:
        original(screen, renderable)
        if renderable is not None:
            body = screen.query("#body")
            seen.append((type(screen).__name__, bool(body) and body.first().loading))

    app._display = display
    return seen


async def test_a_drill_down_nothing_prefetched_opens_finished_in_its_first_frame(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        frames = _frames(app)
        await pilot.press("j", "enter")  # Enter at once: the summary's prefetch timer has not fired
        await settle(pilot)
        org = current(pilot)
        assert isinstance(org, OrgScreen) and org.org_id == org.model.org.org.org_id
        org_frames = [loading for name, loading in frames if name == "OrgScreen"]
        assert org_frames and not any(org_frames)  # never an empty or spinning org screen
        await press(pilot, "j")
        workflow_id = org.query_one("#workflows", ReviewTable).selected_key
        frames.clear()
        await pilot.press("enter")
        await settle(pilot)
        wf = current(pilot)
        assert isinstance(wf, WorkflowScreen) and wf.model.workflow.workflow_id == workflow_id
        assert [loading for name, loading in frames if name == "WorkflowScreen"][0] is False


async def test_a_slow_drill_down_opens_with_its_loading_indicator_and_is_built_once(make_app, monkeypatch) -> None:
    from trialstack_tui.review import Review
    from trialstack_tui.tui import app as app_module

    built: list[str] = []
    workflow_detail = Review.workflow_detail

    def slow(self, workflow_id, *args, **kwargs):
        built.append(workflow_id)
        time.sleep(app_module.OPEN_WAIT + 0.4)
        return workflow_detail(self, workflow_id, *args, **kwargs)

    monkeypatch.setattr(Review, "workflow_detail", slow)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        await pilot.press("enter")
        await pilot.pause(app_module.OPEN_WAIT + 0.15)
        waiting = current(pilot)
        assert isinstance(waiting, WorkflowScreen)  # opened after OPEN_WAIT, the build still under way
        assert waiting.query_one("#body").loading and waiting.model is None
        await settle(pilot)
        assert waiting.model is not None and not waiting.query_one("#body").loading
        assert built == [waiting.workflow_id]  # the screen waited for the app's build; it did not start its own
        await press(pilot, "j")  # the keyboard is on the screen
        assert app.screen is waiting


async def test_a_drill_down_that_cannot_be_built_opens_with_the_reason(make_app, monkeypatch) -> None:
    from trialstack_tui.errors import UserFacingError
    from trialstack_tui.review import Review

    def refused(self, workflow_id, *args, **kwargs):
        raise UserFacingError("the store is being upgraded")

    monkeypatch.setattr(Review, "workflow_detail", refused)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "enter")
        screen = current(pilot)
        assert isinstance(screen, WorkflowScreen) and screen.model is None
        error = screen.query_one("#load-error")
        assert error.display and "being upgraded" in error.render().plain
        assert not screen.query_one("#body").loading


async def test_an_orgs_sections_below_the_fold_follow_its_first_frame(make_app) -> None:
    """The org screen's first frame holds its chart, adoption panel and workflows; its flags, workspaces and
    untrained users are mounted just after (they made that frame a third slower) and show the same model."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first: list[tuple[bool, bool]] = []  # (workflows filled, sections below mounted) of each org frame
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is not None and isinstance(screen, OrgScreen):
                first.append((screen.query_one("#workflows", ReviewTable).row_count > 0, bool(screen.query("#workspaces"))))

        app._display = display
        await pilot.press("j", "enter")
        await settle(pilot)
        org = current(pilot)
        assert isinstance(org, OrgScreen) and first[0] == (True, False) and first[-1] == (True, True)
        workspaces = org.query_one("#workspaces", ReviewTable)
        assert list(workspaces.visible_keys) and set(workspaces.visible_keys) == {
            w.workspace.workspace_id for w in org.model.workspaces}
        assert len(org.query_one("#untrained", ReviewTable).visible_keys) == len(org.model.untrained)
        assert len(org.query_one("#org-flags", ReviewTable).visible_keys) == len(org.model.org.flags)
        await press(pilot, "w")  # a new window: the sections below show the new model
        await settle(pilot)
        assert org.model.summary.window.days == 90
        assert len(org.query_one("#untrained", ReviewTable).visible_keys) == len(org.model.untrained)


async def test_an_org_closed_before_its_sections_below_are_mounted_leaves_the_keyboard_working(make_app, monkeypatch) -> None:
    """f straight after Enter closed the org screen while its flags, workspaces and untrained users were being
    mounted: showing them then raised NoMatches into the app (seen through tmux)."""
    app = make_app()
    real = OrgScreen._below_the_fold
    closed = []

    def close_first(self):
        if not closed:  # the first org screen: the key arrives as its sections are mounted
            closed.append(self)
            self.app.action_followups()
        return real(self)

    monkeypatch.setattr(OrgScreen, "_below_the_fold", close_first)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert type(current(pilot)).__name__ == "FollowUpsScreen" and app.is_running
        await press(pilot, "h", "j", "enter")
        await settle(pilot)
        org = current(pilot)
        assert isinstance(org, OrgScreen) and org is not closed[0]
        assert len(org.query_one("#untrained", ReviewTable).visible_keys) == len(org.model.untrained)


async def test_an_org_covered_when_its_sections_below_mount_shows_them_when_back(make_app, monkeypatch) -> None:
    """A workflow opened over the org before its flags, workspaces and untrained users are mounted: they show
    the org's model once it is back."""
    app = make_app()
    real = OrgScreen.show
    covered = []

    def cover_first(self, model):
        real(self, model)
        if not covered:
            covered.append(model)
            self.app.push_screen(WorkflowScreen(model.workflows[0].workflow.workflow_id))

    monkeypatch.setattr(OrgScreen, "show", cover_first)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(current(pilot), WorkflowScreen)
        await press(pilot, "escape")
        await settle(pilot)
        org = current(pilot)
        assert isinstance(org, OrgScreen)
        assert len(org.query_one("#untrained", ReviewTable).visible_keys) == len(org.model.untrained) > 0


async def test_a_drill_down_is_styled_once_as_it_opens(make_app, monkeypatch) -> None:
    """Mounting styles a new screen's widgets; Textual would style them all again as the screen is resumed for
    the first time (a fifth of the CSS work before an org's first frame), which the screens skip. The screen
    is styled all the same, and keeps the keyboard after a dialog over it."""
    app = make_app()
    restyled: list[str] = []
    real = OrgScreen.update_node_styles

    def update_node_styles(self, animate: bool = True) -> None:
        restyled.append(type(self).__name__)
        real(self, animate=animate)

    monkeypatch.setattr(OrgScreen, "update_node_styles", update_node_styles)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        org = current(pilot)
        assert isinstance(org, OrgScreen) and org.model is not None
        assert restyled == []  # the whole screen was not styled a second time
        workflows = org.query_one("#workflows", ReviewTable)
        assert workflows.has_focus and workflows.styles.height.is_auto  # styled, by its mount: app.tcss's rule
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert current(pilot) is org
        await press(pilot, "j")
        assert workflows.cursor_row == 1  # the keyboard still moves the table
