"""The seam: runs the store's queries, hands the rows to metrics and returns view models.

The CLI and every screen call only this module, so a figure on screen and the same figure in `--json`
come from one code path.
"""

from __future__ import annotations

import getpass
import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from .errors import NotFound, UserFacingError
from .limits import MAX_TEXT_CHARS
from .marks import REASONS, STATUSES, TARGET_TYPES, MarkRequest
from .metrics.spikes import BASELINE_DAYS, workflow_series
from .metrics.summary import (
    Summary,
    SummaryInputs,
    build_summary,
    org_days_needed,
    rows_needed_from,
)
from .metrics.lifecycle import Lifecycle, UserState, lifecycle_from_counts, lifecycles_from_states
from .metrics.window_days import COMPARISON_DAYS, DEFAULT_DAYS
from .metrics.windows import DaySpan, review_windows
from .records import (
    Catalog,
    ChangeRecord,
    DailyCounts,
    FollowUpRecord,
    WorkflowRecord,
)
from .store import Store, followups, queries
from .view_models import (
    ChangeVerdict,
    OwnerMark,
    OwnerReport,
    OwnerWorkflow,
    BillingLine,
    BillingView,
    Names,
    OrgDetail,
    UntrainedUser,
    WorkflowDetail,
    ChangeList,
    FollowUpList,
    workspace_lines,
)

if TYPE_CHECKING:
    from .metrics.rollout import Comparison
    from sqlalchemy import Connection

Answer = TypeVar("Answer")


class NoData(UserFacingError):
    """The store holds no events yet."""


