"""`org`, `workflow` and `billing` print the very view models the screens show: the JSON of the model each
screen holds after a real drill-down equals the command's output, and the screen shows its figures."""

from __future__ import annotations

import json

from textual.widgets import Static

from trialstack_tui import cli, report
from trialstack_tui.metrics.flag_kinds import FLAG_KINDS
from trialstack_tui.tui.screens.summary import FLAG_SHORT
from trialstack_tui.tui.screens.billing import BillingScreen
from trialstack_tui.tui.screens.org import OrgScreen
from trialstack_tui.tui.screens.workflow import WorkflowScreen
from trialstack_tui.tui.widgets.tables import ReviewTable

from .conftest import current, panel_text, press, settle


def _command(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert cli.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def _same_json(document: dict) -> dict:
    """The document as the command prints it (tuples become lists, dates strings)."""
    return json.loads(report.to_json(document))


async def test_the_screen_commands_match_the_screens_models(make_app, sample_db, capsys) -> None:
    app = make_app(days=7)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", *"lumen", "enter", "enter")
        org = current(pilot)
        assert isinstance(org, OrgScreen)
        org_model = _same_json(report.org_detail_json(org.model))
        panel = " ".join(panel_text(org.query_one("#org-adoption", Static)).split())
        lc = org.model.org.lifecycle
        assert f"{lc.new} new {lc.returning} ret {lc.resurrecting} res {lc.dormant} dorm" in panel
        assert f"sticky {lc.stickiness:.0%}" in panel
        untrained = org.query_one("#untrained", ReviewTable)
        assert len(untrained.visible_keys) == len(org.model.untrained) > 0
        await press(pilot, "enter")
        wf = current(pilot)
        assert isinstance(wf, WorkflowScreen)
        wf_id = wf.model.workflow.workflow_id
        wf_model = _same_json(report.workflow_detail_json(wf.model))
        await press(pilot, "b")
        billing = current(pilot)
        assert isinstance(billing, BillingScreen)
        billing_model = _same_json(report.billing_json(billing.model))
        top = billing.model.lines[0]
        dates = billing.query_one("#billing-dates").render().plain
        assert dates.startswith(f"{top.name}: 75% ")
        assert f"→ {top.budget.projected_recent:,.0f}" in dates
    db = str(sample_db)
    assert _command(capsys, "org", org.org_id, "--db", db, "--days", "7", "--json") == org_model
    assert _command(capsys, "workflow", wf_id, "--db", db, "--days", "7", "--json") == wf_model
    assert _command(capsys, "billing", "--db", db, "--days", "7", "--json") == billing_model
    assert org_model["org"]["name"] == "Lumen Labs" and wf_model["window_days"] == 7


def test_every_flag_kind_has_its_short_name_on_the_summary() -> None:
    # budget_warning once reached the orgs table without one, and the summary screen crashed on it
    assert set(FLAG_SHORT) == set(FLAG_KINDS)


async def test_billing_marks_a_budget_warning_with_its_date(make_app, sample_db) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "a", *"2026-11-16", "enter", "b")
        billing = current(pilot)
        assert isinstance(billing, BillingScreen) and billing.model.as_of.isoformat() == "2026-11-16"
        table = billing.query_one("#billing", ReviewTable)
        while table.selected_key != "org-hx":  # Helix: 90 % at the last 7 days' rate on the 26th
            await press(pilot, "j")
        dates = billing.query_one("#billing-dates").render().plain
        assert dates.startswith("Helix Bio: 75% ") and "90% 11-26 · 100% 11-29 · " in dates
        await press(pilot, "m")
        assert app.screen.query_one("#reason").value == "budget_warning"
        assert "reached on 2026-11-26" in billing.mark_target().note
