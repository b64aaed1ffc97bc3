"""The quick summary: per-org, per-workflow and per-area metrics, headline totals and flags (CONTRACT §2)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ..records import Catalog, ChangeRecord, DailyCounts, OrgRecord, WorkflowRecord
from .billing import BudgetOutlook, Projection, budget_outlook, budget_warning, month_start, project, recent_window_start
from .counts import Counts, ratio
from .evidence import Z_CRITICAL, DaySeries, Gap, find_gaps, gap_days, two_proportion_z
from .lifecycle import Lifecycle
from .spikes import BASELINE_DAYS, Spike, find_spikes
from .windows import Trend, DaySpan, event_trend, review_windows, trend

NARROW_ADOPTION = 0.3
CONCENTRATED = 0.5
LOW_ACCEPTANCE = 0.6
LOW_ACCEPTANCE_MIN_REVIEWED = 50
HIGH_ERROR_RATE = 0.10
HIGH_ERROR_MIN_EVENTS = 100
UNTRAINED = 0.5
AI_SURGE_RISE = 0.15
AI_SURGE_MIN_EVENTS = 50

@dataclass(frozen=True)
class Flag:
    kind: str
    org_id: str
    workflow_id: str | None
    detail: str
    day: date | None = None  # the day of a spike, the first day of a data gap
    gap: Gap | None = None  # the gap of a `data_gap` flag
    change_id: str | None = None  # a change to this org (or workflow) in the review windows: context


@dataclass(frozen=True)
class Activity:
    """Counts of one slice in the window and the previous window, with the rates §2 defines.

    `covered_days` are the window's days inside the stored data and outside any data gap (§2a): the trend
    compares events per covered day, so days the export lost read as missing, not as a decline.
    """

    now: Counts
    before: Counts
    covered_days: int
    covered_days_prev: int

    @property
    def events(self) -> int:
        return self.now.events

    @property
    def trend(self) -> Trend:
        return event_trend(self.now.events, self.before.events, self.covered_days, self.covered_days_prev)

    @property
    def credits_trend(self) -> Trend:
        """Credits per covered day against the previous window (a gap in the data is no fall in spend)."""
        return trend(
            self.now.credits / max(self.covered_days, 1), self.before.credits / max(self.covered_days_prev, 1)
        )


@dataclass(frozen=True)
class WorkflowSummary:
    workflow: WorkflowRecord
    activity: Activity
    share_of_org: float | None
    active_users: int | None  # None when the summary did not ask for per-workflow users
    daily_events: list[int]
    lifecycle: Lifecycle | None = None  # None when the summary did not ask for this workflow's lifecycle


@dataclass(frozen=True)
class OrgSummary:
    org: OrgRecord
    activity: Activity
    active_users: int
    workflows_active: int
    workflows_total: int
    top_workflow_id: str | None
    top_workflow_share: float | None
    billing: Projection
    trained_users: int | None  # None without users data for the org
    daily_events: list[int]
    budget: BudgetOutlook  # crossing dates and projection at the recent daily rate
    gaps: list[Gap] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    lifecycle: Lifecycle | None = None  # None when the summary did not ask for lifecycle

    @property
    def adoption(self) -> float | None:
        return ratio(self.active_users, self.org.seats)

    @property
    def trained_share(self) -> float | None:
        return None if self.trained_users is None else ratio(self.trained_users, self.active_users)

    @property
    def concentration(self) -> str | None:
        if self.top_workflow_share is None:
            return None
        return "concentrated" if self.top_workflow_share >= CONCENTRATED else "broad"


@dataclass(frozen=True)
class AreaSummary:
    area: str
    activity: Activity
    share: float | None


@dataclass(frozen=True)
class DailyPoint:
    day: date
    counts: Counts
    active_users: int
    seats: int

    @property
    def adoption(self) -> float | None:
        return ratio(self.active_users, self.seats)


@dataclass(frozen=True)
class Totals:
    activity: Activity
    active_users: int
    active_users_prev: int
    seats: int
    workflows_active: int
    workflows_total: int
    mtd_credits: float
    projected_credits: float
    overage: float
    included_credits: float

    @property
    def adoption(self) -> float | None:
        return ratio(self.active_users, self.seats)

    @property
    def users_trend(self) -> Trend:
        """Active users against the previous window's (the summary's Users card and `summary --json`)."""
        return trend(self.active_users, self.active_users_prev)

    @property
    def adoption_prev(self) -> float | None:
        return ratio(self.active_users_prev, self.seats)


@dataclass(frozen=True)
class Summary:
    as_of: date
    window: DaySpan
    previous: DaySpan
    totals: Totals
    orgs: list[OrgSummary]
    workflows: list[WorkflowSummary]
    areas: list[AreaSummary]
    spikes: list[Spike]
    flags: list[Flag]
    gaps: list[Gap]  # every org's data gaps in the window and the previous window
    export_gaps: list[Gap]  # days the whole export is missing (org_id ""): a gap in the total series
    daily: list[DailyPoint]
    catalog: Catalog  # the reference data the summary covered (one org's, for a one-org summary)


@dataclass(frozen=True)
class SummaryInputs:
    """What the store supplies for a summary; `rows` must span `rows_needed_from(...)` .. as_of.

    The gap search reads each org's events per day over `org_days_needed(...)` (`org_days`): the previous
    window, the window and the 4 weeks before them that the previous window's expected counts reach back to,
    one row per org and day (the store's daily_org) instead of one per workflow.
    """

    catalog: Catalog
    as_of: date
    days: int
    first_data_day: date
    last_data_day: date
    rows: list[DailyCounts]
    active_by_org: dict[str, int]
    active_by_workflow: dict[str, int] | None  # the workflows asked for (None: none was; the all-org summary shows no workflows)
    active_total: int
    active_total_prev: int
    trained_by_org: dict[str, int]
    orgs_with_users: set[str]
    daily_active: dict[date, int]
    org_days: dict[str, dict[date, int]] = field(default_factory=dict)
    lifecycle_by_org: dict[str, Lifecycle] | None = None  # None: not asked for (the summary screen shows none)
    lifecycle_by_workflow: dict[str, Lifecycle] | None = None  # the workflows asked for (None: none was)


def rows_needed_from(as_of: date, days: int) -> date:
    """The earliest day a summary reads per workflow: previous window, spike baselines and month to date."""
    window, previous = review_windows(as_of, days)
    return min(previous.start, window.start - timedelta(days=BASELINE_DAYS), month_start(as_of))


def org_days_needed(as_of: date, days: int) -> tuple[date, date]:
    """The days whose org totals the gap search needs: both windows and the 4 weeks before the previous one."""
    _window, previous = review_windows(as_of, days)
    return previous.start - timedelta(days=BASELINE_DAYS), as_of


@dataclass(frozen=True)
class Coverage:
    """Which days of the review windows count: inside the stored data and outside the gaps found there."""

    first: date
    last: date
    missing: frozenset[date]

    def days(self, window: DaySpan) -> int:
        """The window's covered days."""
        return sum(1 for d in window.clip(self.first, self.last).each_day() if d not in self.missing)


def find_org_gaps(
    org_days: dict[str, dict[date, int]],
    org_ids: Iterable[str],
    window: DaySpan,
    previous: DaySpan,
    first_data_day: date,
) -> tuple[dict[str, list[Gap]], list[Gap]]:
    """Each org's data gaps in both windows, and the export's (gaps of the total series, org_id "")."""
    start = previous.start - timedelta(days=BASELINE_DAYS)
    dates = DaySpan(start, window.end).each_day()
    per_org = {org_id: _per_day(org_days.get(org_id, {}), dates) for org_id in org_ids}
    total = [sum(day) for day in zip(*per_org.values())] if per_org else [0] * len(dates)
    first = (first_data_day - start).days
    gaps = {
        org_id: find_gaps(org_id, DaySeries(start, values, first), previous.start, window.end)
        for org_id, values in per_org.items()
    }
    return gaps, find_gaps("", DaySeries(start, total, first), previous.start, window.end)


def _per_day(events: dict[date, int], dates: list[date]) -> list[int]:
    return [events.get(d, 0) for d in dates]


def summarize_workflows(
    workflows: Iterable[WorkflowRecord],
    rows: Iterable[DailyCounts],
    window: DaySpan,
    previous: DaySpan,
    active_by_workflow: dict[str, int] | None,
    covered_days: dict[str, tuple[int, int]],
    lifecycle_by_workflow: dict[str, Lifecycle] | None = None,
) -> list[WorkflowSummary]:
    """Per-workflow activity, busiest first; `share_of_org` is each workflow's part of its org's events.

    A workflow's rates leave out its org's data gaps (an export loses an org's days, not one workflow's).
    """
    now: dict[str, Counts] = defaultdict(Counts)
    before: dict[str, Counts] = defaultdict(Counts)
    daily: dict[str, dict[date, int]] = defaultdict(dict)
    # The windows' ends compared in place (here and in build_summary's loops, which see every rollup row):
    # `row.day in window` costs a method call per row, a quarter of a summary's build at 10M.
    start, end, previous_start, previous_end = window.start, window.end, previous.start, previous.end
    for row in rows:
        day = row.day
        if start <= day <= end:
            now[row.workflow_id].add(row)
            daily[row.workflow_id][day] = row.events
        elif previous_start <= day <= previous_end:
            before[row.workflow_id].add(row)
    workflows = list(workflows)
    org_events: dict[str, int] = defaultdict(int)
    for wf in workflows:
        org_events[wf.org_id] += now[wf.workflow_id].events
    days = window.each_day()
    result = [
        WorkflowSummary(
            workflow=wf,
            activity=Activity(now[wf.workflow_id], before[wf.workflow_id], *covered_days[wf.org_id]),
            share_of_org=ratio(now[wf.workflow_id].events, org_events[wf.org_id]),
            active_users=None if active_by_workflow is None else active_by_workflow.get(wf.workflow_id),
            daily_events=_per_day(daily[wf.workflow_id], days),
            lifecycle=None if lifecycle_by_workflow is None else lifecycle_by_workflow.get(wf.workflow_id),
        )
        for wf in workflows
    ]
    result.sort(key=lambda w: (-w.activity.events, w.workflow.workflow_id))
    return result


def build_summary(inputs: SummaryInputs) -> Summary:
    """Every §2 metric for every org, the headline totals, areas, spikes and flags."""
    cat = inputs.catalog
    window, previous = review_windows(inputs.as_of, inputs.days)
    month = DaySpan(month_start(inputs.as_of), inputs.as_of)
    rows = inputs.rows
    org_gaps, export_gaps = find_org_gaps(inputs.org_days, cat.orgs, window, previous, inputs.first_data_day)
    export_missing = gap_days(export_gaps)
    coverage = {
        org_id: Coverage(inputs.first_data_day, inputs.last_data_day, frozenset(gap_days(gaps) | export_missing))
        for org_id, gaps in org_gaps.items()
    }
    export_coverage = Coverage(inputs.first_data_day, inputs.last_data_day, frozenset(export_missing))
    covered_days = {org_id: (c.days(window), c.days(previous)) for org_id, c in coverage.items()}
    workflow_summaries = summarize_workflows(
        cat.workflows.values(), rows, window, previous, inputs.active_by_workflow, covered_days,
        inputs.lifecycle_by_workflow,
    )
    by_org: dict[str, list[WorkflowSummary]] = defaultdict(list)
    for ws in workflow_summaries:
        by_org[ws.workflow.org_id].append(ws)
    mtd: dict[str, float] = defaultdict(float)
    recent = DaySpan(recent_window_start(inputs.as_of), inputs.as_of)
    credits_by_day: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        day = row.day
        if month.start <= day <= month.end:
            mtd[row.org_id] += row.credits
        if recent.start <= day <= recent.end:
            credits_by_day[row.org_id][day] += row.credits
    spikes = find_spikes(rows, window, inputs.first_data_day)
    spikes_by_org: dict[str, list[Spike]] = defaultdict(list)
    for spike in spikes:
        spikes_by_org[spike.org_id].append(spike)

    orgs = [
        _org_summary(
            org, by_org.get(org.org_id, []), spikes_by_org.get(org.org_id, []), inputs, mtd[org.org_id],
            org_gaps[org.org_id], covered_days[org.org_id], export_gaps, credits_by_day[org.org_id],
        )
        for org in cat.orgs.values()
    ]
    orgs.sort(key=lambda o: (-o.activity.events, o.org.name.lower(), o.org.org_id))
    flags = [flag for org in orgs for flag in org.flags]

    daily = _daily_points(rows, window, inputs.daily_active, sum(o.seats for o in cat.orgs.values()))
    totals = Totals(
        activity=Activity(
            Counts.total(o.activity.now for o in orgs), Counts.total(o.activity.before for o in orgs),
            export_coverage.days(window), export_coverage.days(previous),
        ),
        active_users=inputs.active_total,
        active_users_prev=inputs.active_total_prev,
        seats=sum(o.seats for o in cat.orgs.values()),
        workflows_active=sum(o.workflows_active for o in orgs),
        workflows_total=len(cat.workflows),
        mtd_credits=sum(o.billing.mtd_credits for o in orgs),
        projected_credits=sum(o.billing.projected_credits for o in orgs),
        overage=sum(o.billing.overage for o in orgs),
        included_credits=sum(o.included_credits for o in cat.orgs.values()),
    )
    return Summary(
        as_of=inputs.as_of,
        window=window,
        previous=previous,
        totals=totals,
        orgs=orgs,
        workflows=workflow_summaries,
        areas=summarize_areas(workflow_summaries, export_coverage.days(window), export_coverage.days(previous)),
        spikes=spikes,
        flags=flags,
        gaps=[g for o in orgs for g in o.gaps],
        export_gaps=export_gaps,
        daily=daily,
        catalog=cat,
    )


def summarize_areas(workflows: Iterable[WorkflowSummary], covered_days: int, covered_days_prev: int) -> list[AreaSummary]:
    """Activity by workflow area, busiest first; areas span orgs, so only the export's gaps are left out."""
    now: dict[str, Counts] = defaultdict(Counts)
    before: dict[str, Counts] = defaultdict(Counts)
    for ws in workflows:
        now[ws.workflow.area].add(ws.activity.now)
        before[ws.workflow.area].add(ws.activity.before)
    total = sum(c.events for c in now.values())
    areas = [
        AreaSummary(area, Activity(now[area], before[area], covered_days, covered_days_prev), ratio(now[area].events, total))
        for area in now
    ]
    areas.sort(key=lambda a: (-a.activity.events, a.area))
    return areas


def _org_summary(
    org: OrgRecord,
    workflows: list[WorkflowSummary],
    spikes: list[Spike],
    inputs: SummaryInputs,
    mtd: float,
    gaps: list[Gap],
    covered_days: tuple[int, int],
    export_gaps: list[Gap],
    credits_by_day: dict[date, float],
) -> OrgSummary:
    activity = Activity(
        Counts.total(w.activity.now for w in workflows), Counts.total(w.activity.before for w in workflows),
        *covered_days,
    )
    top = workflows[0] if workflows and workflows[0].activity.events else None
    active = inputs.active_by_org.get(org.org_id, 0)
    trained = inputs.trained_by_org.get(org.org_id, 0) if org.org_id in inputs.orgs_with_users else None
    days = len(workflows[0].daily_events) if workflows else 0
    summary = OrgSummary(
        org=org,
        activity=activity,
        active_users=active,
        workflows_active=sum(1 for w in workflows if w.activity.events),
        workflows_total=len(workflows),
        top_workflow_id=top.workflow.workflow_id if top else None,
        top_workflow_share=top.share_of_org if top else None,
        billing=project(mtd, inputs.as_of, org.included_credits),
        trained_users=trained,
        daily_events=[sum(w.daily_events[i] for w in workflows) for i in range(days)],
        gaps=gaps,
        lifecycle=None if inputs.lifecycle_by_org is None else inputs.lifecycle_by_org.get(org.org_id),
        budget=budget_outlook(credits_by_day, inputs.as_of, org.included_credits),
    )
    _window, previous = review_windows(inputs.as_of, inputs.days)
    recent = [
        c for c in inputs.catalog.changes.values()
        if c.org_id == org.org_id and previous.start <= c.date <= inputs.as_of
    ]
    summary.flags.extend(
        with_change_context(flag, recent) for flag in org_flags(summary, workflows, spikes, inputs.days, export_gaps)
    )
    return summary


def with_change_context(flag: Flag, changes: list[ChangeRecord]) -> Flag:
    """The flag, naming the latest change to its org (or its workflow) in the review windows, if any.

    Usage read without the rollout or process-change context misleads: a flag that coincides with a change
    says so, and the comparison of that change is one key away.
    """
    relevant = [
        c for c in changes
        if c.workflow_id is None or flag.workflow_id is None or c.workflow_id == flag.workflow_id
    ]
    if not relevant:
        return flag
    latest = max(relevant, key=lambda c: (c.date, c.change_id))
    return replace(
        flag,
        detail=f"{flag.detail}; after {latest.kind} {latest.change_id} on {latest.date.isoformat()}",
        change_id=latest.change_id,
    )


def org_flags(
    org: OrgSummary, workflows: list[WorkflowSummary], spikes: list[Spike], days: int, export_gaps: list[Gap]
) -> list[Flag]:
    """The §2 flags of one org, each with a one-line detail naming the figures and the evidence."""
    oid = org.org.org_id
    names = {w.workflow.workflow_id: w.workflow.name for w in workflows}
    flags: list[Flag] = []
    for gap in org.gaps:
        whole_export = any(e.first <= gap.first and gap.last <= e.last for e in export_gaps)
        note = "; the whole export is missing these days" if whole_export else ""
        flags.append(Flag("data_gap", oid, None, gap.describe() + note, day=gap.first, gap=gap))
    t = org.activity.trend
    if t.label == "declining":
        flags.append(Flag("declining", oid, None, (
            f"events per day {t.evidence()} vs the previous {days} days "
            f"({org.activity.before.events:,} → {org.activity.events:,} events{_coverage_note(org.activity, days)})"
        )))
    if org.adoption is not None and org.adoption < NARROW_ADOPTION:
        flags.append(Flag("narrow_adoption", oid, None, (
            f"{org.active_users} of {org.org.seats} seats active ({org.adoption:.0%}, below {NARROW_ADOPTION:.0%})"
        )))
    if org.concentration == "concentrated" and org.workflows_total >= 2:
        flags.append(Flag("concentrated", oid, org.top_workflow_id, (
            f"{names.get(org.top_workflow_id or '', org.top_workflow_id)} carries {org.top_workflow_share:.0%} "
            f"of the org's {org.activity.events:,} events across {org.workflows_total} workflows"
        )))
    for spike in spikes:
        flags.append(Flag(
            "spike", oid, spike.workflow_id, spike.describe(names.get(spike.workflow_id, spike.workflow_id)),
            day=spike.day,
        ))
    flags.extend(_workflow_or_org_flags(org, workflows))
    if org.billing.heading_for_overage:
        b = org.billing
        flags.append(Flag("overage", oid, None, (
            f"projected {b.projected_credits:,.0f} credits vs {b.included_credits:,.0f} included "
            f"(+{b.overage:,.0f}; {b.mtd_credits:,.0f} used in {b.days_elapsed} of {b.days_in_month} days)"
        )))
    if (warning := budget_warning(org.budget, org.billing.heading_for_overage)) is not None:
        flags.append(Flag("budget_warning", oid, None, warning))
    if org.trained_share is not None and org.trained_share < UNTRAINED:
        flags.append(Flag("untrained_users", oid, None, (
            f"{org.trained_users} of {org.active_users} active users trained ({org.trained_share:.0%}, below {UNTRAINED:.0%})"
        )))
    return flags


def _coverage_note(a: Activity, days: int) -> str:
    """Where days were left out of a rate (gaps, days before the data), say how many were counted."""
    if a.covered_days == days and a.covered_days_prev == days:
        return ""
    return f"; counted over {a.covered_days_prev} and {a.covered_days} covered days"


def _workflow_or_org_flags(org: OrgSummary, workflows: list[WorkflowSummary]) -> list[Flag]:
    """AI surge, acceptance and error-rate flags: per workflow where one breaches, else for the org as a whole."""
    flags: list[Flag] = []
    checks = (
        ("ai_surge", _ai_surge),
        ("ai_low_acceptance", _low_acceptance),
        ("high_error_rate", _high_errors),
    )
    for kind, check in checks:
        hits = [
            Flag(kind, org.org.org_id, w.workflow.workflow_id, f"{w.workflow.name}: {detail}")
            for w in workflows
            if (detail := check(w.activity)) is not None
        ]
        if not hits and (detail := check(org.activity)) is not None:
            hits.append(Flag(kind, org.org.org_id, None, f"across the org: {detail}"))
        flags.extend(hits)
    return flags


def _ai_surge(a: Activity) -> str | None:
    """AI share up ≥ 0.15 beyond chance with ≥ 50 AI events: shown with acceptance and errors, before and now."""
    now, before = a.now, a.before
    if now.ai < AI_SURGE_MIN_EVENTS or now.ai_share is None or before.ai_share is None:
        return None
    z = two_proportion_z(before.ai, before.events, now.ai, now.events)
    if now.ai_share - before.ai_share < AI_SURGE_RISE - 1e-9 or z is None or z < Z_CRITICAL:
        return None
    return (
        f"AI share {before.ai_share:.0%} → {now.ai_share:.0%} ({now.ai:,} AI events, z {z:.1f}); "
        f"acceptance {_pct_or_na(before.ai_acceptance)} → {_pct_or_na(now.ai_acceptance)}, "
        f"errors {_pct_or_na(before.error_rate)} → {_pct_or_na(now.error_rate)}"
    )


def _pct_or_na(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _low_acceptance(a: Activity) -> str | None:
    c = a.now
    if c.reviewed >= LOW_ACCEPTANCE_MIN_REVIEWED and c.ai_acceptance is not None and c.ai_acceptance < LOW_ACCEPTANCE:
        return f"AI acceptance {c.ai_acceptance:.0%} ({c.accepted:,} of {c.reviewed:,} reviewed; below {LOW_ACCEPTANCE:.0%})"
    return None


def _high_errors(a: Activity) -> str | None:
    c = a.now
    if c.events >= HIGH_ERROR_MIN_EVENTS and c.error_rate is not None and c.error_rate >= HIGH_ERROR_RATE:
        return f"error rate {c.error_rate:.0%} ({c.error:,} of {c.events:,} events; at or above {HIGH_ERROR_RATE:.0%})"
    return None


def _daily_points(rows: Iterable[DailyCounts], window: DaySpan, daily_active: dict[date, int], seats: int) -> list[DailyPoint]:
    per_day: dict[date, Counts] = defaultdict(Counts)
    start, end = window.start, window.end  # compared in place: see summarize_workflows
    for row in rows:
        if start <= row.day <= end:
            per_day[row.day].add(row)
    return [DailyPoint(d, per_day[d], daily_active.get(d, 0), seats) for d in window.each_day()]
