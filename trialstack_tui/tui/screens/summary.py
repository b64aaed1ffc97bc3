"""Quick summary: is activity present, growing, concentrated, and which orgs drive it?"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Static

from .. import format as fmt
from ..review_window import ReviewWindow
from ..widgets.cards import MetricCard
from ..widgets.charts import BarChart
from ...marks import MarkRequest
from ..widgets.tables import Column, ReviewTable, Row
from ..table_rows import FlagSection, flag_mark, flag_row
from .base import ReviewScreen

if TYPE_CHECKING:
    from ...metrics.summary import Flag, OrgSummary, Summary
    from ...metrics.windows import DaySpan

ORG_COLUMNS = [
    Column("name", "Org", width=18),
    Column("events", "Events", numeric=True),
    Column("trend", "Trend", numeric=True),
    Column("adoption", "Adopt", numeric=True),
    Column("flags", "Flags", width=13),
    Column("active", "Active/seats", numeric=True),
    Column("workflows", "WF", numeric=True),
    Column("top", "Top", numeric=True),
    Column("ai", "AI", numeric=True),
    Column("acceptance", "Acc", numeric=True),
    Column("errors", "Err", numeric=True),
]
FLAG_SHORT = {
    "data_gap": "gap", "ai_surge": "ai-surge", "declining": "decl", "narrow_adoption": "narrow", "concentrated": "conc", "spike": "spike",
    "ai_low_acceptance": "ai-acc", "high_error_rate": "errors", "overage": "over", "untrained_users": "untrained",
    "budget_warning": "budget",
}


def _points(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    return f" {(now - before) * 100:+.0f}pt"


PREFETCH_AFTER = 0.15  # seconds the cursor rests on an org before its drill-down is built


class SummaryScreen(ReviewScreen["Summary"]):
    SCREEN_TITLE = "Quick summary"
    TAB = "home"
    FOCUS = "#orgs"
    HELP = (
        "Is activity present, growing or concentrated, and which orgs drive it? Headline figures compare the "
        "window with the one before; the orgs table shows adoption (active users against seats) beside raw "
        "activity, because many events from few users is not healthy adoption. Enter drills into an org."
    )

    def __init__(self) -> None:
        super().__init__()
        self._prefetch_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="export-gap")  # shown only when the whole export is missing days
        with Grid(id="cards"):
            for key, title in (
                # Short titles: the card's dates share the line at 76 columns.
                ("events", "Events"), ("users", "Users"), ("adoption", "Adoption"),
                ("ai", "AI share"), ("acceptance", "AI accept"), ("credits", "Credits"),
            ):
                yield MetricCard(title, id=f"card-{key}")
        with VerticalScroll(id="summary-main", can_focus=False):
            yield ReviewTable(ORG_COLUMNS, id="orgs", sort_column=1, empty="No orgs")
            with Horizontal(id="summary-bottom", classes="split"):
                yield BarChart(id="areas")
                yield FlagSection("flags", empty="No flags in the window")

    def fetch(self, window: ReviewWindow) -> Summary:
        return self.app.summary(window)

    def show(self, model: Summary) -> None:
        t = model.totals
        now, before = t.activity.now, t.activity.before
        daily = model.daily
        card = partial(self._card, model.window)
        card("events", Text.assemble(f"{now.events:,} ", fmt.trend(t.activity.trend)), [p.counts.events for p in daily])
        card("users", Text.assemble(f"{t.active_users:,} ", fmt.trend(t.users_trend)), [p.active_users for p in daily])
        card(
            "adoption",
            Text(f"{fmt.share(t.adoption).plain} of {t.seats:,}{_points(t.adoption, t.adoption_prev)}"),
            [p.adoption or 0 for p in daily],
        )
        card("ai", Text(f"{fmt.share(now.ai_share).plain}{_points(now.ai_share, before.ai_share)}"),
                   [p.counts.ai_share or 0 for p in daily])
        card(
            "acceptance",
            Text(f"{fmt.share(now.ai_acceptance).plain}{_points(now.ai_acceptance, before.ai_acceptance)}"),
            [p.counts.ai_acceptance or 0 for p in daily],
        )
        card("credits", Text.assemble(f"{now.credits:,.0f} ", fmt.trend(t.activity.credits_trend)),
                   [p.counts.credits for p in daily])

        export_gap = self.query_one("#export-gap", Static)
        export_gap.display = bool(model.export_gaps)
        export_gap.update(Text("".join(
            f"⚠ The export is missing {g.first}..{g.last} ({g.days} days, ~{g.expected_missing:,.0f} events "
            "expected): those days are left out of every rate. "
            for g in model.export_gaps
        ).rstrip(), style="bold"))

        orgs = self.query_one("#orgs", ReviewTable)
        orgs.set_rows([_org_row(o) for o in model.orgs])
        if orgs.selected_key is not None:  # the org Enter would open now: build its drill-down at once
            self.app.prefetcher.prefetch(orgs.selected_key, self.app.window)
        self.query_one("#areas", BarChart).show(
            "Events by workflow area",
            [f"{a.area} {fmt.trend(a.activity.trend).plain}" for a in model.areas],
            [a.activity.events for a in model.areas],
        )
        names = {o.org.org_id: o.org.name for o in model.orgs}
        wf_names = {w.workflow.workflow_id: w.workflow.name for w in model.workflows}
        self.query_one(FlagSection).set_rows(
            [flag_row(i, f, names, wf_names) for i, f in enumerate(model.flags)]
        )
        self.call_after_refresh(self.app.summary_painted)

    def describe(self, window: ReviewWindow, model: Summary) -> str:
        latest = "" if window.as_of else " (latest)"
        missing = "".join(
            f" · the export is missing {g.first}..{g.last}: left out of every rate" for g in model.export_gaps
        )
        return f"{model.window.days} days to {model.as_of}{latest} · {self.app.store_label}{missing}"

    def _card(self, window: DaySpan, key: str, value: Text, series: list[float]) -> None:
        self.query_one(f"#card-{key}", MetricCard).show(value, series, window.start, window.end)

    def on_screen_suspend(self) -> None:
        # Left for another screen (an org opened by Enter builds its own drill-down): nothing to prefetch.
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
            self._prefetch_timer = None

    @on(ReviewTable.RowHighlighted, "#orgs")
    def _prefetch(self, event: ReviewTable.RowHighlighted) -> None:
        # Wait for the cursor to rest, so scrolling past orgs does not queue a drill-down for each.
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        org_id = event.row_key.value
        if org_id:
            self._prefetch_timer = self.set_timer(
                PREFETCH_AFTER, lambda: self.app.prefetcher.prefetch(org_id, self.app.window)
            )

    @on(ReviewTable.RowSelected, "#orgs")
    def open_org(self, event: ReviewTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_org(event.row_key.value)

    @on(ReviewTable.RowSelected, "#flags")
    def open_flag(self, event: ReviewTable.RowSelected) -> None:
        flag = self._flag(event.row_key.value)
        if flag is not None:
            if flag.workflow_id:
                self.app.open_workflow(flag.workflow_id)
            else:
                self.app.open_org(flag.org_id)

    def _flag(self, key: str | None) -> Flag | None:
        if self.model is None or key is None:
            return None
        return self.model.flags[int(key)]

    def mark_target(self) -> MarkRequest | None:
        if self.model is None:
            return None
        table = self.focused_table()
        if table is not None and table.id == "flags":
            flag = self._flag(table.selected_key)
            return None if flag is None else flag_mark(flag, self.model)
        org_id = self.query_one("#orgs", ReviewTable).selected_key
        org = next((o for o in self.model.orgs if o.org.org_id == org_id), None)
        if org is None:
            return None
        return MarkRequest(
            target_type="org",
            description=f"org {org.org.name}",
            reason=org.flags[0].kind if org.flags else "other",
            org_id=org.org.org_id,
            note="; ".join(f.detail for f in org.flags[:2]),
        )


def _trend_key(t) -> float | None:
    """Sort value of a trend: its change, with 'new' above every growth."""
    if t.change is not None:
        return t.change
    return float("inf") if t.label == "new" else None


def _org_row(o: OrgSummary) -> Row:
    a = o.activity
    t = a.trend
    flags = sorted({FLAG_SHORT[f.kind] for f in o.flags})
    return Row(
        key=o.org.org_id,
        cells=[
            fmt.data(o.org.name),
            fmt.num(a.events),
            fmt.trend(t),
            fmt.share(o.adoption, warn_below=0.3),
            Text(" ".join(flags), style="bold yellow", no_wrap=True, overflow="ellipsis"),
            fmt.ratio_of(o.active_users, o.org.seats),
            fmt.ratio_of(o.workflows_active, o.workflows_total),
            fmt.share(o.top_workflow_share, warn_above=0.5),
            fmt.share(a.now.ai_share),
            fmt.share(a.now.ai_acceptance, warn_below=0.6),
            fmt.share(a.now.error_rate, warn_above=0.10),
        ],
        sort_values=[
            o.org.name.casefold(), a.events, _trend_key(t), o.adoption, len(o.flags), o.active_users,
            o.workflows_active, o.top_workflow_share, a.now.ai_share, a.now.ai_acceptance, a.now.error_rate,
        ],
    )
