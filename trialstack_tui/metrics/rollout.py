"""Rollout comparison (CONTRACT §3): before / after a change, against orgs that did not get it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from math import log, sqrt
from statistics import median

from ..records import ChangeRecord, DailyCounts
from .counts import Counts, ratio
from .evidence import Z_CRITICAL, DaySeries, Gap, find_gaps, gap_days, two_proportion_z
from .windows import DaySpan

PROCESS_ERROR_RISE = 0.05
PROCESS_ACCEPTANCE_DROP = -0.10
PROCESS_MIN_REVIEWED = 20
ROLLOUT_DID = 0.20
ROLLOUT_MAX_P = 0.10
MIN_PLACEBO_WINDOWS = 20
"""With fewer placebo windows a p-value is too coarse to mean anything: it is null, and only z is read."""
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

    window: DaySpan
    counts: Counts  # over the covered days only
    active_users: int
    seats: int
    workflows_active: int
    covered_days: int  # the window's days outside the scope org's data gaps

    @property
    def days(self) -> int:
        return self.window.days

    @property
    def events_per_day(self) -> float | None:
        return ratio(self.counts.events, self.covered_days)

    @property
    def credits_per_day(self) -> float | None:
        return ratio(self.counts.credits, self.covered_days)

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
    # Events per day from the first stored day to the end of the after window, for the placebo windows and
    # the gaps (§2a, §3): the scope's, the control's (None without one) and the scope's org's (every org's
    # for an every-org change). Days missing from a mapping had no events.
    scope_history: Mapping[date, int] = field(default_factory=dict)
    control_history: Mapping[date, int] | None = None
    org_history: Mapping[date, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """How unusual the difference is: against the scope's own earlier fortnights and against chance."""

    usual_change: float  # median did of the placebo windows (0 without any)
    adjusted_did: float | None  # did − usual_change
    z: float | None
    p_value: float | None  # null with fewer than 20 placebo windows
    placebo_dids: list[float]
    error_z: float | None  # two-proportion z of the error rate after against before
    acceptance_z: float | None
    gaps: list[Gap]  # data gaps of the scope's org that touch the before or after window


@dataclass(frozen=True)
class Comparison:
    change: ChangeRecord
    days: int
    requested_before: DaySpan
    requested_after: DaySpan
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
    evidence: Evidence

    @property
    def clipped(self) -> bool:
        return self.before.window != self.requested_before or self.after.window != self.requested_after


def comparison_windows(change_date: date, days: int) -> tuple[DaySpan, DaySpan]:
    """before = the N days before the change; after = its day and the N−1 days after."""
    before = DaySpan(change_date - timedelta(days=days), change_date - timedelta(days=1))
    after = DaySpan(change_date, change_date + timedelta(days=days - 1))
    return before, after


def rel_change(before: float | None, after: float | None) -> float | None:
    """(after − before) / before; None when before is 0 or unknown."""
    if not before or after is None:
        return None
    return (after - before) / before


def _figures(rows: Iterable[DailyCounts], window: DaySpan, active: int, seats: int, missing: set[date]) -> WindowFigures:
    counts = Counts()
    workflows: set[str] = set()
    start, end = window.start, window.end  # compared in place: `in window` is a method call per row
    for row in rows:
        if start <= row.day <= end and row.day not in missing:
            counts.add(row)
            if row.events:
                workflows.add(row.workflow_id)
    covered = sum(1 for d in window.each_day() if d not in missing)
    return WindowFigures(window, counts, active, seats, len(workflows), covered)


def _daily(rows: Iterable[DailyCounts], span: DaySpan) -> list[tuple[date, int]]:
    per_day: dict[date, int] = defaultdict(int)
    for row in rows:
        per_day[row.day] += row.events
    return [(d, per_day.get(d, 0)) for d in span.each_day()]


class _History:
    """Events and covered days per day from the first stored day, summed for any [start, end) in O(1)."""

    def __init__(self, first: date, last: date, events: Mapping[date, int], missing: set[date]) -> None:
        self.first = first
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        self._events = [0, *accumulate(0 if d in missing else events.get(d, 0) for d in days)]
        self._covered = [0, *accumulate(0 if d in missing else 1 for d in days)]

    def rate(self, start: date, end: date) -> tuple[float | None, int]:
        """(events per covered day, events) over [start, end)."""
        i, j = (start - self.first).days, (end - self.first).days
        covered = self._covered[j] - self._covered[i]
        events = self._events[j] - self._events[i]
        return (events / covered if covered else None), events


def _did(scope: _History, control: _History | None, p: date, days: int) -> float | None:
    """The difference in differences of events/day for a change on day p (windows of `days`)."""
    before, after = p - timedelta(days=days), p + timedelta(days=days)
    scope_change = rel_change(scope.rate(before, p)[0], scope.rate(p, after)[0])
    if scope_change is None:
        return None
    control_change = rel_change(control.rate(before, p)[0], control.rate(p, after)[0]) if control else None
    return scope_change - (control_change or 0.0)


