"""Workflow view: its daily series with spikes and changes marked, outcomes, users, owner."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Sparkline, Static

from ...view_models import Names, WorkflowDetail
from .. import format as fmt
from ..table_rows import CHANGE_COLUMNS, FlagSection, change_row, flag_row, workflow_mark
from ..review_window import ReviewWindow
from ..widgets.cards import day_span, show_daily
from ..widgets.charts import DailyChart, Marker, gap_markers
from ...marks import MarkRequest
from ..widgets.tables import ReviewTable
from .base import ReviewScreen

class WorkflowScreen(ReviewScreen[WorkflowDetail]):
    SCREEN_TITLE = "Workflow"
    BINDINGS = [Binding("escape,backspace", "back", "Back", id="back")]  # a drill-down: show the way back
    FOCUS = "#wf-flags"
    HELP = (
        "One workflow: daily events by kind with spikes (yellow), changes (red) and data gaps (grey) marked, "
        "and ◆ the count expected from the same weekday of the 4 weeks before; outcomes, active "
        "users and who owns it. A spike in an AI-assisted or queue-backed workflow is operational load, not "
        "adoption; check acceptance and errors before reading volume as value. Enter on a change compares it; "
        "m marks the workflow for its owner."
    )

    def __init__(self, workflow_id: str) -> None:
        super().__init__()
        self.workflow_id = workflow_id

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="wf-scroll", can_focus=False):
            with Horizontal(id="wf-top", classes="split"):
                yield DailyChart(id="wf-daily")
                yield Static(id="wf-facts", classes="panel")
            with Horizontal(classes="section"):
                yield Label("Active users per day ")
                yield Label(id="wf-users-dates")
            yield Sparkline([], id="wf-users")
            yield FlagSection("wf-flags", empty="No flags on this workflow")
            yield ReviewTable(CHANGE_COLUMNS, id="wf-changes", sort_column=0, descending=True, empty="No changes touched it")

    def fetch(self, window: ReviewWindow) -> WorkflowDetail:
        return self.app.review.workflow_detail(self.workflow_id, days=window.days, as_of=window.as_of)

    def describe(self, window: ReviewWindow, model: WorkflowDetail) -> str:
        return f"{model.org_name} · {model.workspace.name} · {len(model.days)} days to {model.days[-1].day}"

    def show(self, model: WorkflowDetail) -> None:
        wf = model.workflow
        self.title = f"Workflow: {wf.name}"
        markers = [*gap_markers(model.gaps), *(Marker(s.day, "spike", "yellow") for s in model.spikes)]
        markers += [Marker(c.date, c.title) for c in model.changes]
        self.query_one("#wf-daily", DailyChart).show(
            "Events/day",
            [d.day for d in model.days],
            {"manual": [d.manual for d in model.days], "ai": [d.ai for d in model.days],
             "queue": [d.queue for d in model.days]},
            markers,
            overlay={"expected": model.expected},
        )
        self.query_one("#wf-facts", Static).update(_facts(model))
        self.query_one("#wf-users-dates", Label).update(day_span(model.days[0].day, model.days[-1].day))
        show_daily(self.query_one("#wf-users", Sparkline), model.daily_active)
        self.query_one(FlagSection).set_rows(
            [flag_row(i, f, {wf.org_id: model.org_name}, {wf.workflow_id: wf.name}) for i, f in enumerate(model.flags)]
        )
        names = Names({wf.org_id: model.org_name}, {wf.workflow_id: wf.name})
        self.query_one("#wf-changes", ReviewTable).set_rows([change_row(c, names) for c in model.changes])

    @on(ReviewTable.RowSelected, "#wf-changes")
    def compare_change(self, event: ReviewTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_comparison(event.row_key.value)

    def mark_target(self) -> MarkRequest | None:
        if self.model is None:
            return None
        return workflow_mark(self.model.workflow, self.model.flags)


def _facts(model: WorkflowDetail) -> Table:
    wf = model.workflow
    s = model.summary
    c = s.activity.now
    kind = ", ".join(k for k, on_ in (("AI", wf.ai_assisted), ("queue", wf.queue_backed)) if on_) or "manual"
    return fmt.fact_lines([
        ("Owner", fmt.data(wf.owner), False),
        ("Where", Text.assemble(fmt.data(model.org_name), " / ", fmt.data(model.workspace.name)), False),
        ("Area", Text.assemble(fmt.data(wf.area), f" · {kind}"), False),
        ("Events", Text.assemble(f"{c.events:,} ", fmt.trend(s.activity.trend), f" ({fmt.share(s.share_of_org).plain} of org)"), False),
        ("Users", f"{s.active_users:,} active", False),
        ("Lifecycle", fmt.lifecycle_bar(s.lifecycle), False),
        ("", fmt.lifecycle_counts(s.lifecycle), False),
        ("Outcomes", f"ok {c.ok:,} · error {c.error:,}", False),
        ("AI review", f"{c.accepted:,} accepted · {c.rejected:,} rejected ({fmt.share(c.ai_acceptance).plain})",
         c.ai_acceptance is not None and c.reviewed >= 50 and c.ai_acceptance < 0.6),
        ("Errors", f"{c.error_rate:.1%}" if c.error_rate is not None else "—", (c.error_rate or 0) >= 0.10),
        ("Spikes", ", ".join(f"{sp.day:%a %m-%d} {sp.events} (expected {sp.expected:,.0f})" for sp in model.spikes)
         or "none", bool(model.spikes)),
    ])
