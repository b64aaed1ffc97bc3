"""The view models the review seam returns, and the choices it accepts.

Plain data over metrics and records: screens import this module (not `review`, which imports the store), so
the TUI can draw its first frame before SQLAlchemy is even imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from .metrics.billing import Projection
from .metrics.evidence import Gap
from .metrics.spikes import Spike
from .metrics.summary import FLAG_KINDS, OrgSummary, Summary, WorkflowSummary
from .records import ChangeRecord, DailyCounts, WorkflowRecord, WorkspaceRecord

DEFAULT_DAYS = 30
WINDOW_CHOICES = (7, 30, 90)
FOLLOWUP_REASONS = (*FLAG_KINDS, "rollout", "other")


@dataclass(frozen=True)
class WorkspaceLine:
    workspace: WorkspaceRecord
    events: int
    workflows_active: int
    workflows_total: int
    active_users: int


@dataclass(frozen=True)
class OrgDetail:
    """The org drill-down: its summary, workflows, workspaces, daily kinds, changes and untrained users."""

    summary: Summary  # the quick summary restricted to this org
    org: OrgSummary
    workspaces: list[WorkspaceLine]
    changes: list[ChangeRecord]
    untrained_active: list[tuple[str, str]]  # (user_id, role) active in the window, not trained

    @property
    def workflows(self) -> list[WorkflowSummary]:
        return self.summary.workflows


@dataclass(frozen=True)
class WorkflowDetail:
    workflow: WorkflowRecord
    workspace: WorkspaceRecord
    org_name: str
    summary: WorkflowSummary
    days: list[DailyCounts]  # one per window day (zeros filled in)
    daily_active: list[int]
    spikes: list[Spike]
    changes: list[ChangeRecord]
    flags: list  # the org's flags that name this workflow
    expected: list[float | None]  # per window day: the median of the same weekday in the 4 weeks before
    gaps: list[Gap]  # the org's data gaps


@dataclass(frozen=True)
class BillingLine:
    org_id: str
    name: str
    plan: str
    projection: Projection
