"""The tables: reference data, raw events, daily rollups, follow-ups and the schema version.

Declared as SQLModel models (the project's chosen ORM layer); the store itself works with their SQLAlchemy
Core tables (`Organization`, `Event`, …, `metadata` below), since it only ever needs rows, never ORM objects.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Index, Integer
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 5
"""The layout version stored in `meta`; bump it together with a migration step in `store.engine`.

1: the first layout. 2: adds `daily_org_user` (filled from `daily_user` when a version-1 store is opened)
and widens the (org_id, day) index of `daily_user` to cover workflow_id and user_id. 3: adds `daily_org`
(filled from `daily_usage` when an older store is opened). 4: indexes `daily_usage`, `daily_org` and
`daily_org_user` by (org_id, day), so that one org's window reads its own rows, not every org's. 5: adds
`workflow_user` (filled from `daily_user` when an older store is opened)."""

NAIVE_UTC = DateTime(timezone=False)
"""Timestamps are stored as naive UTC. SQLModel ≥ 0.0.50 would otherwise make every `datetime` field a
TIMESTAMP WITH TIME ZONE that refuses naive values on insert (and, on PostgreSQL, reads the importer's naive
UTC values in the session's time zone)."""


class MetaRow(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class OrganizationRow(SQLModel, table=True):
    __tablename__ = "organizations"
    org_id: str = Field(primary_key=True)
    name: str
    plan: str
    seats: int
    included_credits: float


class WorkspaceRow(SQLModel, table=True):
    __tablename__ = "workspaces"
    workspace_id: str = Field(primary_key=True)
    org_id: str = Field(foreign_key="organizations.org_id", index=True)
    name: str


class WorkflowRow(SQLModel, table=True):
    __tablename__ = "workflows"
    workflow_id: str = Field(primary_key=True)
    workspace_id: str = Field(foreign_key="workspaces.workspace_id", index=True)
    name: str
    area: str
    owner: str
    ai_assisted: bool
    queue_backed: bool


class UserRow(SQLModel, table=True):
    __tablename__ = "users"
    user_id: str = Field(primary_key=True)
    org_id: str = Field(foreign_key="organizations.org_id", index=True)
    role: str
    trained_on: date | None = None


class ParsedEvent(SQLModel, table=True):
    """Raw events. `seq` orders arrival so an import can roll up exactly the rows it added."""

    __tablename__ = "events"
    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    event_id: str = Field(unique=True)
    ts: datetime = Field(sa_type=NAIVE_UTC)  # UTC, naive
    day: date  # the UTC date of ts
    org_id: str  # denormalised from the workflow at import time
    workflow_id: str = Field(foreign_key="workflows.workflow_id")
    user_id: str
    kind: str
    outcome: str
    credits: float


class ChangeRow(SQLModel, table=True):
    __tablename__ = "changes"
    change_id: str = Field(primary_key=True)
    date: date
    kind: str
    title: str
    org_id: str | None = Field(default=None, foreign_key="organizations.org_id")
    workflow_id: str | None = Field(default=None, foreign_key="workflows.workflow_id")


class DailyUsageRow(SQLModel, table=True):
    """Per day × workflow counts, kept current by the importer; summaries read this, not events."""

    __tablename__ = "daily_usage"
    __table_args__ = (Index("ix_daily_usage_org_day", "org_id", "day"),)  # schema 4 (was org_id alone)
    day: date = Field(primary_key=True)
    workflow_id: str = Field(primary_key=True)
    org_id: str
    events: int = 0
    manual: int = 0
    ai: int = 0
    queue: int = 0
    ok: int = 0
    error: int = 0
    accepted: int = 0
    rejected: int = 0
    credits: float = 0.0


class DailyUserRow(SQLModel, table=True):
    """Who was active per day × workflow: what distinct active users of workflows need."""

    __tablename__ = "daily_user"
    # Covering (schema 2): an org's per-workflow and per-workspace active users read the index alone.
    __table_args__ = (Index("ix_daily_user_org_day_workflow_user", "org_id", "day", "workflow_id", "user_id"),)
    day: date = Field(primary_key=True)
    workflow_id: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    org_id: str
    events: int = 0


class DailyOrgRow(SQLModel, table=True):
    """Events per day × org (schema 3): what the evidence reads over every stored day (gap search, placebo
    windows, a change's control group) without summing `daily_usage`'s workflow rows (12× fewer rows)."""

    __tablename__ = "daily_org"
    __table_args__ = (Index("ix_daily_org_org_day", "org_id", "day"),)  # schema 4
    day: date = Field(primary_key=True)
    org_id: str = Field(primary_key=True)
    events: int = 0


class DailyOrgUserRow(SQLModel, table=True):
    """Who was active per day × org (schema 2). Distinct active users of an org, or of every org, read here:
    one row per user and day rather than per user, workflow and day as in `daily_user` (about twenty times
    fewer rows at ten million events)."""

    __tablename__ = "daily_org_user"
    # Covering (schema 4): one org's users of a window, before it, per day, read the index alone.
    __table_args__ = (Index("ix_daily_org_user_org_day_user", "org_id", "day", "user_id"),)
    day: date = Field(primary_key=True)
    org_id: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    events: int = 0


class WorkflowUserRow(SQLModel, table=True):
    """Each user of each workflow with the first and the last day they had an event in it (schema 5).

    A window that ends on or after an org's newest day holds exactly the pairs whose last day falls in it: an
    org's active users per workflow and per workspace read one row per pair here, not one per pair and day in
    `daily_user` (the busiest org's 30 days at ten million events: 9,200 pairs against 142,000 user-days). A user
    was seen before a day exactly when a pair of theirs began before it: the lifecycle's "new or resurrecting"
    asks that of one row per pair, not of every user-day of the history before the previous window, which
    grows with every stored day."""

    __tablename__ = "workflow_user"
    # Covering: one org's pairs last active from a day on, the org's newest day, and its users' first days.
    __table_args__ = (
        Index("ix_workflow_user_org_last_day", "org_id", "last_day", "workflow_id", "user_id", "first_day"),
    )
    workflow_id: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    org_id: str
    first_day: date
    last_day: date


class FollowUpRow(SQLModel, table=True):
    __tablename__ = "followups"
    id: int | None = Field(default=None, primary_key=True)
    target_type: str  # org | workspace | workflow | spike | flag | change
    org_id: str | None = Field(default=None, index=True)
    workspace_id: str | None = None
    workflow_id: str | None = None
    target_ref: str | None = None  # spike date, flag kind or change id
    reason: str
    note: str = ""
    owner: str = ""
    status: str = Field(default="open", index=True)
    created_by: str
    created_at: datetime = Field(sa_type=NAIVE_UTC)  # UTC, naive
    closed_at: datetime | None = Field(default=None, sa_type=NAIVE_UTC)


# The Core tables the store's queries, importer and follow-ups are written against.
metadata = SQLModel.metadata
Meta = MetaRow.__table__
Organization = OrganizationRow.__table__
Workspace = WorkspaceRow.__table__
Workflow = WorkflowRow.__table__
User = UserRow.__table__
Event = ParsedEvent.__table__
Change = ChangeRow.__table__
DailyUsage = DailyUsageRow.__table__
DailyUser = DailyUserRow.__table__
DailyOrg = DailyOrgRow.__table__
DailyOrgUser = DailyOrgUserRow.__table__
WorkflowUser = WorkflowUserRow.__table__
FollowUp = FollowUpRow.__table__