def placebo_dids(
    scope: _History, control: _History | None, first: date, last: date, change_date: date, days: int
) -> list[float]:
    """`did(P)` for every P with [P − N, P + N) inside first..last and ending on or before the change day."""
    earliest = first + timedelta(days=days)
    latest = min(last - timedelta(days=days - 1), change_date - timedelta(days=days))
    dids = (_did(scope, control, earliest + timedelta(days=i), days) for i in range((latest - earliest).days + 1))
    return [d for d in dids if d is not None]


def _log_ratio_z(
    before: WindowFigures, after: WindowFigures, control_before: WindowFigures | None,
    control_after: WindowFigures | None, usual_change: float,
) -> float | None:
    """§3's z: the log change of events/day, less the control's and the usual change, over its Poisson noise."""
    sides = [(before, after)]
    if control_before is not None and control_after is not None:
        sides.append((control_before, control_after))
    var = 0.0
    logs = []
    for b, a in sides:
        if not b.counts.events or not a.counts.events:
            if b is before:
                return None
            continue  # a control without events on one side has no change to subtract
        logs.append(log(a.events_per_day / b.events_per_day))
        var += 1 / a.counts.events + 1 / b.counts.events
    value = logs[0] - sum(logs[1:])
    if 1 + usual_change > 0:
        value -= log(1 + usual_change)
    return value / sqrt(var)


def compare(inputs: ComparisonInputs) -> Comparison:
    """Figures per window for scope and control, the difference in differences, its evidence and the verdict."""
    change = inputs.change
    req_before, req_after = comparison_windows(change.date, inputs.days)
    notes: list[str] = []
    if inputs.data_first is None or inputs.data_last is None:
        before_w = DaySpan(req_before.start, req_before.start - timedelta(days=1))
        after_w = DaySpan(req_after.start, req_after.start - timedelta(days=1))
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

    gaps: list[Gap] = []
    scope_history = control_history = None
    placebos: list[float] = []
    if inputs.data_first is not None and inputs.data_last is not None:
        first, last = inputs.data_first, min(inputs.data_last, req_after.end)
        org_values = [inputs.org_history.get(first + timedelta(days=i), 0) for i in range((last - first).days + 1)]
        gaps = find_gaps(change.org_id or "", DaySeries(first, org_values), first, last)
        missing_all = gap_days(gaps)
        scope_history = _History(first, last, inputs.scope_history, missing_all)
        if inputs.control_history is not None:
            control_history = _History(first, last, inputs.control_history, missing_all)
        placebos = placebo_dids(scope_history, control_history, first, last, change.date, inputs.days)
        gaps = [g for g in gaps if g.first <= after_w.end and g.last >= before_w.start]
    missing = gap_days(gaps)
    for label, w in (("before", before_w), ("after", after_w)):
        touching = [g for g in gaps if g.first <= w.end and g.last >= w.start]
        if touching:
            spans = ", ".join(f"{g.first}..{g.last}" for g in touching)
            covered = sum(1 for d in w.each_day() if d not in missing)
            notes.append(f"the {label} window overlaps a data gap ({spans}); its rates use its {covered} covered days")

    before = _figures(inputs.scope_rows, before_w, inputs.scope_active[0], inputs.scope_seats, missing)
    after = _figures(inputs.scope_rows, after_w, inputs.scope_active[1], inputs.scope_seats, missing)
    control_before = control_after = None
    if inputs.control_rows is not None:
        control_before = _figures(inputs.control_rows, before_w, inputs.control_active[0], inputs.control_seats, missing)
        control_after = _figures(inputs.control_rows, after_w, inputs.control_active[1], inputs.control_seats, missing)
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

    usual = median(placebos) if placebos else 0.0
    adjusted = None if did is None else did - usual
    p_value = None
    if adjusted is not None and len(placebos) >= MIN_PLACEBO_WINDOWS:
        as_far = sum(1 for x in placebos if abs(x - usual) >= abs(adjusted) - TOLERANCE)
        p_value = (1 + as_far) / (1 + len(placebos))
    evidence = Evidence(
        usual_change=usual,
        adjusted_did=adjusted,
        z=_log_ratio_z(before, after, control_before, control_after, usual) if did is not None else None,
        p_value=p_value,
        placebo_dids=placebos,
        error_z=two_proportion_z(before.counts.error, before.counts.events, after.counts.error, after.counts.events),
        acceptance_z=two_proportion_z(
            before.counts.accepted, before.counts.reviewed, after.counts.accepted, after.counts.reviewed
        ),
        gaps=gaps,
    )

    verdict, reason = _verdict(
        change, inputs.days, before, after, did, scope_change, control_change, users_change, control_users, evidence
    )
    span = DaySpan(before_w.start, after_w.end) if before_w.days or after_w.days else DaySpan(req_before.start, req_after.end)
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
        evidence=evidence,
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.0%}"


