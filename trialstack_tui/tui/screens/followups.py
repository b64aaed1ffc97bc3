"""Follow-ups: the marks left for workflow owners. Filter by status and owner, close them, export them."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ... import report
from ...errors import UserFacingError
from ...exports import default_export_path, write_export
from ...records import FollowUpRecord
from ...safe_text import visible
from ...view_models import FollowUpList
from .. import format as fmt
from ..review_window import ReviewWindow
from ..widgets.detail_panel import DetailPanel
from ..widgets.dialogs import ConfirmDialog, TextDialog
from ..widgets.tables import Column, ReviewTable, Row
from .base import MarkSaved, ReviewScreen

COLUMNS = [
    Column("id", "#", numeric=True),
    Column("status", "Status"),
    Column("target", "Target", width=18),
    Column("org", "Org", width=16),
    Column("reason", "Reason"),
    Column("owner", "Owner", width=14),
    Column("note", "Note", width=30),
    Column("created", "Created"),
]
STATUS_CYCLE = ("open", "done", "all")
EXPORTS = {"csv": report.followups_csv, "md": report.followups_markdown}


class FollowUpsScreen(ReviewScreen[FollowUpList]):
    SCREEN_TITLE = "Follow-ups"
    TAB = "followups"
    FOCUS = "#followups"
    HELP = (
        "Marks left for workflow owners, newest first. o cycles open / done / all, u filters by owner, d closes "
        "(or reopens) the highlighted mark, e exports the listed marks as CSV and E as Markdown to a file whose "
        "path is shown. R writes the highlighted mark's owner a report (their open marks with what the data "
        "says now, their workflows' figures, changes and untrained users) as Markdown. Enter opens what the "
        "mark points at."
    )
    # Short footer words (the tooltip is the help's longer line), so every key fits the footer at 76 columns.
    BINDINGS = [
        Binding("o", "cycle_status", "Status", tooltip="Show open / done / all marks", id="followups-status"),
        Binding("u", "owner_filter", "Owner", tooltip="Show the marks of one owner (any case)", id="followups-owner"),
        Binding("d", "toggle_done", "Done", tooltip="Close the highlighted mark, or reopen it", id="followups-done"),
        Binding("e", "export('csv')", "Export", tooltip="Export the listed marks as CSV", id="export-csv"),
        Binding("E", "export('md')", "Export MD", tooltip="Export the listed marks as Markdown", id="export-markdown"),
        Binding("R", "owner_report", "Report", tooltip="Write the highlighted mark's owner's report", id="owner-report"),
    ]
    WINDOWED = False

    def __init__(self) -> None:
        super().__init__()
        self.status = "open"
        self.owner: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="followups-filters", classes="section")
        yield ReviewTable(COLUMNS, id="followups", sort_column=0, empty="No marks here")
        yield DetailPanel(id="followup-detail", classes="panel")
        yield Static(id="followups-export", classes="section")

    def fetch(self, window: ReviewWindow) -> FollowUpList:
        review = self.app.review
        return review.followup_list(status=self.status, owner=self.owner)

    def show(self, model: FollowUpList) -> None:
        owner = f" · owner {self.owner}" if self.owner else ""
        self.query_one("#followups-filters", Static).update(
            Text(f"Showing {self.status} marks{owner}: {len(model.marks)}", style="bold")
        )
        self.query_one("#followups", ReviewTable).set_rows([_row(m, model) for m in model.marks])

    def describe(self, window: ReviewWindow, model: FollowUpList) -> str:
        return f"{self.status} marks{f' for {self.owner}' if self.owner else ''} · {self.app.store_label}"

    @on(ReviewTable.RowHighlighted, "#followups")
    def _highlighted(self) -> None:
        mark = self.selected()
        detail = self.query_one("#followup-detail", DetailPanel)
        if mark is None or self.model is None:
            detail.show("")
            return
        closed = f" · closed {mark.closed_at:%Y-%m-%d %H:%M}" if mark.closed_at else ""
        detail.show(fmt.fact_lines([
            ("Target", fmt.data(_target(mark, self.model)), False),
            ("Org", fmt.data(self.model.names.org(mark.org_id) or "—"), False),
            ("Owner", fmt.data(mark.owner), False),
            ("Reason", mark.reason.replace("_", " "), False),
            ("Note", fmt.data(mark.note), False),
            ("Marked", Text.assemble(fmt.data(mark.created_by), f" · {mark.created_at:%Y-%m-%d %H:%M} UTC{closed}"), False),
        ]))

    def selected(self) -> FollowUpRecord | None:
        key = self.query_one("#followups", ReviewTable).selected_key
        if self.model is None or key is None:
            return None
        return next((m for m in self.model.marks if str(m.id) == key), None)

    def action_cycle_status(self) -> None:
        self.status = STATUS_CYCLE[(STATUS_CYCLE.index(self.status) + 1) % len(STATUS_CYCLE)]
        self.reload()

    def action_owner_filter(self) -> None:
        current = self.selected()
        suggestion = self.owner or (current.owner if current else "")

        def chosen(value: str | None) -> None:
            if value is not None:
                self.owner = value.strip() or None
                self.reload()

        self.app.push_screen(TextDialog("Show marks for owner (empty: everyone)", suggestion), chosen)

    def action_toggle_done(self) -> None:
        mark = self.selected()
        if mark is None:
            return
        if self.app.read_only:
            self.notify("This store is open read-only: marks cannot be changed.", severity="warning")
            return
        self._set_status(mark.id, "open" if mark.status == "done" else "done")

    def _set_status(self, mark_id: int, status: str) -> None:
        def changed(_mark: FollowUpRecord) -> None:
            self.notify(f"#{mark_id} is {status}")
            self.reload()

        self.build_in_worker(
            lambda: self.app.review.set_followup_status(mark_id, status), changed, self._write_failed,
            group="followup-write", exclusive=False,
        )

    def _write_failed(self, message: str) -> None:
        self.notify(message, severity="error")

    @on(MarkSaved)
    def _mark_saved(self) -> None:
        """A mark made anywhere (a drill-down opened from this list, say) shows here at once, without `r`."""
        self.reload()

    def action_export(self, kind: str) -> None:
        if self.model is None:
            return
        content = EXPORTS[kind](self.model.marks, self.model.names)
        path = default_export_path(f"followups-{self.status}", kind)
        count = len(self.model.marks)
        self._write(path, content, f"Exported {count} {'mark' if count == 1 else 'marks'} to", overwrite=False)

    def action_owner_report(self) -> None:
        mark = self.selected()
        if mark is None:
            self.notify("Highlight a mark: R writes the report for its owner.", severity="warning")
            return
        if not mark.owner.strip():
            self.notify("This mark has no owner to report to.", severity="warning")
            return
        self._build_owner_report(mark.owner, self.app.window)

    def _build_owner_report(self, owner: str, window: ReviewWindow) -> None:
        def build() -> tuple[Path, str]:
            model = self.app.review.owner_report(owner, days=window.days, as_of=window.as_of)
            return default_export_path(report.owner_report_stem(owner), "md"), report.owner_report_markdown(model)

        def write(built: tuple[Path, str]) -> None:
            self._write(*built, f"Wrote the report for {visible(owner)} to")

        self.build_in_worker(build, write, self._write_failed, group="owner-report")

    def _write(self, path: Path, content: str, done: str, *, overwrite: bool = False) -> None:
        try:
            written = write_export(path, content, overwrite=overwrite)
        except UserFacingError as exc:
            if path.exists() and not overwrite:
                self.app.push_screen(
                    ConfirmDialog(f"{path} exists. Overwrite it?"),
                    lambda yes: self._write(path, content, done, overwrite=True) if yes else None,
                )
            else:
                self.notify(str(exc), severity="error")
            return
        message = f"{done} {visible(written)}"
        self.query_one("#followups-export", Static).update(Text(message))
        self.notify(message, markup=False)

    @on(ReviewTable.RowSelected, "#followups")
    def open_target(self, event: ReviewTable.RowSelected) -> None:
        mark = self.selected()
        if mark is None:
            return
        if mark.workflow_id:
            self.app.open_workflow(mark.workflow_id)
        elif mark.target_type == "change" and mark.target_ref:
            self.app.open_comparison(mark.target_ref)
        elif mark.org_id:
            self.app.open_org(mark.org_id)


def _target(m: FollowUpRecord, model: FollowUpList) -> str:
    name = model.names.workflow(m.workflow_id)
    ref = f" {m.target_ref}" if m.target_type in ("spike", "change") and m.target_ref else ""
    return f"{m.target_type}{ref}{': ' + name if name else ''}"


def _row(m: FollowUpRecord, model: FollowUpList) -> Row:
    org = model.names.org(m.org_id)
    return Row(
        key=str(m.id),
        cells=[
            fmt.num(m.id, "d"),
            Text(m.status, style="green" if m.status == "done" else "bold yellow"),
            fmt.data(_target(m, model)),
            fmt.data(org),
            fmt.data(m.reason.replace("_", " ")),
            fmt.data(m.owner),
            fmt.data(m.note),
            Text(m.created_at.strftime("%Y-%m-%d %H:%M")),
        ],
        sort_values=[m.id, m.status, _target(m, model), org.casefold(), m.reason, m.owner.casefold(), m.note, m.created_at],
    )