class Review:
    """Read models for one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ----------------------------------------------------------------- reference

    def catalog(self) -> Catalog:
        with self.store.read() as conn:
            return queries.catalog(conn)

    def data_range(self) -> tuple[date, date] | None:
        with self.store.read() as conn:
            return queries.data_range(conn)

    def resolve_as_of(self, as_of: date | None) -> tuple[date, date, date]:
        """(as_of, first and last day with data): as_of defaults to the last day that has events."""
        with self.store.read() as conn:
            return _resolve_as_of(conn, as_of)

    # ----------------------------------------------------------------- summary


    def summary(
        self,
        days: int = DEFAULT_DAYS,
        as_of: date | None = None,
        *,
        org_id: str | None = None,
        lifecycle: bool = False,
        workflow_lifecycle: bool | Collection[str] = False,
    ) -> Summary:
        """The §2 quick summary for the window of `days` days ending on as_of (all orgs, or one).

        Per-workflow active users are read for one org only. Lifecycle is read only where it is shown, its
        per-workflow grouping being the costliest query of all: per org for one org or when `lifecycle` asks
        (`summary --json`); per workflow for the workflows named by `workflow_lifecycle` (a workflow's screen,
        an owner's report), or for every one when it is True (`summary --json --workflows`). Elsewhere None.
        """
        with self.store.read() as conn:
            return self._summary(conn, days, as_of, org_id=org_id, lifecycle=lifecycle,
                                 workflow_lifecycle=workflow_lifecycle)[0]

    def _summary(
        self, conn, days: int, as_of: date | None, *, org_id: str | None = None, lifecycle: bool = False,
        workflow_lifecycle: bool | Collection[str] = False, catalog: Catalog | None = None,
        org_users: bool = True,
    ) -> tuple[Summary, _OrgUsers | None, SummaryInputs]:
        """`summary` inside the caller's read transaction (a drill-down reads in one, but for its costliest reads,
        which run beside it and are checked against it: `_ReadBeside`), with the inputs it was built from;
        `catalog` when the caller has read it already (of `org_id` alone, where one is asked for); for one org,
        with the users it was built from (the org screen shows them), unless `org_users` is False: a workflow's
        screen shows only its own users, whose lifecycle it asks for, so the org's user figures are not read at
        all (zero, and no users data, in the summary returned, whose org line that screen never shows: it takes
        its workflow's line, spikes and flags, and the org's gaps, none of which depend on them). They were five
        queries beside the rest, a third of the screen's build (46 -> 31 ms at 10M events on PostgreSQL, 28 -> 20
        ms on SQLite)."""
        _check_days(days)
        as_of, first, last = _resolve_as_of(conn, as_of)
        window, previous = review_windows(as_of, days)
        cat = catalog if catalog is not None else queries.catalog(conn, org_id=org_id)
        if org_id is not None and org_id not in cat.orgs:
            raise NotFound(f"no organization with id {org_id!r}")
        org_ids = None if org_id is None else [org_id]
        every_workflow = workflow_lifecycle is True
        named = None if every_workflow else list(workflow_lifecycle or ())
        # The costliest reads run beside the others, each on a connection of its own: one org's users (their
        # states, and how many were active per workflow and workspace: side by side, the busiest org's build
        # waited 9-11 ms for the two in turn at 10M), and the workflows' lifecycle.
        states_beside = pairs_beside = None
        if org_id is not None and org_users:
            states_beside = _ReadBeside(self.store, lambda c: queries.user_states(
                c, window.start, window.end, previous.start, org_ids=[org_id]))
            pairs_beside = _ReadBeside(self.store, lambda c: queries.active_users_by_workflow_and_workspace(
                c, window.start, window.end, org_id))
        counts_beside = None if org_id is not None else _ReadBeside(
            self.store, lambda c: _UserCounts.read(c, window, previous, as_of, list(cat.orgs), lifecycle)
        )
        lifecycle_beside = (
            _ReadBeside(self.store, lambda c: queries.lifecycle(
                c, window.start, window.end, previous.start, group_by="workflow_id", org_ids=org_ids, workflow_ids=named))
            if every_workflow or named else None
        )
        # No read outlives the call, nor a fault's.
        with _settled(states_beside, pairs_beside, counts_beside, lifecycle_beside):
            common = dict(
                catalog=cat,
                as_of=as_of,
                days=days,
                first_data_day=first,
                last_data_day=last,
                rows=queries.daily_counts(conn, rows_needed_from(as_of, days), as_of, org_ids=org_ids),
                orgs_with_users=queries.orgs_with_user_data(conn) if org_users else set(),
                org_days=queries.daily_org_events(conn, *org_days_needed(as_of, days), org_ids=org_ids),
            )

            def workflows_lifecycle() -> dict[str, Lifecycle] | None:  # taken once this transaction's reads are done
                if lifecycle_beside is None:
                    return None
                return _lifecycle_of_each(lifecycle_beside.result(conn), list(cat.workflows) if every_workflow else named, days)

            if states_beside is not None and pairs_beside is not None:
                # One org: its users' states answer active users now and before, trained users and lifecycle in
                # one read, and one scan of the workflow rollup its active users per workflow and workspace.
                users = _OrgUsers(states_beside.result(conn), *pairs_beside.result(conn))
                org_lifecycle = lifecycles_from_states(users.states, [org_id], days)
                lc = org_lifecycle[org_id]
                inputs = SummaryInputs(
                    **common,
                    daily_active=queries.daily_active_users(conn, window.start, window.end, org_ids=org_ids),
                    lifecycle_by_workflow=workflows_lifecycle(),
                    active_by_org={org_id: lc.active},
                    active_by_workflow=dict.fromkeys(cat.workflows, 0) | users.by_workflow,
                    active_total=lc.active,
                    active_total_prev=lc.returning + lc.dormant,  # the previous window's users
                    trained_by_org={org_id: sum(1 for u in users.states if u.active and u.trained_by(as_of))},
                    lifecycle_by_org=org_lifecycle,
                )
                return build_summary(inputs), users, inputs
            # Every org: distinct users per org from the per-org user rollup; one org without its users: none.
            # Per workflow only for the workflows whose lifecycle was asked for, which has counted them already
            # (per-workflow users over every org cost the most: only `summary --json --workflows` asks for all).
            counts = _UserCounts.NONE if counts_beside is None else counts_beside.result(conn)
            by_workflow = workflows_lifecycle()
            inputs = SummaryInputs(
                **common,
                daily_active=counts.daily,
                active_by_org=counts.by_org,
                active_total=counts.total,
                active_total_prev=counts.total_prev,
                trained_by_org=counts.trained_by_org,
                lifecycle_by_org=counts.lifecycle_by_org,
                lifecycle_by_workflow=by_workflow,
                active_by_workflow=None if by_workflow is None else {key: lc.active for key, lc in by_workflow.items()},
            )
            return build_summary(inputs), None, inputs

    def org_detail(self, org_id: str, days: int = DEFAULT_DAYS, as_of: date | None = None) -> OrgDetail:
        """The drill-down of one org, read in one transaction (its users beside it, checked against it)."""
        with self.store.read() as conn:
            summary, users, _ = self._summary(conn, days, as_of, org_id=org_id)
        assert users is not None  # one org's summary always carries its users
        cat = summary.catalog
        changes = [c for c in cat.changes.values() if c.org_id in (None, org_id)]
        untrained = [UntrainedUser(u.user_id, u.role, u.state) for u in users.states if not u.trained_by(summary.as_of)]
        return OrgDetail(summary=summary, org=summary.orgs[0],
                         workspaces=workspace_lines(summary, users.by_workspace),
                         changes=changes, untrained=untrained)

    def workflow_detail(self, workflow_id: str, days: int = DEFAULT_DAYS, as_of: date | None = None) -> WorkflowDetail:
        """One workflow's daily series, spikes, outcomes, users and the changes that touched it."""
        with self.store.read() as conn:
            org_id = queries.org_of_workflow(conn, workflow_id)
            if org_id is None:
                raise NotFound(f"no workflow with id {workflow_id!r}")
            cat = queries.catalog(conn, org_id=org_id)
            wf = cat.workflows[workflow_id]
            summary, _, inputs = self._summary(conn, days, as_of, org_id=wf.org_id, workflow_lifecycle=[workflow_id],
                                               catalog=cat, org_users=False)
            window = summary.window
            # With its org named, each day of it seeks (org, day, workflow) in daily_user's covering index
            # (`queries._days`), not every workflow's rows of the window.
            active = queries.daily_active_users(conn, window.start, window.end, org_ids=[wf.org_id],
                                                workflow_ids=[workflow_id])
        # Its history for the expected counts is among its org's rows, which the summary read from before it
        # (`rows_needed_from`), as is the store's first day: neither is read again.
        history_from = window.start - timedelta(days=BASELINE_DAYS)
        history = [r for r in inputs.rows if r.workflow_id == workflow_id and r.day >= history_from]
        mine = next(w for w in summary.workflows if w.workflow.workflow_id == workflow_id)
        rows = {r.day: r for r in history if r.day in window}
        series = workflow_series(history, history_from, window.end, inputs.first_data_day)
        expected = series.get(workflow_id)
        days_filled = [
            rows.get(d) or DailyCounts.empty(d, wf.org_id, workflow_id)
            for d in window.each_day()
        ]
        changes = [
            c for c in cat.changes.values()
            if c.org_id is None or (c.org_id == wf.org_id and c.workflow_id in (None, workflow_id))
        ]
        return WorkflowDetail(
            workflow=wf,
            workspace=cat.workspaces[wf.workspace_id],
            org_name=cat.orgs[wf.org_id].name,
            summary=mine,
            days=days_filled,
            daily_active=[active.get(d, 0) for d in window.each_day()],
            spikes=[s for s in summary.spikes if s.workflow_id == workflow_id],
            changes=changes,
            flags=[f for f in summary.flags if f.workflow_id == workflow_id],
            expected=[expected.expected(expected.index(d)) if expected else None for d in window.each_day()],
            gaps=summary.orgs[0].gaps,
        )

    # ----------------------------------------------------------------- billing

    def billing(self, as_of: date | None = None, days: int = DEFAULT_DAYS) -> BillingView:
        """Every org's month-to-date credits, projections and crossing dates, highest risk first.

        The month is as_of's calendar month whatever the window; `days` only sets the summary it comes from.
        """
        summary = self.summary(days, as_of)
        lines = [
            BillingLine(o.org.org_id, o.org.name, o.org.plan, o.billing, o.budget)
            for o in summary.orgs
        ]
        lines.sort(key=lambda b: (-(b.projection.use_of_allowance or 0.0), -b.projection.projected_credits, b.name))
        return BillingView(summary.as_of, lines)

    # ----------------------------------------------------------------- rollouts

    def names(self) -> Names:
        """Org and workflow names by id."""
        return Names.of(self.catalog())

    def change_list(self, as_of: date | None = None) -> ChangeList:
        """Every recorded change on or before `as_of` (None: all of them), newest first, and the names of their
        scope, from one catalog read: the rollout screen's view model and `changes`' list."""
        cat = self.catalog()
        changes = [c for c in cat.changes.values() if as_of is None or c.date <= as_of]
        return ChangeList(sorted(changes, key=lambda c: (c.date, c.change_id), reverse=True), Names.of(cat))

    def compare(self, change_id: str, days: int = COMPARISON_DAYS, as_of: date | None = None) -> Comparison:
        """§3 before / after / control for one change, from the data up to `as_of` (None: all of it)."""
        # The rollout metrics load with the first comparison: 10-15 ms of imports that the first summary, read
        # by a helper process while the terminal UI starts (`summary_ahead`), does not need.
        from .metrics.rollout import ComparisonInputs, compare, comparison_windows

        _check_days(days)
        with self.store.read() as conn:
            cat = queries.catalog(conn)
            change = cat.changes.get(change_id)
            if change is None:
                raise NotFound(f"no change with id {change_id!r}")
            if as_of is not None and change.date > as_of:
                raise NotFound(f"change {change_id} on {change.date} is after the as-of date {as_of}")
            span = queries.data_range(conn)
            if span is not None and as_of is not None:
                # Reviewing as of a date reads the store as it stood then: nothing after it counts.
                span = (span[0], min(span[1], as_of)) if span[0] <= as_of else None
            before, after = comparison_windows(change.date, days)
            scope_orgs = None if change.org_id is None else [change.org_id]
            scope_wfs = None if change.workflow_id is None else [change.workflow_id]
            # The four distinct-user counts (scope and control, before and after) beside the rows.
            users_beside = _ReadBeside(
                self.store, lambda c: _comparison_users(c, before, after, span, scope_orgs, scope_wfs, change.org_id)
            )
            with _settled(users_beside):
                scope_rows = queries.daily_counts(conn, before.start, after.end, org_ids=scope_orgs, workflow_ids=scope_wfs)
                control_rows = None
                control_org_ids = [o for o in cat.orgs if o != change.org_id]
                if change.org_id is not None:
                    control_rows = queries.daily_counts(conn, before.start, after.end, org_ids=control_org_ids)
                history_from = span[0] if span else before.start
                history_to = min(after.end, span[1]) if span else after.end  # nothing after the as-of date
                scope_history = queries.daily_events(
                    conn, history_from, history_to, org_ids=scope_orgs, workflow_ids=scope_wfs
                )
                org_history = scope_history if scope_wfs is None else queries.daily_events(
                    conn, history_from, history_to, org_ids=scope_orgs
                )
                control_history = None if change.org_id is None else queries.daily_events(
                    conn, history_from, history_to, exclude_org_ids=[change.org_id]
                )
                scope_active, control_active = users_beside.result(conn)
        scope_seats = sum(o.seats for o in cat.orgs.values() if scope_orgs is None or o.org_id in scope_orgs)
        control_seats = sum(cat.orgs[o].seats for o in control_org_ids) if change.org_id is not None else 0
        return compare(
            ComparisonInputs(
                change=change,
                days=days,
                data_first=span[0] if span else None,
                data_last=span[1] if span else None,
                scope_rows=scope_rows,
                control_rows=control_rows,
                scope_active=scope_active,
                control_active=control_active,
                scope_seats=scope_seats,
                control_seats=control_seats,
                scope_history=scope_history,
                control_history=control_history,
                org_history=org_history,
            )
        )

    # ----------------------------------------------------------------- owner's report

    def owner_report(self, owner: str, days: int = DEFAULT_DAYS, as_of: date | None = None) -> OwnerReport:
        """One owner's open marks, with what the data says about each now, and each of their workflows:
        figures, lifecycle, flags, the changes that touched it with their verdicts, and who is untrained."""
        _check_days(days)
        owner = owner.strip()
        if not owner:
            raise UserFacingError("the owner's name is empty")
        cat = self.catalog()
        marks = self.followups(status="open", owner=owner)
        mine = [w for w in cat.workflows.values() if w.owner == owner]
        if not mine and not marks:
            raise NotFound(f"no workflow and no open mark has the owner {owner!r}")
        as_of = self.resolve_as_of(as_of)[0]
        window, previous = review_windows(as_of, days)
        org_ids = {w.org_id for w in mine} | {m.org_id for m in marks if m.org_id in cat.orgs}
        summaries = {
            org_id: self.summary(
                days, as_of, org_id=org_id, workflow_lifecycle=[w.workflow_id for w in mine if w.org_id == org_id]
            )
            for org_id in sorted(org_ids)
        }
        verdicts: dict[str, ChangeVerdict] = {}

        def verdict(change: ChangeRecord) -> ChangeVerdict:
            if change.change_id not in verdicts:
                cmp = self.compare(change.change_id)
                verdicts[change.change_id] = ChangeVerdict(change, cmp.verdict, cmp.reason)
            return verdicts[change.change_id]

        with self.store.read() as conn:
            untrained = [u for u in queries.user_states(
                conn, window.start, window.end, previous.start,
                group_by="workflow_id", workflow_ids=[w.workflow_id for w in mine],
            ) if not u.trained_by(as_of)] if mine else []
        workflows = []
        for wf in mine:
            summary = summaries[wf.org_id]
            workflows.append(OwnerWorkflow(
                summary=next(w for w in summary.workflows if w.workflow.workflow_id == wf.workflow_id),
                org_name=cat.orgs[wf.org_id].name,
                workspace_name=cat.workspaces[wf.workspace_id].name,
                flags=[f for f in summary.flags if f.workflow_id == wf.workflow_id],
                changes=[verdict(c) for c in cat.changes.values() if _touches(c, wf)],
                untrained=[UntrainedUser(u.user_id, u.role, u.state) for u in untrained if u.key == wf.workflow_id],
            ))
        workflows.sort(key=lambda w: (-w.summary.activity.events, w.summary.workflow.name.casefold()))
        owner_marks = [
            OwnerMark(
                mark=m,
                target=_mark_target(m, cat),
                org_name=cat.orgs[m.org_id].name if m.org_id in cat.orgs else "",
                findings=_findings(m, summaries.get(m.org_id or ""), cat, verdict),
            )
            for m in marks
        ]
        return OwnerReport(owner, as_of, window, previous, owner_marks, workflows)

    # ----------------------------------------------------------------- follow-ups

    def mark_defaults(self, request: MarkRequest) -> MarkRequest:
        """The request with its defaults filled in: without an owner, the marked workflow's owner ('' when the
        mark names no workflow). The one place a mark's defaults are decided; the dialog starts from these."""
        if request.owner.strip() or request.workflow_id is None:
            return request
        wf = self.catalog().workflows.get(request.workflow_id)
        return replace(request, owner=wf.owner) if wf is not None else request

    def mark(self, request: MarkRequest) -> FollowUpRecord:
        """Check a mark against the follow-up vocabulary, fill its defaults and commit it at once."""
        if request.target_type not in TARGET_TYPES:
            raise UserFacingError(
                f"unknown follow-up target {request.target_type!r}; expected one of {', '.join(TARGET_TYPES)}"
            )
        if request.reason not in REASONS:
            raise UserFacingError(f"unknown follow-up reason {request.reason!r}; expected one of {', '.join(REASONS)}")
        if len(request.note) > MAX_TEXT_CHARS:
            raise UserFacingError(f"the note has {len(request.note):,} characters; a note keeps up to {MAX_TEXT_CHARS:,}")
        request = self.mark_defaults(request)
        with self.store.write() as conn:
            return followups.add(conn, replace(request, owner=request.owner.strip()), created_by=_os_user())

    def followups(self, status: str = "open", owner: str | None = None) -> list[FollowUpRecord]:
        with self.store.read() as conn:
            return followups.list_marks(conn, status=status, owner=owner)

    def followup_list(self, status: str = "open", owner: str | None = None) -> FollowUpList:
        """The follow-ups screen's view model: `followups(status, owner)` and the names, in one read."""
        with self.store.read() as conn:
            return FollowUpList(followups.list_marks(conn, status=status, owner=owner),
                                Names.of(queries.catalog(conn)))

    def set_followup_status(self, mark_id: int, status: str) -> FollowUpRecord:
        """Close a mark (`done`) or open it again (`open`), committed at once."""
        if status not in STATUSES:
            raise UserFacingError(f"unknown follow-up status {status!r}; expected one of {', '.join(STATUSES)}")
        with self.store.write() as conn:
            return followups.set_status(conn, mark_id, status)


