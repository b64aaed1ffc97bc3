"""The tables: reference data, raw events, daily rollups, follow-ups and the schema version.

Plain SQLAlchemy Core tables: the store never needs ORM objects, and not importing the ORM (nor SQLModel
and pydantic) takes a sixth of a second off the start of every command and of the TUI.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Table

SCHEMA_VERSION = 2
"""The layout version stored in `meta`; bump it together with a migration step in `store.engine`.

1: the first layout. 2: adds `daily_org_user` (filled from `daily_user` when a version-1 store is opened)
and widens the (org_id, day) index of `daily_user` to cover workflow_id and user_id."""

NAIVE_UTC = DateTime(timezone=False)
"""Timestamps are stored as naive UTC (a TIMESTAMP WITH TIME ZONE would, on PostgreSQL, read the importer's
naive UTC values in the session's time zone)."""

metadata = MetaData()


def _text(name: str, **kw) -> Column:
    return Column(name, String, nullable=kw.pop("nullable", False), **kw)


def _count(name: str) -> Column:
    return Column(name, Integer, nullable=False, default=0)


Meta = Table("meta", metadata, _text("key", primary_key=True), _text("value"))

Organization = Table(
    "organizations", metadata,
    _text("org_id", primary_key=True), _text("name"), _text("plan"),
    Column("seats", Integer, nullable=False), Column("included_credits", Float, nullable=False),
)

Workspace = Table(
    "workspaces", metadata,
    _text("workspace_id", primary_key=True),
    Column("org_id", String, ForeignKey("organizations.org_id"), nullable=False, index=True),
    _text("name"),
)

Workflow = Table(
    "workflows", metadata,
    _text("workflow_id", primary_key=True),
    Column("workspace_id", String, ForeignKey("workspaces.workspace_id"), nullable=False, index=True),
    _text("name"), _text("area"), _text("owner"),
    Column("ai_assisted", Boolean, nullable=False), Column("queue_backed", Boolean, nullable=False),
)

User = Table(
    "users", metadata,
    _text("user_id", primary_key=True),
    Column("org_id", String, ForeignKey("organizations.org_id"), nullable=False, index=True),
    _text("role"), Column("trained_on", Date, nullable=True),
)

Event = Table(
    # Raw events. `seq` orders arrival so an import can roll up exactly the rows it added.
    "events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    _text("event_id", unique=True),
    Column("ts", NAIVE_UTC, nullable=False),  # UTC, naive
    Column("day", Date, nullable=False),  # the UTC date of ts
    _text("org_id"),  # denormalised from the workflow at import time
    Column("workflow_id", String, ForeignKey("workflows.workflow_id"), nullable=False),
    _text("user_id"), _text("kind"), _text("outcome"),
    Column("credits", Float, nullable=False),
)

Change = Table(
    "changes", metadata,
    _text("change_id", primary_key=True), Column("date", Date, nullable=False), _text("kind"), _text("title"),
    Column("org_id", String, ForeignKey("organizations.org_id"), nullable=True),  # None: every org
    Column("workflow_id", String, ForeignKey("workflows.workflow_id"), nullable=True),  # None: the whole org
)

DailyUsage = Table(
    # Per day × workflow counts, kept current by the importer; summaries read this, not events.
    "daily_usage", metadata,
    Column("day", Date, primary_key=True), _text("workflow_id", primary_key=True), _text("org_id", index=True),
    *(_count(name) for name in ("events", "manual", "ai", "queue", "ok", "error", "accepted", "rejected")),
    Column("credits", Float, nullable=False, default=0.0),
)

DailyUser = Table(
    # Who was active per day × workflow: what distinct active users of workflows need.
    "daily_user", metadata,
    Column("day", Date, primary_key=True), _text("workflow_id", primary_key=True), _text("user_id", primary_key=True),
    _text("org_id"), _count("events"),
    # Covering (schema 2): an org's per-workflow and per-workspace active users read the index alone.
    Index("ix_daily_user_org_day_workflow_user", "org_id", "day", "workflow_id", "user_id"),
)

DailyOrgUser = Table(
    # Who was active per day × org (schema 2). Distinct active users of an org, or of every org, are read
    # here: one row per user and day rather than per user, workflow and day as in daily_user (about twenty
    # times fewer rows at ten million events).
    "daily_org_user", metadata,
    Column("day", Date, primary_key=True), _text("org_id", primary_key=True), _text("user_id", primary_key=True),
    _count("events"),
)

FollowUp = Table(
    "followups", metadata,
    Column("id", Integer, primary_key=True),
    _text("target_type"),  # org | workspace | workflow | spike | flag | change
    _text("org_id", nullable=True, index=True),
    _text("workspace_id", nullable=True),
    _text("workflow_id", nullable=True),
    _text("target_ref", nullable=True),  # spike date, flag kind or change id
    _text("reason"),
    _text("note", default=""),
    _text("owner", default=""),
    _text("status", default="open", index=True),
    _text("created_by"),
    Column("created_at", NAIVE_UTC, nullable=False),  # UTC, naive
    Column("closed_at", NAIVE_UTC, nullable=True),
)
