"""Org drill-down: activity by kind with changes marked, adoption and training, workflows, workspaces, flags."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from ...metrics.lifecycle import STATES
from ...view_models import OrgDetail
from .. import format as fmt
from ..review_window import ReviewWindow
from ..widgets.charts import DailyChart, Marker, gap_markers
from ...marks import MarkRequest
from ..widgets.tables import Column, ReviewTable, Row
from ..table_rows import FlagSection, flag_mark, flag_row, workflow_mark
from .base import ReviewScreen

WORKFLOW_COLUMNS = [
    Column("name", "Workflow", width=24),
    Column("area", "Area", width=10),
    Column("owner", "Owner", width=14),
    Column("events", "Events", numeric=True),
    Column("share", "Share", numeric=True),
    Column("trend", "Trend", numeric=True),
    Column("ai", "AI", numeric=True),
    Column("acceptance", "Acc", numeric=True),
    Column("errors", "Err", numeric=True),
    Column("queue", "Queue", numeric=True),
    Column("users", "Users", numeric=True),
    Column("spark", "Daily"),
]
UNTRAINED_COLUMNS = [
    Column("user", "Untrained user", width=24), Column("role", "Role", width=16), Column("state", "Lifecycle", width=12),
]
WORKSPACE_COLUMNS = [
    Column("name", "Workspace", width=20),
    Column("events", "Events", numeric=True),
    Column("workflows", "WF in use", numeric=True),
    Column("users", "Active users", numeric=True),
]


class OrgScreen(ReviewScreen[OrgDetail]):
    SCREEN_TITLE = "Org drill-down"
    BINDINGS = [Binding("escape,backspace", "back", "Back", id="back")]  # a drill-down: show the way back
    FOCUS = "#workflows"
    HELP = (
        "Is adoption broad or narrow, which workflow areas drive activity, and is AI output any good? The chart "
        "splits daily events by kind (manual / AI / queue) with the org's changes marked in red. The adoption "
        "panel puts active users against seats and lists active users who are not trained. Enter on a workflow "
        "opens it; m marks the highlighted workflow (owner pre-filled) or flag."
    )

    def __init__(self, org_id: str) -> None:
        super().__init__()
        self.org_id = org_id
        self.filling = False  # the sections below the fold are being mounted; they show the model then

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="org-scroll", can_focus=False):
            with Horizontal(id="org-top", classes="split"):
                yield DailyChart(id="org-activity")
                yield Static(id="org-adoption", classes="panel")
            yield ReviewTable(WORKFLOW_COLUMNS, id="workflows", sort_column=3, empty="No workflows")
        # Flags, workspaces and untrained users are below the fold: they are mounted after the first frame
        # (`_mount_below`), which they made a third slower (166 -> 129 ms for an org at 10M).

    def _below_the_fold(self) -> list[Widget]:
        return [
            FlagSection("org-flags", empty="No flags in the window"),
            ReviewTable(WORKSPACE_COLUMNS, id="workspaces", sort_column=1, empty="No workspaces"),
            ReviewTable(UNTRAINED_COLUMNS, id="untrained", empty="None: all trained"),
        ]

    async def _mount_below(self) -> None:
        if self.is_attached:
            await self.query_one("#org-scroll").mount_all(self._below_the_fold())
        self.filling = False
        # A screen closed meanwhile (a key straight after Enter) has left the stack, its sections half mounted.
        if self.model is not None and self in self.app.screen_stack:
            self._show_below(self.model)

    def ready_model(self, window: ReviewWindow) -> OrgDetail | None:
        return self.app.prefetcher.ready(self.org_id, window)

    def fetch(self, window: ReviewWindow) -> OrgDetail:
        return self.app.prefetcher.get(self.org_id, window)

    def describe(self, window: ReviewWindow, model: OrgDetail) -> str:
        return f"{model.summary.window.days} days to {model.summary.as_of} · {model.org.org.plan}"

    def show(self, model: OrgDetail) -> None:
        self.title = f"Org: {model.org.org.name}"
        days = [p.day for p in model.summary.daily]
        markers = [*gap_markers(model.org.gaps), *(Marker(c.date, c.title) for c in model.changes)]
        self.query_one("#org-activity", DailyChart).show(
            "Events/day",
            days,
            {
                "manual": [p.counts.manual for p in model.summary.daily],
                "ai": [p.counts.ai for p in model.summary.daily],
                "queue": [p.counts.queue for p in model.summary.daily],
            },
            markers,
        )
        self.query_one("#org-adoption", Static).update(_adoption_panel(model))
        self.query_one("#workflows", ReviewTable).set_rows([_workflow_row(w) for w in model.workflows])
        if self.filling:
            return  # `_mount_below` shows the newest model once they are mounted
        if self.query("#workspaces"):
            self._show_below(model)
        else:
            self.filling = True
            self.call_after_refresh(self._mount_below)

    def _show_below(self, model: OrgDetail) -> None:
        names = {model.org.org.org_id: model.org.org.name}
        wf_names = {w.workflow.workflow_id: w.workflow.name for w in model.workflows}
        self.query_one(FlagSection).set_rows(
            [flag_row(i, f, names, wf_names) for i, f in enumerate(model.org.flags)]
        )
        self.query_one("#workspaces", ReviewTable).set_rows(
            [
                Row(
                    key=line.workspace.workspace_id,
                    cells=[
                        fmt.data(line.workspace.name), fmt.num(line.events),
                        fmt.ratio_of(line.workflows_active, line.workflows_total), fmt.num(line.active_users),
                    ],
                    sort_values=[line.workspace.name.casefold(), line.events, line.workflows_active, line.active_users],
                )
                for line in model.workspaces
            ]
        )

        self.query_one("#untrained", ReviewTable).set_rows(
            [
                Row(key=u.user_id, cells=[fmt.data(u.user_id), fmt.data(u.role), fmt.lifecycle_state(u.state)],
                    sort_values=[u.user_id, u.role, STATES.index(u.state)])
                for u in model.untrained
            ]
        )

    @on(ReviewTable.RowSelected, "#workflows")
    def open_workflow(self, event: ReviewTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_workflow(event.row_key.value)

    @on(ReviewTable.RowSelected, "#org-flags")
    def open_flag(self, event: ReviewTable.RowSelected) -> None:
        if self.model is None or event.row_key.value is None:
            return
        flag = self.model.org.flags[int(event.row_key.value)]
        if flag.workflow_id:
            self.app.open_workflow(flag.workflow_id)

    def mark_target(self) -> MarkRequest | None:
        if self.model is None:
            return None
        table = self.focused_table()
        if table is not None and table.id == "org-flags" and table.selected_key is not None:
            return flag_mark(self.model.org.flags[int(table.selected_key)], self.model.summary)
        if table is not None and table.id == "workspaces" and table.selected_key is not None:
            ws = next(w for w in self.model.workspaces if w.workspace.workspace_id == table.selected_key)
            return MarkRequest(
                target_type="workspace", description=f"workspace {ws.workspace.name} of {self.model.org.org.name}",
                org_id=self.org_id, workspace_id=ws.workspace.workspace_id,
            )
        key = self.query_one("#workflows", ReviewTable).selected_key
        wf = next((w for w in self.model.workflows if w.workflow.workflow_id == key), None)
        if wf is None:
            return MarkRequest(target_type="org", description=f"org {self.model.org.org.name}", org_id=self.org_id)
        return workflow_mark(wf.workflow, [f for f in self.model.org.flags if f.workflow_id == key])


def _adoption_panel(model: OrgDetail) -> Table:
    """Adoption beside activity: seats, training, breadth, AI quality, errors and credits, one line each."""
    o = model.org
    c = o.activity.now
    b = o.billing
    top = next((w for w in model.workflows if w.workflow.workflow_id == o.top_workflow_id), None)
    trained = (
        "no users data" if o.trained_share is None
        else f"{o.trained_users}/{o.active_users} active ({o.trained_share:.0%})"
    )
    lines = [
        ("Plan", Text.assemble(fmt.data(o.org.plan), f" · {o.org.seats:,} seats"), False),
        ("Adoption", f"{o.active_users:,}/{o.org.seats:,} seats ({fmt.share(o.adoption).plain})",
         o.adoption is not None and o.adoption < 0.3),
        ("Trained", trained, o.trained_share is not None and o.trained_share < 0.5),
        ("Lifecycle", fmt.lifecycle_bar(o.lifecycle), False),
        ("", fmt.lifecycle_counts(o.lifecycle), False),
        ("In use", f"{o.workflows_active}/{o.workflows_total} workflows", False),
        ("Areas", " · ".join(f"{a.area} {fmt.share(a.share).plain}" for a in model.summary.areas[:2]) or "—", False),
        ("Top", Text.assemble(fmt.data(top.workflow.name if top else "—"), f" {fmt.share(o.top_workflow_share).plain}"),
         o.concentration == "concentrated"),
        ("AI", f"{fmt.share(c.ai_share).plain} · {fmt.share(c.ai_acceptance).plain} accepted of {c.reviewed:,}",
         c.ai_acceptance is not None and c.reviewed >= 50 and c.ai_acceptance < 0.6),
        ("Errors", f"{c.error_rate:.1%} · queue {fmt.share(c.queue_share).plain}" if c.events else "—",
         (c.error_rate or 0) >= 0.10),
        ("Credits", f"{b.projected_credits:,.0f} of {b.included_credits:,.0f} proj.", b.heading_for_overage),
        ("Untrained", _untrained_line(model), False),
    ]
    return fmt.fact_lines(lines)


def _untrained_line(model: OrgDetail) -> str:
    """How many untrained users, by lifecycle: new ones are a training task, dormant ones an adoption gap."""
    if not model.untrained:
        return "none"
    counts = {s: sum(1 for u in model.untrained if u.state == s) for s in STATES}
    return " ".join(f"{n} {fmt.LIFECYCLE_ABBR[s]}" for s, n in counts.items() if n) + " (below)"


def _workflow_row(w) -> Row:
    a = w.activity
    c = a.now
    wf = w.workflow
    kinds = ("AI " if wf.ai_assisted else "") + ("Q" if wf.queue_backed else "")
    return Row(
        key=wf.workflow_id,
        cells=[
            Text.assemble(fmt.data(wf.name), (f" {kinds}".rstrip(), "dim")),
            fmt.data(wf.area),
            fmt.data(wf.owner),
            fmt.num(a.events),
            fmt.share(w.share_of_org, warn_above=0.5),
            fmt.trend(a.trend),
            fmt.share(c.ai_share),
            fmt.share(c.ai_acceptance, warn_below=0.6),
            fmt.share(c.error_rate, warn_above=0.10),
            fmt.share(c.queue_share),
            fmt.num(w.active_users),
            fmt.spark(w.daily_events),
        ],
        sort_values=[
            wf.name.casefold(), wf.area, wf.owner.casefold(), a.events, w.share_of_org, a.trend.change, c.ai_share,
            c.ai_acceptance, c.error_rate, c.queue_share, w.active_users, sum(w.daily_events[-7:]),
        ],
    )
