"""The plain shapes that cross from the store to the metrics layer.

They import nothing of SQL or Textual, so the metrics layer can be fed by hand in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class OrgRecord:
    org_id: str
    name: str
    plan: str
    seats: int
    included_credits: float


@dataclass(frozen=True, slots=True)
class WorkspaceRecord:
    workspace_id: str
    org_id: str
    name: str


@dataclass(frozen=True, slots=True)
class WorkflowRecord:
    workflow_id: str
    workspace_id: str
    org_id: str
    name: str
    area: str
    owner: str
    ai_assisted: bool
    queue_backed: bool


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    change_id: str
    date: date
    kind: str
    title: str
    org_id: str | None  # None: every org
    workflow_id: str | None  # None: the whole org


@dataclass(slots=True)
class DailyCounts:
    """One day of one workflow, as the daily rollup stores it; never changed once read.

    Not frozen: a frozen dataclass sets each field through `object.__setattr__`, which made building the tens
    of thousands of rows a summary reads three times slower (the largest single cost of the summary)."""

    day: date
    org_id: str
    workflow_id: str
    events: int
    manual: int
    ai: int
    queue: int
    ok: int
    error: int
    accepted: int
    rejected: int
    credits: float

    @classmethod
    def empty(cls, day: date, org_id: str, workflow_id: str) -> DailyCounts:
        """A day without events."""
        return cls(day, org_id, workflow_id, *(0 for _ in COUNT_FIELDS))


COUNT_FIELDS = ("events", "manual", "ai", "queue", "ok", "error", "accepted", "rejected", "credits")
"""The rollup's counts, in the order DailyCounts, the daily_usage table and metrics' Counts hold them; the
importer's rollup SQL is written from this tuple."""


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    id: int
    target_type: str
    org_id: str | None
    workspace_id: str | None
    workflow_id: str | None
    target_ref: str | None
    reason: str
    note: str
    owner: str
    status: str
    created_by: str
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class Catalog:
    """Every reference row (organizations, workspaces, workflows, changes): small, loaded whole."""

    orgs: dict[str, OrgRecord]
    workspaces: dict[str, WorkspaceRecord]
    workflows: dict[str, WorkflowRecord]
    changes: dict[str, ChangeRecord]

    def workflows_of(self, org_id: str) -> list[WorkflowRecord]:
        """The org's workflows, in id order."""
        return [w for w in self.workflows.values() if w.org_id == org_id]