@dataclass(frozen=True)
class _OrgUsers:
    """One org's users for a window: each user's state (org grain), and how many were active per workflow and
    per workspace."""

    states: list[UserState]
    by_workflow: dict[str, int]
    by_workspace: dict[str, int]


def _comparison_users(
    conn, before: DaySpan, after: DaySpan, span: tuple[date, date] | None, scope_orgs: list[str] | None,
    scope_wfs: list[str] | None, changed_org: str | None,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Distinct users before and after a change, of its scope and of the control group (the orgs but the
    changed one; none for a change of every org), each window clipped to the data."""

    def users(window: DaySpan, **scope) -> int:
        if span is not None:
            window = window.clip(*span)
        if window.days == 0:
            return 0
        return queries.active_users(conn, window.start, window.end, **scope)

    in_scope = dict(org_ids=scope_orgs, workflow_ids=scope_wfs)
    scope = (users(before, **in_scope), users(after, **in_scope))
    if changed_org is None:
        return scope, (0, 0)
    return scope, (users(before, exclude_org_ids=[changed_org]), users(after, exclude_org_ids=[changed_org]))


@dataclass(frozen=True)
class _UserCounts:
    """Distinct users of every org: active per day, per org, in all now and in the previous window, trained per
    org, and each org's lifecycle where it is asked for (`NONE`: not read, for a workflow's screen). Counted in
    SQL (a few rows back), so that the read runs beside the rollup rows' without trading the interpreter lock."""

    daily: dict[date, int]
    by_org: dict[str, int]
    total: int
    total_prev: int
    trained_by_org: dict[str, int]
    lifecycle_by_org: dict[str, Lifecycle] | None

    NONE: ClassVar[_UserCounts]

    @classmethod
    def read(cls, conn, window: DaySpan, previous: DaySpan, as_of: date, keys: list[str],
             lifecycle: bool) -> _UserCounts:
        return cls(
            queries.daily_active_users(conn, window.start, window.end),
            queries.active_users_per_org(conn, window.start, window.end),
            queries.active_users(conn, window.start, window.end),
            queries.active_users(conn, previous.start, previous.end),
            queries.active_users_per_org(conn, window.start, window.end, trained_by=as_of),
            _org_lifecycles(conn, window, previous, keys) if lifecycle else None,
        )


