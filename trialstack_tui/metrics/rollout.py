"""Rollout comparison (CONTRACT §3): before / after a change, against orgs that did not get it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ..records import ChangeRecord, DailyCounts
from .counts import Counts, ratio
from .windows import Window

DEFAULT_DAYS = 14
PROCESS_ERROR_RISE = 0.05
PROCESS_ACCEPTANCE_DROP = -0.10
PROCESS_MIN_REVIEWED = 20
ROLLOUT_DID = 0.20
GROWTH_USERS = 0.10
VERDICTS = ("insufficient_data", "process_problem", "rollout_effect", "growth", "no_clear_change")
TOLERANCE = 1e-9
"""Differences of rates carry float noise (0.15 − 0.10 = 0.0499…): a figure on a threshold reaches it."""


def _at_least(value: float, threshold: float) -> bool:
    return value >= threshold - TOLERANCE


def _at_most(value: float, threshold: float) -> bool:
    return value <= threshold + TOLERANCE


@dataclass(frozen=True)
class WindowFigures:
    """One side (scope or control) over one window."""

    window: Window
    counts: Counts
    active_users: int
    seats: int
    workflows_active: int

    @property
    def days(self) -> int:
        return self.window.days

    @property
    def events_per_day(self) -> float | None:
        return ratio(self.counts.events, self.days)

    @property
    def credits_per_day(self) -> float | None:
        return ratio(self.counts.credits, self.days)

    @property
    def adoption(self) -> float | None:
        return ratio(self.active_users, self.seats)


@dataclass(frozen=True)
class ComparisonInputs:
    """What the store supplies: the rows and active-user counts of the scope and its control."""

    change: ChangeRecord
    days: int
    data_first: date | None
    data_last: date | None
    scope_rows: list[DailyCounts]
    control_rows: list[DailyCounts] | None  # None: an every-org change has no control
    scope_active: tuple[int, int]  # before, after
    control_active: tuple[int, int]
    scope_seats: int
    control_seats: int


@dataclass(frozen=True)
class Comparison:
    change: ChangeRecord
    days: int
    requested_before: Window
    requested_after: Window
    before: WindowFigures
    after: WindowFigures
    control_before: WindowFigures | None
    control_after: WindowFigures | None
    scope_change: float | None  # relative change in events/day
    control_change: float | None  # 0 where there is no control
    did: float | None
    users_change: float | None
    control_users_change: float | None
    verdict: str
    reason: str
    notes: list[str]
    scope_daily: list[tuple[date, int]]
    control_daily: list[tuple[date, int]]

    @property
    def clipped(self) -> bool:
        return self.before.window != self.requested_before or self.after.window != self.requested_after


def comparison_windows(change_date: date, days: int) -> tuple[Window, Window]:
    """before = the N days before the change; after = its day and the N−1 days after."""
    before = Window(change_date - timedelta(days=days), change_date - timedelta(days=1))
    after = Window(change_date, change_date + timedelta(days=days - 1))
    return before, after


def rel_change(before: float | None, after: float | None) -> float | None:
    """(after − before) / before; None when before is 0 or unknown."""
    if not before or after is None:
        return None
    return (after - before) / before


def _figures(rows: Iterable[DailyCounts], window: Window, active: int, seats: int) -> WindowFigures:
    counts = Counts()
    workflows: set[str] = set()
    for row in rows:
        if row.day in window:
            counts.add(row)
            if row.events:
                workflows.add(row.workflow_id)
    return WindowFigures(window, counts, active, seats, len(workflows))


def _daily(rows: Iterable[DailyCounts], span: Window) -> list[tuple[date, int]]:
    per_day: dict[date, int] = defaultdict(int)
    for row in rows:
        per_day[row.day] += row.events
    return [(d, per_day.get(d, 0)) for d in span.each_day()]


def compare(inputs: ComparisonInputs) -> Comparison:
    """Figures per window for scope and control, the difference in differences, and the verdict."""
    change = inputs.change
    req_before, req_after = comparison_windows(change.date, inputs.days)
    notes: list[str] = []
    if inputs.data_first is None or inputs.data_last is None:
        before_w = Window(req_before.start, req_before.start - timedelta(days=1))
        after_w = Window(req_after.start, req_after.start - timedelta(days=1))
    else:
        before_w = req_before.clip(inputs.data_first, inputs.data_last)
        after_w = req_after.clip(inputs.data_first, inputs.data_last)
    for label, requested, clipped in (("before", req_before, before_w), ("after", req_after, after_w)):
        if clipped.days == 0:
            notes.append(f"the {label} window ({requested.start}..{requested.end}) lies outside the data")
        elif clipped != requested:
            notes.append(
                f"the {label} window is clipped to the data: {clipped.start}..{clipped.end} "
                f"({clipped.days} of {requested.days} days)"
            )

    before = _figures(inputs.scope_rows, before_w, inputs.scope_active[0], inputs.scope_seats)
    after = _figures(inputs.scope_rows, after_w, inputs.scope_active[1], inputs.scope_seats)
    control_before = control_after = None
    if inputs.control_rows is not None:
        control_before = _figures(inputs.control_rows, before_w, inputs.control_active[0], inputs.control_seats)
        control_after = _figures(inputs.control_rows, after_w, inputs.control_active[1], inputs.control_seats)
    else:
        notes.append("the change reached every org, so there is no control group; its change counts as 0")

    scope_change = rel_change(before.events_per_day, after.events_per_day)
    users_change = rel_change(before.active_users, after.active_users)
    if control_before is not None and control_after is not None:
        control_change = rel_change(control_before.events_per_day, control_after.events_per_day)
        control_users = rel_change(control_before.active_users, control_after.active_users)
        if control_change is None:
            notes.append("the control group had no events before the change; its change counts as 0")
    else:
        control_change = control_users = None
    did = None if scope_change is None else scope_change - (control_change or 0.0)

    verdict, reason = _verdict(change, before, after, did, scope_change, control_change, users_change, control_users)
    span = Window(before_w.start, after_w.end) if before_w.days or after_w.days else Window(req_before.start, req_after.end)
    return Comparison(
        change=change,
        days=inputs.days,
        requested_before=req_before,
        requested_after=req_after,
        before=before,
        after=after,
        control_before=control_before,
        control_after=control_after,
        scope_change=scope_change,
        control_change=control_change if inputs.control_rows is not None else 0.0,
        did=did,
        users_change=users_change,
        control_users_change=control_users,
        verdict=verdict,
        reason=reason,
        notes=notes,
        scope_daily=_daily(inputs.scope_rows, span),
        control_daily=_daily(inputs.control_rows, span) if inputs.control_rows is not None else [],
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.0%}"


def _verdict(
    change: ChangeRecord,
    before: WindowFigures,
    after: WindowFigures,
    did: float | None,
    scope_change: float | None,
    control_change: float | None,
    users_change: float | None,
    control_users: float | None,
) -> tuple[str, str]:
    if before.days == 0 or after.days == 0 or before.counts.events == 0 or after.counts.events == 0:
        empty = [name for name, f in (("before", before), ("after", after)) if f.days == 0 or f.counts.events == 0]
        return "insufficient_data", f"no events in the {' and '.join(empty)} window within the data"

    err_b, err_a = before.counts.error_rate or 0.0, after.counts.error_rate or 0.0
    if _at_least(err_a - err_b, PROCESS_ERROR_RISE):
        return "process_problem", (
            f"error rate rose from {err_b:.1%} to {err_a:.1%} ({(err_a - err_b) * 100:+.1f} points, "
            f"threshold +{PROCESS_ERROR_RISE * 100:.0f})"
        )
    acc_b, acc_a = before.counts.ai_acceptance, after.counts.ai_acceptance
    enough_reviews = before.counts.reviewed >= PROCESS_MIN_REVIEWED and after.counts.reviewed >= PROCESS_MIN_REVIEWED
    if enough_reviews and acc_b is not None and acc_a is not None and _at_most(acc_a - acc_b, PROCESS_ACCEPTANCE_DROP):
        return "process_problem", (
            f"AI acceptance fell from {acc_b:.0%} to {acc_a:.0%} ({(acc_a - acc_b) * 100:+.0f} points over "
            f"{before.counts.reviewed} and {after.counts.reviewed} reviewed events)"
        )
    if change.kind == "rollout" and did is not None and _at_least(did, ROLLOUT_DID):
        return "rollout_effect", (
            f"events/day {_pct(scope_change)} in scope vs {_pct(control_change or 0.0)} in the control: "
            f"difference in differences {did:+.0%} (≥ +{ROLLOUT_DID:.0%})"
        )
    if users_change is not None:
        users_did = users_change - (control_users or 0.0)
        if _at_least(users_did, GROWTH_USERS) and after.workflows_active >= before.workflows_active:
            return "growth", (
                f"active users {before.active_users} → {after.active_users} ({_pct(users_change)}) vs "
                f"{_pct(control_users or 0.0)} in the control, workflows in use {before.workflows_active} → "
                f"{after.workflows_active}"
            )
    return "no_clear_change", (
        f"events/day {_pct(scope_change)} vs control {_pct(control_change or 0.0)} "
        f"(difference {_pct(did)}); errors {err_b:.1%} → {err_a:.1%}; no threshold crossed"
    )
