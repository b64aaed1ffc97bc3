"""Row builders and mark requests shared by several screens (flags appear on summary, org and workflow)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical

from . import format as fmt
from ..marks import MarkRequest
from .widgets.detail_panel import DetailPanel
from .widgets.tables import Column, ReviewTable, Row

if TYPE_CHECKING:
    from ..metrics.summary import Flag, Summary
    from ..records import ChangeRecord, WorkflowRecord
    from ..view_models import Names

FLAG_COLUMNS = [
    Column("kind", "Flag"),
    Column("org", "Org", width=18),
    Column("workflow", "Workflow", width=22),
    Column("detail", "Detail"),
]


class FlagSection(Vertical):
    """A flags table and, under it, the highlighted flag in full: the Detail column is cut at any width."""

    def __init__(self, table_id: str, empty: str) -> None:
        super().__init__(classes="flag-section")
        self.table_id = table_id
        self.empty = empty
        self._row: int | None = None  # the highlighted row, to tell a move from a reload

    def compose(self) -> ComposeResult:
        yield ReviewTable(FLAG_COLUMNS, id=self.table_id, empty=self.empty)
        yield DetailPanel(classes="flag-detail panel")

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.query_one(ReviewTable).set_rows(rows)
        self.show_detail()

    @on(ReviewTable.RowHighlighted)
    def _show_detail(self, event: ReviewTable.RowHighlighted) -> None:
        self.show_detail()
        moved = self._row is not None and event.cursor_row != self._row
        self._row = event.cursor_row
        if moved and event.data_table.has_focus:
            # The administrator moved (a reload keeps the row: no scrolling then); the new detail may wrap
            # onto more lines.
            self._reveal()

    def on_descendant_focus(self) -> None:
        if getattr(self.screen, "focus_settled", True):  # the screen's own first focus scrolls nothing
            self._reveal()

    def _reveal(self) -> None:
        # On a scrolled screen, bring the detail into view with the table, not the table alone.
        self.call_after_refresh(self.scroll_visible, animate=False)

    def show_detail(self) -> None:
        """Show the highlighted flag's kind, where, and its whole detail, wrapped; nothing when there is none."""
        row = self.query_one(ReviewTable).selected_row()
        panel = self.query_one(".flag-detail", DetailPanel)
        panel.display = row is not None
        if row is not None:
            kind, org, workflow, detail = row.cells
            where = Text(" / ").join(part for part in (org, workflow) if part.plain)
            panel.show(Text.assemble(kind, " · ", where, "\n", detail))


def flag_mark(flag: Flag, summary: Summary) -> MarkRequest:
    """A mark for one flag (a spike flag marks the spike); the seam makes the flagged workflow's owner its owner."""
    workflows = {w.workflow.workflow_id: w.workflow for w in summary.workflows}
    wf = workflows.get(flag.workflow_id or "")
    spike = flag.kind == "spike"
    return MarkRequest(
        target_type="spike" if spike else "flag",
        description=f"{flag.kind.replace('_', ' ')}: {flag.detail}",
        reason=flag.kind,
        org_id=flag.org_id,
        workspace_id=wf.workspace_id if wf else None,
        workflow_id=flag.workflow_id,
        target_ref=flag.day.isoformat() if spike and flag.day else flag.kind,
        note=flag.detail,
    )


def flag_row(index: int, f: Flag, names: dict[str, str], wf_names: dict[str, str]) -> Row:
    return Row(
        key=str(index),
        cells=[
            Text(f.kind.replace("_", " "), style="bold yellow"),
            fmt.data(names.get(f.org_id, f.org_id)),
            fmt.data(wf_names.get(f.workflow_id, "") if f.workflow_id else ""),
            fmt.data(f.detail),
        ],
        sort_values=[f.kind, names.get(f.org_id, f.org_id).casefold(), f.workflow_id or "", f.detail],
    )


def workflow_mark(workflow: WorkflowRecord, flags: Sequence[Flag]) -> MarkRequest:
    """A mark for a workflow, with the reason of its first flag; the seam makes its owner the mark's owner."""
    return MarkRequest(
        target_type="workflow",
        description=f"workflow {workflow.name} ({workflow.workflow_id})",
        reason=flags[0].kind if flags else "other",
        org_id=workflow.org_id,
        workspace_id=workflow.workspace_id,
        workflow_id=workflow.workflow_id,
        note=flags[0].detail if flags else "",
    )


CHANGE_COLUMNS = [
    Column("date", "Date"),
    Column("kind", "Kind"),
    Column("scope", "Scope", width=18),
    Column("title", "Title", width=40),
]


def change_row(c: ChangeRecord, names: Names) -> Row:
    scope = names.scope(c)
    return Row(
        key=c.change_id,
        cells=[Text(c.date.isoformat()), fmt.data(c.kind), fmt.data(scope), fmt.data(c.title)],
        sort_values=[c.date, c.kind, scope.casefold(), c.title.casefold()],
    )
