"""Rollout comparison: did a change in usage come from growth, a rollout or a process problem?"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Static

from ...metrics.evidence import chance_words
from ...metrics.rollout import Comparison, WindowFigures
from ...safe_text import visible
from ...metrics.window_days import COMPARISON_DAYS
from ...view_models import ChangeList
from .. import format as fmt
from ..table_rows import CHANGE_COLUMNS, change_row
from ..review_window import ReviewWindow
from ..widgets.charts import DailyChart, Marker
from ...marks import MarkRequest
from ..widgets.histogram import placebo_histogram
from ..widgets.tables import ReviewTable
from .base import ReviewScreen

WINDOW_STEPS = (7, 14, 21, 28, 42, 56)
SPIN_AFTER = 0.2  # seconds a comparison is built before its panel shows the loading indicator
PICK_A_CHANGE = Text("Select a change and press Enter to compare.", style="dim")
VERDICT_STYLE = {
    "process_problem": "bold red", "rollout_effect": "bold green", "growth": "bold cyan",
    "no_clear_change": "bold", "insufficient_data": "bold yellow",
}




class RolloutScreen(ReviewScreen[ChangeList]):
    SCREEN_TITLE = "Rollout comparison"
    TAB = "rollouts"
    FOCUS = "#changes"
    HELP = (
        "Pick a change and press Enter: the scope (the change's org or workflow) before and after it, beside "
        "the control (every other org) over the same days. The difference vs control removes what happened "
        "everywhere; the usual change is what the scope did over windows this long before the change (the "
        "histogram: ▲ is this change), z says whether the rest is beyond chance. The verdict names the test "
        "that decided it. + and - widen or narrow the windows."
    )
    BINDINGS = [
        Binding("plus,equals_sign", "widen", "Widen", id="widen"),
        Binding("minus", "narrow", "Narrow", id="narrow"),
    ]

    def __init__(self, select: str | None = None) -> None:
        super().__init__()
        self.select = select
        self.days = COMPARISON_DAYS
        self.comparison: Comparison | None = None
        self._spinner: Timer | None = None  # shows the loading indicator if the comparison takes SPIN_AFTER

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="rollout-main", classes="split"):
            yield ReviewTable(CHANGE_COLUMNS, id="changes", sort_column=0, descending=True, empty="No changes")
            with Vertical(id="comparison"):
                yield Static(PICK_A_CHANGE, id="cmp-verdict")
                yield Static(id="cmp-evidence")
                yield Static(id="cmp-figures")
                yield DailyChart(id="cmp-chart")

    def fetch(self, window: ReviewWindow) -> ChangeList:
        # As of a date, the changes after it had not happened yet: neither listed nor compared.
        return self.app.review.change_list(as_of=window.as_of)

    def describe(self, window: ReviewWindow, model: ChangeList) -> str:
        as_of = f" to {window.as_of}" if window.as_of else ""
        return f"{len(model.changes)} changes{as_of} · windows of {self.days} days · {self.app.store_label}"

    def show(self, model: ChangeList) -> None:
        changes, names = model.changes, model.names
        table = self.query_one("#changes", ReviewTable)
        table.set_rows([change_row(c, names) for c in changes])
        if self.comparison is not None:  # again, for the new as-of date, or gone when the change is after it
            if self.comparison.change.change_id in table.visible_keys:
                self.compare(self.comparison.change.change_id)
            else:
                self.comparison = None
                self.query_one("#cmp-verdict", Static).update(PICK_A_CHANGE)
                self.query_one("#cmp-evidence", Static).update("")
                self.query_one("#cmp-figures", Static).update("")
                self.query_one("#cmp-chart", DailyChart).display = False
        if self.select is not None and self.select in table.visible_keys:
            table.move_cursor(row=table.visible_keys.index(self.select), animate=False)
            self.compare(self.select)
            self.select = None

    @on(ReviewTable.RowSelected, "#changes")
    def _selected(self, event: ReviewTable.RowSelected) -> None:
        if event.row_key.value:
            self.compare(event.row_key.value)

    def compare(self, change_id: str) -> None:
        # The loading indicator only for a comparison that takes a while: mounting it at once would take the
        # interpreter from the build it waits for.
        if self._spinner is not None:
            self._spinner.stop()
        self._spinner = self.set_timer(SPIN_AFTER, self._spin)
        days, as_of = self.days, self.app.window.as_of
        self.build_in_worker(
            lambda: self.app.review.compare(change_id, days=days, as_of=as_of),
            self._show_comparison, self._comparison_failed, group="compare",
        )

    def _spin(self) -> None:
        self.query_one("#comparison").loading = True

    def _built(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None
        self.query_one("#comparison").loading = False

    def load_failed(self, message: str) -> None:
        self._built()  # an unforeseen error in the comparison's worker: no spinner may come after it
        super().load_failed(message)

    def _comparison_failed(self, message: str) -> None:
        self._built()
        self.notify(message, severity="error")

    def _show_comparison(self, cmp: Comparison) -> None:
        self.comparison = cmp
        if self.model is not None:
            self.sub_title = self.describe(self.app.window, self.model)
        verdict = Text()
        verdict.append(cmp.verdict.replace("_", " ").upper(), style=VERDICT_STYLE[cmp.verdict])
        verdict.append(f" · {cmp.days}-day windows\n")  # the difference vs control is in the evidence below
        verdict.append(visible(cmp.change.change_id), style="bold")  # the id `trialstack-tui compare` takes
        verdict.append(f" · {cmp.change.date} · {cmp.change.kind} · ")
        verdict.append(visible(cmp.change.title) + "\n")
        verdict.append(cmp.reason)
        for note in cmp.notes:
            verdict.append(f"\nnote: {note}", style="yellow")
        self.query_one("#cmp-verdict", Static).update(verdict)
        self.query_one("#cmp-evidence", Static).update(_evidence(cmp))
        self.query_one("#cmp-figures", Static).update(_figures_table(cmp))
        days = [d for d, _ in cmp.scope_daily]
        series = {"scope": _indexed(cmp.scope_daily, cmp.before)}
        if cmp.control_daily:
            series["control"] = _indexed(cmp.control_daily, cmp.control_before)
        chart = self.query_one("#cmp-chart", DailyChart)
        chart.display = True
        chart.show(
            "Events/day, before = 100",
            days, series, [Marker(cmp.change.date, cmp.change.title)], stacked=False,
        )
        self._built()

    def _step(self, direction: int) -> None:
        steps = list(WINDOW_STEPS)
        index = min(range(len(steps)), key=lambda i: abs(steps[i] - self.days))
        self.days = steps[max(0, min(len(steps) - 1, index + direction))]
        self.notify(f"Comparison windows: {self.days} days", timeout=2)
        if self.comparison is not None:
            self.compare(self.comparison.change.change_id)

    def action_widen(self) -> None:
        self._step(+1)

    def action_narrow(self) -> None:
        self._step(-1)

    def mark_target(self) -> MarkRequest | None:
        key = self.query_one("#changes", ReviewTable).selected_key
        if self.model is None or key is None:
            return None
        change = next(c for c in self.model.changes if c.change_id == key)
        cmp = self.comparison if self.comparison and self.comparison.change.change_id == key else None
        note = f"{cmp.verdict}: {cmp.reason}" if cmp else ""
        return MarkRequest(
            target_type="change",
            description=f"comparison of {change.change_id}: {change.title} ({self.model.names.scope(change)})",
            reason="rollout",
            org_id=change.org_id,
            workflow_id=change.workflow_id,
            target_ref=change.change_id,
            note=note,
        )


def _evidence(cmp: Comparison) -> Text:
    """The difference, what the scope usually does over windows this long, and whether the rest is chance."""
    ev = cmp.evidence
    if cmp.did is None:
        return Text()
    text = Text()
    text.append("Difference vs control ", style="bold")
    text.append(fmt.signed_pct(cmp.did))
    text.append(f" · usual {cmp.days}-day change {fmt.signed_pct(ev.usual_change)} · ")
    text.append("adjusted ", style="bold")
    text.append(fmt.signed_pct(ev.adjusted_did) if ev.adjusted_did is not None else "—")
    z = "—" if ev.z is None else f"{ev.z:.1f}"
    text.append(f" · z {z} ({chance_words(ev.z)})")
    text.append(f" · p {ev.p_value:.2f}" if ev.p_value is not None else " · p — (fewer than 20 earlier windows)")
    text.append("\n")
    text.append_text(placebo_histogram(ev.placebo_dids, cmp.did, ev.usual_change))
    return text


def _indexed(daily: list[tuple], before: WindowFigures | None) -> list[float]:
    base = before.events_per_day if before is not None else None
    if not base:
        return [float(n) for _, n in daily]
    return [round(n / base * 100, 1) for _, n in daily]


def _figures_table(cmp: Comparison) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
    table.add_column("Metric")
    for label in ("Before", "After"):
        table.add_column(label, justify="right")
    table.add_column("Δ", justify="right")
    has_control = cmp.control_before is not None and cmp.control_after is not None
    if has_control:
        table.add_column("Ctl before", justify="right")
        table.add_column("Ctl after", justify="right")
        table.add_column("Ctl Δ", justify="right")
    metrics = [
        ("Events/day", lambda f: f.events_per_day, "{:,.1f}", True),
        ("Active users", lambda f: f.active_users, "{:,}", True),
        ("Adoption", lambda f: f.adoption, "{:.0%}", False),
        ("Workflows", lambda f: f.workflows_active, "{:,}", True),
        ("AI share", lambda f: f.counts.ai_share, "{:.0%}", False),
        ("AI accept", lambda f: f.counts.ai_acceptance, "{:.0%}", False),
        ("Error rate", lambda f: f.counts.error_rate, "{:.1%}", False),
        ("Credits/day", lambda f: f.credits_per_day, "{:,.0f}", True),
    ]
    for label, get, spec, relative in metrics:
        cells = [label, *_pair(get(cmp.before), get(cmp.after), spec, relative)]
        if has_control:
            cells += _pair(get(cmp.control_before), get(cmp.control_after), spec, relative)
        table.add_row(*cells)
    return table


def _pair(before, after, spec: str, relative: bool) -> list[str]:
    def show(v) -> str:
        return "—" if v is None else spec.format(v)

    if before is None or after is None:
        delta = "—"
    elif relative:
        delta = "—" if not before else fmt.signed_pct((after - before) / before)
    else:
        delta = f"{(after - before) * 100:+.1f}pt".replace("+0.0pt", "±0.0pt").replace("-0.0pt", "±0.0pt")
    return [show(before), show(after), delta]