def _z(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _verdict(
    change: ChangeRecord,
    days: int,
    before: WindowFigures,
    after: WindowFigures,
    did: float | None,
    scope_change: float | None,
    control_change: float | None,
    users_change: float | None,
    control_users: float | None,
    ev: Evidence,
) -> tuple[str, str]:
    if before.days == 0 or after.days == 0 or before.counts.events == 0 or after.counts.events == 0:
        empty = [name for name, f in (("before", before), ("after", after)) if f.days == 0 or f.counts.events == 0]
        return "insufficient_data", f"no events in the {' and '.join(empty)} window within the data"

    failed: list[str] = []  # the tests that came close and why they did not hold, for no_clear_change
    err_b, err_a = before.counts.error_rate or 0.0, after.counts.error_rate or 0.0
    if _at_least(err_a - err_b, PROCESS_ERROR_RISE):
        errors = (
            f"error rate {err_b:.1%} → {err_a:.1%} ({(err_a - err_b) * 100:+.1f} points over {before.counts.events:,} "
            f"and {after.counts.events:,} events, z {_z(ev.error_z)})"
        )
        if ev.error_z is not None and ev.error_z >= Z_CRITICAL:
            return "process_problem", f"{errors}: beyond chance"
        failed.append(f"{errors} is within chance (z below {Z_CRITICAL})")
    acc_b, acc_a = before.counts.ai_acceptance, after.counts.ai_acceptance
    enough_reviews = before.counts.reviewed >= PROCESS_MIN_REVIEWED and after.counts.reviewed >= PROCESS_MIN_REVIEWED
    if enough_reviews and acc_b is not None and acc_a is not None and _at_most(acc_a - acc_b, PROCESS_ACCEPTANCE_DROP):
        acceptance = (
            f"AI acceptance {acc_b:.0%} → {acc_a:.0%} ({(acc_a - acc_b) * 100:+.0f} points over "
            f"{before.counts.reviewed} and {after.counts.reviewed} reviewed events, z {_z(ev.acceptance_z)})"
        )
        if ev.acceptance_z is not None and ev.acceptance_z <= -Z_CRITICAL:
            return "process_problem", f"{acceptance}: beyond chance"
        failed.append(f"{acceptance} is within chance")
    difference = (
        f"events/day {_pct(scope_change)} in scope vs {_pct(control_change or 0.0)} in the control: "
        f"difference {_pct(did)}, usual {days}-day change {_pct(ev.usual_change)}, adjusted {_pct(ev.adjusted_did)}"
    )
    p_text = "" if ev.p_value is None else f", p {ev.p_value:.2f} over {len(ev.placebo_dids)} earlier windows"
    if change.kind == "rollout" and did is not None and ev.adjusted_did is not None:
        beyond = ev.z is not None and ev.z >= Z_CRITICAL
        unusual = ev.p_value is None or _at_most(ev.p_value, ROLLOUT_MAX_P)
        if _at_least(ev.adjusted_did, ROLLOUT_DID) and beyond and unusual:
            return "rollout_effect", f"{difference} (z {_z(ev.z)}{p_text}): beyond chance and unlike the weeks before"
        if _at_least(did, ROLLOUT_DID) and not _at_least(ev.adjusted_did, ROLLOUT_DID):
            failed.append(
                f"already moving this much before the change: usual {days}-day change {_pct(ev.usual_change)} "
                f"(difference {_pct(did)}, adjusted {_pct(ev.adjusted_did)})"
            )
        elif _at_least(ev.adjusted_did, ROLLOUT_DID) and not beyond:
            failed.append(
                f"within chance: adjusted difference {_pct(ev.adjusted_did)} but z {_z(ev.z)} (needs {Z_CRITICAL}); "
                "too few events to tell it from ordinary ups and downs"
            )
        elif _at_least(ev.adjusted_did, ROLLOUT_DID):
            failed.append(
                f"earlier windows moved as much: p {ev.p_value:.2f} (needs ≤ {ROLLOUT_MAX_P:.2f}) over "
                f"{len(ev.placebo_dids)} earlier {days}-day windows"
            )
        else:
            failed.append(f"{difference}: below the +{ROLLOUT_DID:.0%} a rollout effect needs")
    if users_change is not None:
        users_did = users_change - (control_users or 0.0)
        # A few users more in a small org is chance: the share of seats active must rise beyond it too.
        users_z = two_proportion_z(before.active_users, before.seats, after.active_users, after.seats)
        users = (
            f"active users {before.active_users} → {after.active_users} ({_pct(users_change)}) vs "
            f"{_pct(control_users or 0.0)} in the control, workflows in use {before.workflows_active} → "
            f"{after.workflows_active}"
        )
        if _at_least(users_did, GROWTH_USERS) and after.workflows_active >= before.workflows_active:
            if users_z is None or users_z >= Z_CRITICAL:
                return "growth", users
            failed.append(f"{users}: within chance (z {_z(users_z)} on {before.seats} seats)")
    if not failed:
        failed.append(f"{difference}; errors {err_b:.1%} → {err_a:.1%}; no threshold crossed")
    if ev.gaps:
        failed.append("a data gap in the windows (" + ", ".join(f"{g.first}..{g.last}" for g in ev.gaps)
                      + ") left those days out")
    return "no_clear_change", "; ".join(failed)
