"""Read queries. Aggregates come from the daily rollups; raw events are never scanned here.

Distinct active users come from `daily_org_user` (one row per user and day) unless a question names
workflows, which only `daily_user` (one row per user, workflow and day, many times bigger) can answer, or
`workflow_user` (one row per user and workflow) for a window ending on or after its org's newest day.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import fields
from datetime import date, timedelta

from sqlalchemy import Connection, and_, case, distinct, func, literal, select, tuple_, union_all

from ..metrics.lifecycle import UserState
from ..records import Catalog, ChangeRecord, DailyCounts, OrgRecord, WorkflowRecord, WorkspaceRecord
from .tables import (
    Change, DailyOrg, DailyOrgUser, DailyUsage, DailyUser, Event, Organization, User, Workflow, WorkflowUser,
    Workspace,
)


def catalog(conn: Connection, *, org_id: str | None = None) -> Catalog:
    """Every organization, workspace, workflow and change (reference data is small); with `org_id`, that org,
    its workspaces and workflows only, and every change. An org's or a workflow's drill-down reads its org's
    (25 workflows of 425 at 10M events): reading them all took 3-4 ms of its build, a sixth of a small org's."""
    orgs_query = select(Organization).order_by(Organization.c.org_id)
    workspaces_query = select(Workspace).order_by(Workspace.c.workspace_id)
    workflows_query = select(Workflow).order_by(Workflow.c.workflow_id)
    if org_id is not None:
        orgs_query = orgs_query.where(Organization.c.org_id == org_id)
        workspaces_query = workspaces_query.where(Workspace.c.org_id == org_id)
        workflows_query = workflows_query.where(
            Workflow.c.workspace_id.in_(select(Workspace.c.workspace_id).where(Workspace.c.org_id == org_id))
        )
    orgs = {
        r.org_id: OrgRecord(r.org_id, r.name, r.plan, r.seats, r.included_credits)
        for r in conn.execute(orgs_query)
    }
    workspaces = {
        r.workspace_id: WorkspaceRecord(r.workspace_id, r.org_id, r.name)
        for r in conn.execute(workspaces_query)
    }
    workflows = {
        r.workflow_id: WorkflowRecord(
            r.workflow_id, r.workspace_id, workspaces[r.workspace_id].org_id, r.name, r.area, r.owner,
            bool(r.ai_assisted), bool(r.queue_backed),
        )
        for r in conn.execute(workflows_query)
    }
    changes = {
        r.change_id: ChangeRecord(r.change_id, r.date, r.kind, r.title, r.org_id, r.workflow_id)
        for r in conn.execute(select(Change).order_by(Change.c.date, Change.c.change_id))
    }
    return Catalog(orgs=orgs, workspaces=workspaces, workflows=workflows, changes=changes)


def org_of_workflow(conn: Connection, workflow_id: str) -> str | None:
    """The org a workflow belongs to (through its workspace); None for an unknown workflow."""
    query = (
        select(Workspace.c.org_id)
        .join(Workflow, Workflow.c.workspace_id == Workspace.c.workspace_id)
        .where(Workflow.c.workflow_id == workflow_id)
    )
    return conn.execute(query).scalar()


def data_range(conn: Connection) -> tuple[date, date] | None:
    """The first and last day that have events, or None for a store without events."""
    # Two reads: SQLite answers a lone MIN or MAX from the index's ends, both together by a scan.
    first = conn.execute(select(func.min(DailyUsage.c.day))).scalar_one()
    if first is None:
        return None
    return first, conn.execute(select(func.max(DailyUsage.c.day))).scalar_one()


def daily_counts(
    conn: Connection,
    start: date,
    end: date,
    *,
    org_ids: Collection[str] | None = None,
    workflow_ids: Collection[str] | None = None,
) -> list[DailyCounts]:
    """Rollup rows for days start..end inclusive, optionally only some orgs or workflows."""
    query = _rollup_scope(
        select(*(DailyUsage.c[name] for name in _COUNTS_COLUMNS)), DailyUsage, start, end, org_ids, None, workflow_ids
    )
    # Positional rows straight into the record: tens of thousands of rows for a 90-day window.
    return [DailyCounts(*row) for row in conn.execute(query.order_by(DailyUsage.c.day, DailyUsage.c.workflow_id))]