_UserCounts.NONE = _UserCounts({}, {}, 0, 0, {}, None)


class _ReadBeside(Generic[Answer]):
    """One read on a connection and a thread of its own, while the caller's transaction reads the rest.

    Two transactions may see two states of the store: its answer is taken only when both saw the same newest
    event (`queries.last_event_seq`), else it is read again in the caller's transaction. A fault of the read
    reaches the caller from `result`."""

    def __init__(self, store: Store, read: Callable[[Connection], Answer]) -> None:
        self._read = read
        self._answer: Future[tuple[int, Answer]] = Future()
        threading.Thread(target=self._run, args=(store,), name="review-beside", daemon=True).start()

    def _run(self, store: Store) -> None:
        try:
            with store.read() as conn:
                answer = (queries.last_event_seq(conn), self._read(conn))
        except BaseException as exc:  # handed to the caller, which decides
            self._answer.set_exception(exc)
        else:
            self._answer.set_result(answer)

    def settle(self) -> None:
        """Wait for the read to end, whatever its outcome."""
        wait([self._answer])

    def result(self, conn: Connection) -> Answer:
        seen, answer = self._answer.result()
        return answer if seen == queries.last_event_seq(conn) else self._read(conn)


@contextmanager
def _settled(*besides: _ReadBeside | None) -> Iterator[None]:
    try:
        yield
    finally:
        for beside in besides:
            if beside is not None:
                beside.settle()


