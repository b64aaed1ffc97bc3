"""Billing: credits used against each plan's allowance, projected to month end, by risk of overage, with the
dates 75 / 90 / 100 % of the allowance is crossed."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from ...metrics.billing import BUDGET_THRESHOLDS, WARNING_THRESHOLD, Crossing, budget_warning
from ...safe_text import visible
from ...view_models import BillingLine, BillingView
from .. import format as fmt
from ..review_window import ReviewWindow
from ..widgets.charts import DailyChart, Marker
from ...marks import MarkRequest
from ..widgets.tables import Column, ReviewTable, Row
from .base import ReviewScreen

# The answer first (who uses how much of the allowance, heading where, over by how much, from when), so it
# is on screen at 76 columns; the pace and the plan's terms after it.
COLUMNS = [
    Column("name", "Org", width=18),
    Column("use", "Use", numeric=True),
    Column("projected", "Projected", numeric=True),
    Column("overage", "Overage", numeric=True),
    Column("warn", "90 % on", numeric=True),
    Column("recent", "At 7-day rate", numeric=True),
    Column("mtd", "Month to date", numeric=True),
    Column("included", "Included", numeric=True),
    Column("plan", "Plan"),
]
CROSSING_COLOR = "green"


class BillingScreen(ReviewScreen[BillingView]):
    SCREEN_TITLE = "Billing"
    TAB = "billing"
    FOCUS = "#billing"
    HELP = (
        "Credits used this month against each plan's included credits, projected to month end at the "
        "month-to-date pace (mtd / days elapsed × days in month) and at the last 7 days' rate. Sorted by risk: "
        "projected use of the allowance. '90 % on' is the day month-to-date credits reach 90 % of the allowance "
        "(red: already; yellow: at the last 7 days' rate). The chart follows the highlighted org: its credits "
        "so far, then at the last 7 days' rate, against the allowance, with the 75 / 90 / 100 % crossings marked "
        "in green. Enter opens the org; m marks it for follow-up."
    )

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="billing-main", classes="split"):
            yield ReviewTable(COLUMNS, id="billing", sort_column=1, empty="No orgs")
            with Vertical(id="billing-side"):
                yield Static(id="billing-dates")
                yield DailyChart(id="billing-chart")

    def fetch(self, window: ReviewWindow) -> BillingView:
        return self.app.review.billing(as_of=window.as_of, days=window.days)

    def describe(self, window: ReviewWindow, model: BillingView) -> str:
        if not model.lines:
            return f"month of {model.as_of:%B %Y}"
        p = model.lines[0].projection
        return f"{model.as_of:%B %Y}: day {p.days_elapsed} of {p.days_in_month} · {self.app.store_label}"

    def show(self, model: BillingView) -> None:
        self.query_one("#billing", ReviewTable).set_rows([_row(b) for b in model.lines])
        self._show_org(self.selected_line())

    def selected_line(self) -> BillingLine | None:
        if self.model is None:
            return None
        key = self.query_one("#billing", ReviewTable).selected_key
        return next((b for b in self.model.lines if b.org_id == key), None)

    @on(ReviewTable.RowHighlighted, "#billing")
    def _highlighted(self) -> None:
        self._show_org(self.selected_line())

    def _show_org(self, line: BillingLine | None) -> None:
        if line is None or self.model is None:
            return
        b = line.budget
        first = self.model.as_of.replace(day=1)
        days = [first + timedelta(days=i) for i in range(len(b.cumulative) + b.days_left)]
        self.query_one("#billing-chart", DailyChart).show(
            "Month to date",
            days,
            {"used, then 7-day rate": b.path(), "included": [b.included_credits] * len(days)},
            [Marker(c.day, f"{c.threshold:.0%}", CROSSING_COLOR) for c in b.crossings if c.day is not None],
            stacked=False,
        )
        self.query_one("#billing-dates", Static).update(_dates(line))

    @on(ReviewTable.RowSelected, "#billing")
    def open_org(self, event: ReviewTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_org(event.row_key.value)

    def mark_target(self) -> MarkRequest | None:
        line = self.selected_line()
        if line is None:
            return None
        p = line.projection
        warning = budget_warning(line.budget, p.heading_for_overage)
        return MarkRequest(
            target_type="org",
            description=f"billing of {line.name}",
            reason="overage" if p.heading_for_overage else "budget_warning" if warning else "other",
            org_id=line.org_id,
            note=warning or f"projected {p.projected_credits:,.0f} of {p.included_credits:,.0f} included credits",
        )


def _crossing_text(c: Crossing | None) -> Text:
    """A crossing's day (mm-dd): red when it happened, yellow when projected, '—' when not this month."""
    if c is None or c.day is None:
        return Text("—", justify="right", style="dim")
    return Text(f"{c.day:%m-%d}", justify="right", style="bold red" if c.reached else "yellow")


def _dates(line: BillingLine) -> Text:
    """One line: each crossing's day (✓ when it happened) and the projection at the last 7 days' rate."""
    b = line.budget
    text = Text.assemble((visible(line.name), "bold"), ": ")
    if not b.crossings:
        return text.append("no included credits, no crossings")
    for t in BUDGET_THRESHOLDS:
        c = b.crossing(t)
        text.append(f"{t:.0%} ")
        text.append_text(_crossing_text(c))
        text.append(" ✓ · " if c is not None and c.reached else " · ")
    return text.append(f"7-day {b.recent_daily_rate:,.1f}/day → {b.projected_recent:,.0f}")


def _row(b: BillingLine) -> Row:
    p = b.projection
    use = p.use_of_allowance
    warn = b.budget.crossing(WARNING_THRESHOLD)
    return Row(
        key=b.org_id,
        cells=[
            fmt.data(b.name), fmt.share(use, warn_above=1.0), fmt.num(p.projected_credits),
            Text(f"{p.overage:,.0f}" if p.overage else "—", justify="right",
                 style="bold red" if p.overage else "dim"),
            _crossing_text(warn), fmt.num(b.budget.projected_recent), fmt.num(p.mtd_credits),
            fmt.num(p.included_credits), fmt.data(b.plan),
        ],
        sort_values=[
            b.name.casefold(), use, p.projected_credits, p.overage, warn.day if warn is not None and warn.day else None,
            b.budget.projected_recent, p.mtd_credits, p.included_credits, b.plan,
        ],
    )
