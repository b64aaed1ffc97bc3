"""The TUI on a PostgreSQL store: every screen loads, Enter drills into an org, and a mark is stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trialstack_tui.config import StoreLocation
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path
from trialstack_tui.tui.launch import StoreOpener
from trialstack_tui.tui.screens.billing import BillingScreen
from trialstack_tui.tui.screens.followups import FollowUpsScreen
from trialstack_tui.tui.screens.org import OrgScreen
from trialstack_tui.tui.screens.rollout import RolloutScreen
from trialstack_tui.tui.screens.summary import SummaryScreen
from trialstack_tui.tui.screens.workflow import WorkflowScreen
from trialstack_tui.tui.widgets.dialogs import MarkDialog
from trialstack_tui.tui.widgets.tables import ReviewTable

from .conftest import current, launched, press, settle


@pytest.fixture
def pg_store(pg_location: StoreLocation, sample_dir: Path) -> Iterator[Store]:
    """The bundled sample in a PostgreSQL schema of this test's own."""
    with Store(pg_location) as store:
        import_path(store, sample_dir)
        yield store


async def test_on_postgresql_enter_drills_into_an_org_and_m_marks_its_workflow(
    pg_store: Store, pg_location: StoreLocation,
) -> None:
    openers: list[StoreOpener] = []
    app = launched(pg_location, openers, store_label="postgresql")  # the command's own factory, by URL
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        summary = current(pilot)
        assert isinstance(summary, SummaryScreen) and len(summary.model.orgs) == 16
        org_id = summary.query_one("#orgs", ReviewTable).selected_key
        await press(pilot, "enter")
        org = current(pilot)
        assert isinstance(org, OrgScreen) and org.model.org.org.org_id == org_id
        assert org.model.workspaces and sum(w.events for w in org.model.workspaces) == org.model.org.activity.events
        workflow = org.model.workflows[0].workflow
        assert org.query_one("#workflows", ReviewTable).selected_key == workflow.workflow_id
        await press(pilot, "m")
        dialog = app.screen
        assert isinstance(dialog, MarkDialog) and dialog.query_one("#owner").value == workflow.owner
        await pilot.press(*"check on postgresql")
        await press(pilot, "enter")
        assert not isinstance(app.screen, MarkDialog)
        await press(pilot, "enter")
        assert isinstance(current(pilot), WorkflowScreen)
        assert current(pilot).model.workflow.workflow_id == workflow.workflow_id
        await press(pilot, "c")
        assert isinstance(current(pilot), RolloutScreen) and current(pilot).model
        await press(pilot, "b")
        assert isinstance(current(pilot), BillingScreen) and current(pilot).model
        await press(pilot, "f")
        followups = current(pilot)
        assert isinstance(followups, FollowUpsScreen)
        assert len(followups.query_one("#followups", ReviewTable).visible_keys) == 1
    for opener in openers:
        opener.close()
    (mark,) = Review(pg_store).followups(status="all")
    assert (mark.target_type, mark.org_id, mark.workflow_id, mark.owner, mark.status) == (
        "workflow", org_id, workflow.workflow_id, workflow.owner, "open",
    )
    assert mark.note.endswith("check on postgresql")