def _check_days(days: int) -> None:
    if days < 1 or days > 3660:
        raise UserFacingError(f"--days must be between 1 and 3660, got {days}")


def _org_lifecycles(conn, window: DaySpan, previous: DaySpan, keys: list[str]) -> dict[str, Lifecycle]:
    """Lifecycle of every org; one without users gets an empty one."""
    found = queries.lifecycle(conn, window.start, window.end, previous.start, group_by="org_id")
    return _lifecycle_of_each(found, keys, window.days)


def _lifecycle_of_each(found: dict[str, tuple[dict[str, int], int]], keys: list[str], days: int) -> dict[str, Lifecycle]:
    """`queries.lifecycle`'s counts as a Lifecycle for every key asked for; a key without users gets an empty one."""
    return {key: lifecycle_from_counts(*found.get(key, ({}, 0)), days) for key in keys}


def _touches(change: ChangeRecord, wf: WorkflowRecord) -> bool:
    """Whether a change reached the workflow: every org, its org, or the workflow itself."""
    return change.org_id is None or (change.org_id == wf.org_id and change.workflow_id in (None, wf.workflow_id))


def _mark_target(m: FollowUpRecord, cat: Catalog) -> str:
    """What a mark points at, in names: `spike 2026-11-04 of workflow Screening`, `org Alpha Trials`."""
    wf = cat.workflows.get(m.workflow_id or "")
    ws = cat.workspaces.get(m.workspace_id or "")
    org = cat.orgs.get(m.org_id or "")
    place = (
        f"workflow {wf.name}" if wf else f"workspace {ws.name}" if ws else f"org {org.name}" if org else "every org"
    )
    if m.target_type == "spike" and m.target_ref:
        return f"spike on {m.target_ref} in {place}"
    if m.target_type == "flag" and m.target_ref:
        return f"{m.target_ref.replace('_', ' ')} flag on {place}"
    if m.target_type == "change" and m.target_ref:
        change = cat.changes.get(m.target_ref)
        return f"change {change.title if change else m.target_ref}"
    return place