_COUNTS_COLUMNS = tuple(field.name for field in fields(DailyCounts))


def _rollup_scope(query, table, start: date, end: date, org_ids, exclude_org_ids, workflow_ids):
    """A daily rollup's rows of days start..end, of the orgs or workflows asked for (a table with a
    workflow_id where workflows are asked for: daily_usage or daily_user)."""
    query = query.where(_days(table, start, end, workflow_ids))
    if org_ids is not None:
        query = query.where(table.c.org_id.in_(list(org_ids)))
    if exclude_org_ids:
        query = query.where(table.c.org_id.not_in(list(exclude_org_ids)))
    if workflow_ids is not None:
        query = query.where(table.c.workflow_id.in_(list(workflow_ids)))
    return query


def _days(table, start: date, end: date, workflow_ids: Collection[str] | None):
    """Days start..end of a rollup. Where workflows are named in `daily_user`, each day is named: its indexes
    run (org_id, day, workflow_id, user_id) and (day, workflow_id, user_id), so a range of days reads every
    workflow's users of those days to keep one workflow's, and a list of days seeks (day, workflow) instead
    (a workflow of the busiest org at ten million events: its daily active users 7.8 → 0.6 ms on SQLite,
    14 → 3 ms on PostgreSQL)."""
    if table is not DailyUser or workflow_ids is None:
        return and_(table.c.day >= start, table.c.day <= end)
    return table.c.day.in_([start + timedelta(days=i) for i in range((end - start).days + 1)])


def daily_org_events(conn: Connection, start: date, end: date, *, org_ids: Collection[str] | None = None) -> dict[str, dict[date, int]]:
    """Per org, events per day in start..end (days without events absent)."""
    query = _rollup_scope(
        select(DailyOrg.c.org_id, DailyOrg.c.day, DailyOrg.c.events), DailyOrg, start, end, org_ids, None, None
    )
    result: dict[str, dict[date, int]] = {}
    for org_id, day, n in conn.execute(query):
        result.setdefault(org_id, {})[day] = int(n)
    return result


def daily_events(
    conn: Connection,
    start: date,
    end: date,
    *,
    org_ids: Collection[str] | None = None,
    exclude_org_ids: Collection[str] | None = None,
    workflow_ids: Collection[str] | None = None,
) -> dict[date, int]:
    """Events per day in start..end (days without events absent), summed over the orgs or workflows asked for."""
    table = DailyUsage if workflow_ids is not None else DailyOrg
    query = _rollup_scope(
        select(table.c.day, func.sum(table.c.events)), table, start, end, org_ids, exclude_org_ids, workflow_ids
    )
    return {day: int(n) for day, n in conn.execute(query.group_by(table.c.day))}


def _user_table(group_by: str | None, workflow_ids: Collection[str] | None):
    """The smallest rollup that answers a distinct-users question at this grain."""
    return DailyUser if group_by == "workflow_id" or workflow_ids is not None else DailyOrgUser


def active_users(
    conn: Connection,
    start: date,
    end: date,
    *,
    org_ids: Collection[str] | None = None,
    exclude_org_ids: Collection[str] | None = None,
    workflow_ids: Collection[str] | None = None,
) -> int:
    """Distinct users with an event in start..end, of the orgs or workflows asked for (all: None)."""
    table = _user_table(None, workflow_ids)
    users = _rollup_scope(select(table.c.user_id), table, start, end, org_ids, exclude_org_ids, workflow_ids)
    return conn.execute(select(func.count()).select_from(users.distinct().subquery())).scalar_one()


def active_users_per_org(conn: Connection, start: date, end: date, *, trained_by: date | None = None) -> dict[str, int]:
    """Per org, distinct users with an event in start..end; with `trained_by`, only those whose `trained_on` is
    on or before that day.

    Counted over the window's distinct (org, user) pairs: PostgreSQL hashes them once, where COUNT(DISTINCT)
    sorted every user-day of the window per group (per org 18 -> 7 ms at 10M events; SQLite about the same)."""
    pairs = select(DailyOrgUser.c.org_id, DailyOrgUser.c.user_id).where(
        DailyOrgUser.c.day >= start, DailyOrgUser.c.day <= end
    )
    if trained_by is not None:
        pairs = pairs.join(User, User.c.user_id == DailyOrgUser.c.user_id).where(
            User.c.trained_on.is_not(None), User.c.trained_on <= trained_by
        )
    pairs = pairs.distinct().subquery()
    return {org_id: n for org_id, n in conn.execute(select(pairs.c.org_id, func.count()).group_by(pairs.c.org_id))}


