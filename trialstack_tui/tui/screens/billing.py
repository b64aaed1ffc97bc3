"""Billing: credits used against each plan's allowance, projected to month end, by risk of overage."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal

from ...views import BillingLine
from .. import format as fmt
from ..state import ReviewWindow
from ..widgets.charts import BarChart
from ..widgets.dialogs import MarkRequest
from ..widgets.tables import Column, ReviewTable, Row
from .base import ReviewScreen

# The answer first (who uses how much of the allowance, heading where, over by how much), so it is on screen
# at 76 columns; the plan's terms after it.
COLUMNS = [
    Column("name", "Org", width=18),
    Column("use", "Use", numeric=True),
    Column("projected", "Projected", numeric=True),
    Column("overage", "Overage", numeric=True),
    Column("mtd", "Month to date", numeric=True),
    Column("included", "Included", numeric=True),
    Column("plan", "Plan"),
]

BillingModel = tuple[date, list[BillingLine]]


class BillingScreen(ReviewScreen[BillingModel]):
    SCREEN_TITLE = "Billing"
    TAB = "billing"
    FOCUS = "#billing"
    HELP = (
        "Credits used this month against each plan's included credits, projected to month end at the "
        "month-to-date pace (mtd / days elapsed × days in month). Sorted by risk: projected use of the "
        "allowance. Enter opens the org; m marks it for follow-up with reason overage."
    )

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="billing-main", classes="split"):
            yield ReviewTable(COLUMNS, id="billing", sort_column=1, empty="No orgs")
            yield BarChart(id="billing-chart")

    def fetch(self, window: ReviewWindow) -> BillingModel:
        return self.tapp.review.billing(as_of=window.as_of)

    def describe(self, window: ReviewWindow, model: BillingModel) -> str:
        as_of, lines = model
        if not lines:
            return f"month of {as_of:%B %Y}"
        p = lines[0].projection
        return f"{as_of:%B %Y}: day {p.days_elapsed} of {p.days_in_month} · {self.tapp.store_label}"

    def show(self, model: BillingModel) -> None:
        _as_of, lines = model
        self.query_one("#billing", ReviewTable).set_rows([_row(b) for b in lines])
        top = [b for b in lines if b.projection.use_of_allowance is not None]
        self.query_one("#billing-chart", BarChart).show(
            "Projected use of allowance (│ = 100 %, ▓ = past it)",
            [b.name for b in top],
            [round(b.projection.use_of_allowance * 100) for b in top],
            limit=100,
            unit="%",
        )

    @on(ReviewTable.RowSelected, "#billing")
    def open_org(self, event: ReviewTable.RowSelected) -> None:
        if event.row_key.value:
            self.tapp.open_org(event.row_key.value)

    def mark_target(self) -> MarkRequest | None:
        if self.model is None:
            return None
        key = self.query_one("#billing", ReviewTable).selected_key
        line = next((b for b in self.model[1] if b.org_id == key), None)
        if line is None:
            return None
        p = line.projection
        return MarkRequest(
            target_type="org",
            description=f"billing of {line.name}",
            reason="overage" if p.heading_for_overage else "other",
            org_id=line.org_id,
            note=f"projected {p.projected_credits:,.0f} of {p.included_credits:,.0f} included credits",
        )


def _row(b: BillingLine) -> Row:
    p = b.projection
    use = p.use_of_allowance
    return Row(
        key=b.org_id,
        cells=[
            fmt.data(b.name), fmt.share(use, warn_above=1.0), fmt.num(p.projected_credits),
            Text(f"{p.overage:,.0f}" if p.overage else "—", justify="right",
                 style="bold red" if p.overage else "dim"),
            fmt.num(p.mtd_credits), fmt.num(p.included_credits), fmt.data(b.plan),
        ],
        sort_values=[b.name.casefold(), use, p.projected_credits, p.overage, p.mtd_credits, p.included_credits, b.plan],
    )
