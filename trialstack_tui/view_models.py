"""The view models the review seam returns, and the choices it accepts.

Plain data over metrics and records: screens import this module (not `review`, which imports the store), so
the TUI can draw its first frame before SQLAlchemy is even imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from datetime import date

from .metrics.billing import BudgetOutlook, Projection
from .metrics.evidence import Gap
from .metrics.spikes import Spike
from .metrics.summary import Flag, OrgSummary, Summary, WorkflowSummary
from .metrics.windows import DaySpan
from .records import Catalog, ChangeRecord, DailyCounts, FollowUpRecord, WorkflowRecord, WorkspaceRecord


@dataclass(frozen=True)
class WorkspaceLine:
    workspace: WorkspaceRecord
    events: int
    workflows_active: int
    workflows_total: int
    active_users: int


@dataclass(frozen=True)
class UntrainedUser:
    """A user active in the window or the previous one who is not trained by the as-of date.

    Their lifecycle state says what to do: a new untrained user is a training task, a dormant one an
    adoption gap."""

    user_id: str
    role: str  # '' when the user is not in the users file
    state: str  # one of metrics.lifecycle.STATES


def workspace_lines(summary: Summary, active_by_workspace: dict[str, int]) -> list[WorkspaceLine]:
    """One line per workspace of the summary's (one) org, busiest first: its events, workflows in use and
    active users (`active_by_workspace`, by workspace id; absent is none)."""
    lines = []
    for ws in summary.catalog.workspaces.values():
        members = [w for w in summary.workflows if w.workflow.workspace_id == ws.workspace_id]
        lines.append(WorkspaceLine(
            workspace=ws,
            events=sum(w.activity.events for w in members),
            workflows_active=sum(1 for w in members if w.activity.events),
            workflows_total=len(members),
            active_users=active_by_workspace.get(ws.workspace_id, 0),
        ))
    lines.sort(key=lambda line: (-line.events, line.workspace.name))
    return lines


@dataclass(frozen=True)
class OrgDetail:
    """The org drill-down: its summary, workflows, workspaces, daily kinds, changes and untrained users."""

    summary: Summary  # the quick summary restricted to this org
    org: OrgSummary
    workspaces: list[WorkspaceLine]
    changes: list[ChangeRecord]
    untrained: list[UntrainedUser]  # active now or in the previous window, not trained, by user id

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
    flags: list[Flag]  # the org's flags that name this workflow
    expected: list[float | None]  # per window day: the median of the same weekday in the 4 weeks before
    gaps: list[Gap]  # the org's data gaps


@dataclass(frozen=True)
class BillingLine:
    org_id: str
    name: str
    plan: str
    projection: Projection
    budget: BudgetOutlook


@dataclass(frozen=True)
class BillingView:
    """The billing screen (and `billing --json`): every org's month, highest risk first."""

    as_of: date
    lines: list[BillingLine]


@dataclass(frozen=True)
class ChangeVerdict:
    """A change that touched a workflow, with its §3 comparison's verdict and reason."""

    change: ChangeRecord
    verdict: str
    reason: str


@dataclass(frozen=True)
class OwnerWorkflow:
    """One of an owner's workflows as the owner's report shows it."""

    summary: WorkflowSummary  # with active users and lifecycle
    org_name: str
    workspace_name: str
    flags: list[Flag]
    changes: list[ChangeVerdict]
    untrained: list[UntrainedUser]  # users of this workflow, active now or before, not trained


@dataclass(frozen=True)
class OwnerMark:
    """An open mark for the owner: what it points at, by name, and what the data says about it now."""

    mark: FollowUpRecord
    target: str
    org_name: str
    findings: list[str]  # the current details of the flags, spike or comparison the mark is about


@dataclass(frozen=True)
class OwnerReport:
    """Everything `report --owner` and `R` on the follow-ups screen write for one owner."""

    owner: str
    as_of: date
    window: DaySpan
    previous: DaySpan
    marks: list[OwnerMark]
    workflows: list[OwnerWorkflow]


@dataclass(frozen=True)
class Names:
    """Org and workflow names by id: what a person reads where the stored rows carry ids."""

    orgs: dict[str, str]
    workflows: dict[str, str]

    @classmethod
    def of(cls, catalog: Catalog) -> Names:
        return cls({k: o.name for k, o in catalog.orgs.items()}, {k: w.name for k, w in catalog.workflows.items()})

    def org(self, org_id: str | None) -> str:
        return "" if org_id is None else self.orgs.get(org_id, org_id)

    def workflow(self, workflow_id: str | None) -> str:
        return "" if workflow_id is None else self.workflows.get(workflow_id, workflow_id)

    def scope(self, change: ChangeRecord) -> str:
        """Who a change reached, by name: every org, an org, or one workflow of an org."""
        if change.org_id is None:
            return "every org"
        org = self.org(change.org_id)
        return f"{org} / {self.workflow(change.workflow_id)}" if change.workflow_id else org


@dataclass(frozen=True)
class FollowUpList:
    """The follow-ups screen: the marks asked for, newest first, and the names their ids stand for."""

    marks: list[FollowUpRecord]
    names: Names


@dataclass(frozen=True)
class ChangeList:
    """The rollout screen's list: the changes up to the as-of date, newest first, and the names of their scope."""

    changes: list[ChangeRecord]
    names: Names