def daily_active_users(
    conn: Connection,
    start: date,
    end: date,
    *,
    org_ids: Collection[str] | None = None,
    workflow_ids: Collection[str] | None = None,
) -> dict[date, int]:
    """Distinct active users per day."""
    table = _user_table(None, workflow_ids)
    query = _rollup_scope(
        select(table.c.day, func.count(distinct(table.c.user_id))), table, start, end, org_ids, None, workflow_ids
    )
    return {day: n for day, n in conn.execute(query.group_by(table.c.day))}


def orgs_with_user_data(conn: Connection) -> set[str]:
    """Orgs that have at least one row in the users file (trained share is null elsewhere)."""
    return set(conn.execute(select(User.c.org_id).distinct()).scalars())


def _user_lifecycle(
    start: date,
    end: date,
    previous_start: date,
    *,
    group_by: str,
    org_ids: Collection[str] | None,
    workflow_ids: Collection[str] | None,
):
    """Per scope key and user active in previous_start..end: whether active in the window start..end and in
    the previous window, their user-days in the window, and their lifecycle state
    (`metrics.lifecycle.STATES`), all computed in SQL over the per-day user rollup and `workflow_user`.

    "First event in the window" is "no event in the scope before the window": whether a (key, user) pair had
    one before the previous window is read from `workflow_user`'s first days. History after `end` is never
    read.
    """
    table = _user_table(group_by, workflow_ids)
    day = table.c.day
    key = table.c[group_by]

    in_window = case((day >= start, 1), else_=0)
    recent = select(
        key.label("key"),
        table.c.user_id,
        func.max(in_window).label("now"),
        func.max(case((day < start, 1), else_=0)).label("prev"),
        func.sum(in_window).label("user_days"),
    ).where(_days(table, previous_start, end, workflow_ids))
    if org_ids is not None:
        recent = recent.where(table.c.org_id.in_(list(org_ids)))
    if workflow_ids is not None:
        recent = recent.where(DailyUser.c.workflow_id.in_(list(workflow_ids)))
    recent = recent.group_by(key, table.c.user_id).subquery()
    # Seen before the previous window: a pair of the user's in the scope began before it (`workflow_user`, one row
    # a pair, where the rollups' history before the window holds every user-day of it); named workflows' pairs
    # sought by the primary key alone (an org filter would read every pair of their org). A row-value IN over a
    # plain subquery: SQLite builds one ephemeral index of it (a LEFT JOIN to a DISTINCT subquery was planned as
    # a nested loop for one org: a minute at a million events).
    began = select(WorkflowUser.c[group_by], WorkflowUser.c.user_id).where(WorkflowUser.c.first_day < previous_start)
    if workflow_ids is not None:
        began = began.where(WorkflowUser.c.workflow_id.in_(list(workflow_ids)))
    elif org_ids is not None:
        began = began.where(WorkflowUser.c.org_id.in_(list(org_ids)))
    seen_before = tuple_(recent.c.key, recent.c.user_id).in_(began)
    state = case(
        (and_(recent.c.now == 1, recent.c.prev == 0, ~seen_before), "new"),
        (and_(recent.c.now == 1, recent.c.prev == 1), "returning"),
        (recent.c.now == 1, "resurrecting"),
        else_="dormant",
    ).label("state")
    return select(recent.c.key, recent.c.user_id, recent.c.user_days, state).subquery()


def lifecycle(
    conn: Connection,
    start: date,
    end: date,
    previous_start: date,
    *,
    group_by: str = "org_id",
    org_ids: Collection[str] | None = None,
    workflow_ids: Collection[str] | None = None,
) -> dict[str, tuple[dict[str, int], int]]:
    """Per `org_id` / `workflow_id`: users by lifecycle state, and user-days in the window (grouped counts)."""
    users = _user_lifecycle(start, end, previous_start, group_by=group_by, org_ids=org_ids, workflow_ids=workflow_ids)
    query = select(users.c.key, users.c.state, func.count(), func.sum(users.c.user_days)).group_by(
        users.c.key, users.c.state
    )
    found: dict[str, tuple[dict[str, int], int]] = {}
    for key, name, n, user_days in conn.execute(query):
        states, total_days = found.get(key, ({}, 0))
        states[name] = n
        found[key] = (states, total_days + int(user_days or 0))
    return found