def _findings(m: FollowUpRecord, summary: Summary | None, cat: Catalog, verdict) -> list[str]:
    """What the data says now about what a mark points at: the matching flags' details (with their
    evidence), or the comparison's verdict for a change."""
    if m.target_type == "change" and m.target_ref:
        change = cat.changes.get(m.target_ref)
        if change is None:
            return ["the change is no longer in the store"]
        v = verdict(change)
        return [f"{v.verdict.replace('_', ' ')}: {v.reason}"]
    flags = summary.flags if summary is not None else []
    if m.target_type == "spike":
        found = [f for f in flags if f.kind == "spike" and f.workflow_id == m.workflow_id
                 and f.day is not None and f.day.isoformat() == m.target_ref]
    else:
        kind = m.target_ref if m.target_type == "flag" and m.target_ref else m.reason
        found = [f for f in flags if f.kind == kind and (m.workflow_id is None or f.workflow_id == m.workflow_id)]
    return [f.detail for f in found] or ["not flagged in the current window"]


def _resolve_as_of(conn, as_of: date | None) -> tuple[date, date, date]:
    span = queries.data_range(conn)
    if span is None:
        raise NoData("the store has no events yet; run `trialstack-tui import PATH` first")
    return (as_of or span[1]), span[0], span[1]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