def user_states(
    conn: Connection,
    start: date,
    end: date,
    previous_start: date,
    *,
    group_by: str = "org_id",
    org_ids: Collection[str] | None = None,
    workflow_ids: Collection[str] | None = None,
) -> list[UserState]:
    """Every user active in the window or the previous one, per `org_id` / `workflow_id`: user-days in the
    window, lifecycle state, role and training date (from the users file; '' and None when not in it),
    ordered by key and user. One read answers a scope's active users now and before, who of them is
    trained, its lifecycle and its untrained users."""
    users = _user_lifecycle(start, end, previous_start, group_by=group_by, org_ids=org_ids, workflow_ids=workflow_ids)
    query = (
        select(users.c.key, users.c.user_id, users.c.user_days, users.c.state, User.c.role, User.c.trained_on)
        .join(User, User.c.user_id == users.c.user_id, isouter=True)
        .order_by(users.c.key, users.c.user_id)
    )
    return [
        UserState(key, user_id, int(user_days or 0), state, role or "", trained_on)
        for key, user_id, user_days, state, role, trained_on in conn.execute(query)
    ]


def active_users_by_workflow_and_workspace(
    conn: Connection, start: date, end: date, org_id: str
) -> tuple[dict[str, int], dict[str, int]]:
    """The org's distinct users with an event in start..end, per workflow and per workspace (absent: none).

    The org's distinct (workflow, user) pairs of the window, counted both ways in SQL: a few dozen rows come
    back rather than every pair, so the read can run on a thread of its own without trading the interpreter
    lock row by row with the one beside it. Where no pair of the org was active after `end` (every window
    ending on the org's newest day or later, as the review's default as-of does), a pair is in the window
    exactly when its last day is, and `workflow_user` holds one row per pair; for a window ending earlier,
    the pairs of its days come from `daily_user` (the busiest org's 30 days at ten million events: 9,200
    pairs read from 142,000 user-days, through a sort of them all).
    """
    newest = conn.execute(select(func.max(WorkflowUser.c.last_day)).where(WorkflowUser.c.org_id == org_id)).scalar()
    if newest is None or newest <= end:
        pairs = (
            select(WorkflowUser.c.workflow_id, WorkflowUser.c.user_id)
            .where(WorkflowUser.c.org_id == org_id, WorkflowUser.c.last_day >= start)
            .subquery("pairs")
        )
    else:
        pairs = (
            select(DailyUser.c.workflow_id, DailyUser.c.user_id)
            .where(DailyUser.c.org_id == org_id, DailyUser.c.day >= start, DailyUser.c.day <= end)
            .distinct()
            .subquery("pairs")
        )
    per_workflow = select(literal(0), pairs.c.workflow_id, func.count()).group_by(pairs.c.workflow_id)
    # A workspace's users: its distinct (workspace, user) pairs, hashed, where COUNT(DISTINCT) sorted them
    # (the busiest org's query 13 -> 9 ms on PostgreSQL; the same on SQLite), as `active_users_per_org`.
    workspace_users = (
        select(Workflow.c.workspace_id, pairs.c.user_id)
        .select_from(pairs.join(Workflow, Workflow.c.workflow_id == pairs.c.workflow_id))
        .distinct()
        .subquery()
    )
    per_workspace = select(literal(1), workspace_users.c.workspace_id, func.count()).group_by(
        workspace_users.c.workspace_id
    )
    found: tuple[dict[str, int], dict[str, int]] = ({}, {})
    for grain, key, users in conn.execute(union_all(per_workflow, per_workspace)):
        found[grain][key] = users
    return found


def last_event_seq(conn: Connection) -> int:
    """The arrival number of the newest stored event (0 for none). Imports only add events, one import at a
    time, together with their rollups: two reads that see the same number see the same events and rollups."""
    return conn.execute(select(func.coalesce(func.max(Event.c.seq), 0))).scalar_one()
