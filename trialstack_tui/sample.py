"""A deterministic, realistic synthetic data set in the import format, with stories planted to be found.

Each org follows a profile (volume, adoption, training, AI quality, credits) and some carry a story:
a rollout that lifted usage, a process change that raised errors, spikes, decline, overage and so on.
`sample_data/README.md` tells each story; the tests assert that the summary and comparisons reveal them.
Rows are written as they are generated, so a ten-million-event set needs no more memory than a small one.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

DEFAULT_END = date(2026, 11, 20)
BASE_ORGS = 16
WEEKEND_FACTOR = 0.3

PLANS = {  # seats, included credits per month
    "Starter": (40, 1_500.0),
    "Team": (80, 4_000.0),
    "Business": (160, 10_000.0),
    "Enterprise": (320, 30_000.0),
}

AREAS = {
    "Enrollment": ["Participant screening", "Consent capture", "Eligibility review", "Randomization", "Enrollment intake"],
    "Monitoring": ["Remote monitoring", "Query resolution", "Site visit reports", "Data cleaning", "Visit scheduling"],
    "Documents": ["Source document verification", "Protocol amendments", "eTMF filing", "Document QC", "Translation review"],
    "Safety": ["Adverse event intake", "SAE reconciliation", "Safety signal review", "Medical coding"],
    "Billing": ["Site payments", "Invoice matching", "Budget tracking"],
    "Reporting": ["Weekly status report", "Enrollment forecast", "Regulatory listings"],
}
WORKSPACE_NAMES = ["Oncology", "Cardiology", "Neurology", "Vaccines", "Rare Disease", "Dermatology", "Immunology"]
FIRST = ["Dana", "Priya", "Marcus", "Lena", "Tomás", "Aiko", "Grace", "Omar", "Sofia", "Felix", "Nadia", "Jonas",
         "Maya", "Ravi", "Elena", "Kwame", "Ines", "Hugo", "Zara", "Noah"]
LAST = ["Ruiz", "Shah", "Bennett", "Okafor", "Lindqvist", "Tanaka", "Moreau", "Haddad", "Rossi", "Weber",
        "Kowalski", "Nguyen", "Silva", "Osei", "Fischer", "Ahmed", "Byrne", "Costa", "Patel", "Larsen"]
ROLES = ["coordinator", "monitor", "data manager", "investigator", "admin"]


@dataclass(frozen=True)
class SampleSpec:
    orgs: int | None = None  # None: the 16 story orgs
    days: int = 180
    seed: int = 7
    end: date = DEFAULT_END
    target_events: int | None = None  # None: the bundled size (about 60k events)


@dataclass
class OrgProfile:
    """How one org behaves. Multipliers and overrides plant its story."""

    key: str
    name: str
    plan: str
    rate: float  # events per weekday at the start
    adoption: float  # share of seats in the active pool
    trained: float  # share of the pool trained
    acceptance: float = 0.82
    error_rate: float = 0.03
    credit_use: float = 0.6  # projected share of the plan's allowance
    growth_per_day: float = 0.0
    top_weight: float | None = None  # the busiest workflow's share of events (concentration)
    ai_heavy: bool = False
    story: str = ""
    lost_days: frozenset[date] = frozenset()  # days the export lost: no events written
    # filled in by the story builders
    multiplier: Callable[[date], float] = field(default=lambda d: 1.0, repr=False)
    pool_at: Callable[[date], float] = field(default=lambda d: 1.0, repr=False)


@dataclass
class WorkflowPlan:
    workflow_id: str
    workspace_id: str
    name: str
    area: str
    owner: str
    ai_assisted: bool
    queue_backed: bool
    weight: float
    error_rate: float
    acceptance: float
    error_override: Callable[[date], float | None] = field(default=lambda d: None, repr=False)
    ai_from: date | None = None  # from this day the workflow is AI-assisted (an AI surge)
    acceptance_from: tuple[date, float] | None = None  # from this day, this acceptance


@dataclass(frozen=True)
class Burst:
    """Extra events on one day of one workflow: a planted spike."""

    day: date
    workflow_id: str
    events: int
    kind: str


def _profiles(end: date) -> list[OrgProfile]:
    """The sixteen story orgs."""
    return [
        OrgProfile("nw", "Northwind Clinical", "Enterprise", 60, 0.72, 0.92, growth_per_day=0.0015,
                   story="broad, healthy adoption: most seats active, work spread over many workflows, trained"),
        OrgProfile("bf", "Bluefin Research", "Business", 22, 0.14, 0.7,
                   story="narrow adoption: a handful of the 160 seats do all the work"),
        OrgProfile("cd", "Cedar Trials", "Team", 34, 0.6, 0.85, top_weight=0.68,
                   story="concentrated: one workflow (participant screening) carries most events"),
        OrgProfile("hx", "Helix Bio", "Business", 30, 0.55, 0.85,
                   story="AI spike: an AI-assisted workflow had one day of ~20× its normal load"),
        OrgProfile("ob", "Orbit Health", "Business", 30, 0.58, 0.88, credit_use=0.45,
                   story="weekend spike: a weekday queue job ran a full batch on a Saturday"),
        OrgProfile("gr", "Granite Pharma", "Business", 24, 0.42, 0.86,
                   story="rollout that lifted usage: AI-assisted screening, +60 % events and more users after it"),
        OrgProfile("lm", "Lumen Labs", "Team", 30, 0.6, 0.84,
                   story="process change that raised errors: a mandatory second review step broke verification"),
        OrgProfile("sm", "Summit Sites", "Team", 34, 0.55, 0.88, credit_use=1.45,
                   story="heading for overage: credits projected well past the plan's allowance"),
        OrgProfile("wl", "Willow Care", "Team", 26, 0.55, 0.22,
                   story="mostly untrained users: active, but few have been trained"),
        OrgProfile("em", "Ember Diagnostics", "Business", 42, 0.5, 0.85,
                   story="declining: activity has fallen steadily over the last two months"),
        OrgProfile("ks", "Kestrel CRO", "Business", 30, 0.52, 0.86, acceptance=0.46, ai_heavy=True,
                   story="AI-heavy but poor: most work is AI-assisted and fewer than half of AI outputs are accepted"),
        OrgProfile("as", "Aster Medical", "Team", 5, 0.62, 0.9,
                   story="ramping up ~35 % a fortnight since it joined; its rollout changed nothing beyond that"),
        OrgProfile("mp", "Maple Research", "Starter", 16, 0.68, 0.93, credit_use=0.45,
                   story="steady, with a queue batch every Monday: a weekly rhythm, not a spike"),
        OrgProfile("td", "Tidewater Health", "Team", 20, 0.6, 0.9,
                   story="steady, but the export lost a week of its events"),
        OrgProfile("pc", "Pinecone Clinic", "Starter", 2.2, 0.5, 0.9,
                   story="small and noisy: a few events a day, so its ups and downs are within chance"),
        OrgProfile("jn", "Juniper Health", "Business", 30, 0.55, 0.88, credit_use=0.25,
                   story="AI surge: AI share tripled in the last month while acceptance fell"),
    ]


# Story dates, counted back from the last day of data.
ROLLOUT_DAYS_BEFORE_END = 55
PROCESS_DAYS_BEFORE_END = 20
AI_SPIKE_DAYS_BEFORE_END = 9
QUEUE_SPIKE_DAYS_BEFORE_END = 6  # a Saturday with the default end (a Friday)
DECLINE_STARTS_DAYS_BEFORE_END = 75
LOST_EXPORT_DAYS_BEFORE_END = (19, 13)  # first and last day the export lost, inclusive
ASTER_ROLLOUT_DAYS_BEFORE_END = 110
ASTER_RAMP_ENDS_DAYS_BEFORE_END = 80
PINECONE_ROLLOUT_DAYS_BEFORE_END = 62  # a fortnight that happened to be busier: the rollout changed nothing
PINECONE_QUIETER_DAYS_BEFORE_END = 29  # a fifth fewer events over the last 30 days: small counts, within chance
AI_SURGE_DAYS_BEFORE_END = 30


def _plant_stories(profiles: dict[str, OrgProfile], start: date, end: date) -> None:
    rollout = end - timedelta(days=ROLLOUT_DAYS_BEFORE_END)
    decline_start = end - timedelta(days=DECLINE_STARTS_DAYS_BEFORE_END)
    # `--orgs N` below 14 keeps only the first N story orgs: plant only the stories whose org is there.
    if (gr := profiles.get("gr")) is not None:
        gr.multiplier = lambda d: 1.6 if d >= rollout else 1.0
        gr.pool_at = lambda d: 1.0 if d >= rollout else 0.72
    if (em := profiles.get("em")) is not None:
        em.multiplier = lambda d: 1.0 if d < decline_start else 1.0 - 0.5 * (d - decline_start).days / (
            end - decline_start
        ).days
    if (td := profiles.get("td")) is not None:
        first, last = (end - timedelta(days=n) for n in LOST_EXPORT_DAYS_BEFORE_END)
        td.lost_days = frozenset(first + timedelta(days=i) for i in range((last - first).days + 1))
    if (aster := profiles.get("as")) is not None:
        ramp_end = end - timedelta(days=ASTER_RAMP_ENDS_DAYS_BEFORE_END)
        aster.multiplier = lambda d: 1.35 ** ((min(d, ramp_end) - start).days / 14)
    if (pc := profiles.get("pc")) is not None:
        quieter = end - timedelta(days=PINECONE_QUIETER_DAYS_BEFORE_END)
        pc.multiplier = lambda d: 0.8 if d >= quieter else 1.0


def _owner(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _workflows(rng: random.Random, org: OrgProfile, workspaces: list[tuple[str, str]]) -> list[WorkflowPlan]:
    plans: list[WorkflowPlan] = []
    area_names = list(AREAS)
    for ws_index, (ws_id, _ws_name) in enumerate(workspaces):
        count = rng.randint(4, 8)
        for i in range(count):
            area = area_names[(ws_index + i) % len(area_names)]
            name = rng.choice(AREAS[area])
            ai = org.ai_heavy and rng.random() < 0.8 or (not org.ai_heavy and rng.random() < 0.3)
            queue = rng.random() < 0.25
            plans.append(
                WorkflowPlan(
                    workflow_id=f"wf-{org.key}-{ws_index + 1}{chr(ord('a') + i)}",
                    workspace_id=ws_id,
                    name=name,
                    area=area,
                    owner=_owner(rng),
                    ai_assisted=ai,
                    queue_backed=queue,
                    weight=rng.uniform(0.5, 1.5),
                    error_rate=org.error_rate * rng.uniform(0.6, 1.3),
                    acceptance=min(0.97, org.acceptance * rng.uniform(0.92, 1.08)),
                )
            )
    return plans


def _story_workflows(org: OrgProfile, plans: list[WorkflowPlan], start: date, end: date) -> list[Burst]:
    """Shape the workflows a story needs and return the planted bursts."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    bursts: list[Burst] = []
    if org.top_weight is not None:
        top = plans[0]
        top.name, top.area = "Participant screening", "Enrollment"
        rest = sum(p.weight for p in plans[1:])
        top.weight = rest * org.top_weight / (1 - org.top_weight)
    if org.key == "hx":
        target = plans[1]
        target.name, target.area, target.ai_assisted, target.queue_backed = "Medical coding", "Safety", True, False
        target.weight = 1.0
        bursts.append(Burst(end - timedelta(days=AI_SPIKE_DAYS_BEFORE_END), target.workflow_id, 64, "ai"))
    if org.key == "ob":
        # A weekday job: 25 queue events Monday to Friday, 2 on Saturdays; one Saturday it ran a full batch.
        target = plans[2]
        target.name, target.area, target.ai_assisted, target.queue_backed = "eTMF filing", "Documents", False, True
        target.weight = 0.1
        saturday = end - timedelta(days=QUEUE_SPIKE_DAYS_BEFORE_END)
        bursts.extend(
            Burst(d, target.workflow_id, 25 if d.weekday() < 5 or d == saturday else 2, "queue")
            for d in days if d.weekday() != 6
        )
    if org.key == "mp":
        target = plans[1]
        target.name, target.area, target.ai_assisted, target.queue_backed = "Weekly status report", "Reporting", False, True
        target.weight = 0.1
        bursts.extend(Burst(d, target.workflow_id, 60, "queue") for d in days if d.weekday() == 0)
    if org.key == "jn":
        surge = end - timedelta(days=AI_SURGE_DAYS_BEFORE_END)
        # A fifth of the workflows were AI-assisted; from the surge every one is, and acceptance falls.
        for i, p in enumerate(plans):
            p.ai_assisted = i < max(2, len(plans) // 5)
            p.ai_from = surge
            p.acceptance_from = (surge, 0.66)
    if org.key == "lm":
        target = plans[0]
        target.name, target.area = "Source document verification", "Documents"
        target.weight = sum(p.weight for p in plans[1:]) * 0.4
        change_day = end - timedelta(days=PROCESS_DAYS_BEFORE_END)
        target.error_override = lambda d: 0.26 if d >= change_day else None
    if org.key == "gr":
        for p in plans[:3]:
            p.ai_assisted = True
    # Healthy orgs keep every workflow under a third of the org's events.
    if org.top_weight is None:
        total = sum(p.weight for p in plans)
        for p in plans:
            p.weight = min(p.weight, total * 0.3)
    return bursts


def _changes(end: date, workflows: dict[str, list[WorkflowPlan]]) -> list[dict[str, str]]:
    def day(n: int) -> str:
        return (end - timedelta(days=n)).isoformat()

    return [
        {"change_id": "chg-plan-summit", "date": day(120), "kind": "plan", "title": "Summit moved from Starter to Team",
         "org_id": "org-sm", "workflow_id": ""},
        {"change_id": "chg-training-q3", "date": day(100), "kind": "training",
         "title": "Quarterly platform training webinar for every org", "org_id": "", "workflow_id": ""},
        {"change_id": "chg-rollout-aster", "date": day(ASTER_ROLLOUT_DAYS_BEFORE_END), "kind": "rollout",
         "title": "Queue-backed document import enabled at Aster", "org_id": "org-as", "workflow_id": ""},
        {"change_id": "chg-rollout-granite", "date": day(ROLLOUT_DAYS_BEFORE_END), "kind": "rollout",
         "title": "AI-assisted screening rolled out across Granite", "org_id": "org-gr", "workflow_id": ""},
        {"change_id": "chg-rollout-dashboard", "date": day(30), "kind": "rollout",
         "title": "New reviewer dashboard released to every org", "org_id": "", "workflow_id": ""},
        {"change_id": "chg-rollout-pinecone", "date": day(PINECONE_ROLLOUT_DAYS_BEFORE_END), "kind": "rollout",
         "title": "Guided consent capture rolled out at Pinecone", "org_id": "org-pc", "workflow_id": ""},
        {"change_id": "chg-process-lumen", "date": day(PROCESS_DAYS_BEFORE_END), "kind": "process",
         "title": "Mandatory second review added to source document verification", "org_id": "org-lm",
         "workflow_id": workflows["lm"][0].workflow_id if "lm" in workflows else ""},
    ]


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    threshold, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def _extra_profiles(n: int) -> list[OrgProfile]:
    """Beyond the story orgs: steady orgs that widen the control group and the data set."""
    plans = list(PLANS)
    return [
        OrgProfile(f"x{i:03d}", f"Org {i:03d}", plans[i % len(plans)], 18 + (i * 7) % 30, 0.45 + (i % 5) * 0.08, 0.85,
                   story="steady control org")
        for i in range(BASE_ORGS + 1, n + 1)
    ]


class _Writer:
    def __init__(self, folder: Path, name: str, header: list[str]) -> None:
        self.handle = (folder / f"{name}.csv").open("w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(header)
        self.rows = 0

    def row(self, values: list[object]) -> None:
        self.writer.writerow(values)
        self.rows += 1

    def close(self) -> int:
        self.handle.close()
        return self.rows


def write_sample(spec: SampleSpec, out: Path) -> dict[str, int]:
    """Write organizations, workspaces, workflows, users, events and changes CSVs into OUT; return row counts."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(spec.seed)
    end, start = spec.end, spec.end - timedelta(days=spec.days - 1)
    profiles = _profiles(end)
    n_orgs = spec.orgs or BASE_ORGS
    profiles = profiles[:n_orgs] + _extra_profiles(n_orgs)
    by_key = {p.key: p for p in profiles}
    _plant_stories(by_key, start, end)

    scale = 1.0
    if spec.target_events:
        scale = spec.target_events / _expected_events(profiles, start, end)

    writers = {
        "organizations": _Writer(out, "organizations", ["org_id", "name", "plan", "seats", "included_credits"]),
        "workspaces": _Writer(out, "workspaces", ["workspace_id", "org_id", "name"]),
        "workflows": _Writer(out, "workflows", ["workflow_id", "workspace_id", "name", "area", "owner", "ai_assisted", "queue_backed"]),
        "users": _Writer(out, "users", ["user_id", "org_id", "role", "trained_on"]),
        "events": _Writer(out, "events", ["event_id", "ts", "workflow_id", "user_id", "kind", "outcome", "credits"]),
        "changes": _Writer(out, "changes", ["change_id", "date", "kind", "title", "org_id", "workflow_id"]),
    }
    try:
        workflows_by_org: dict[str, list[WorkflowPlan]] = {}
        next_event = 1
        for org in profiles:
            org_rng = random.Random(f"{spec.seed}:{org.key}")
            seats, included = PLANS[org.plan]
            org_id = f"org-{org.key}"
            workspaces = [
                (f"ws-{org.key}-{i + 1}", name)
                for i, name in enumerate(org_rng.sample(WORKSPACE_NAMES, org_rng.randint(3, 6)))
            ]
            plans = _workflows(org_rng, org, workspaces)
            bursts = _story_workflows(org, plans, start, end)
            workflows_by_org[org.key] = plans
            pool = _users(org_rng, org, org_id, seats, start, writers["users"])
            credit_unit = _credit_unit(org, plans, included, start, end, scale)
            writers["organizations"].row([org_id, org.name, org.plan, seats, f"{included:.0f}"])
            for ws_id, ws_name in workspaces:
                writers["workspaces"].row([ws_id, org_id, ws_name])
            for p in plans:
                writers["workflows"].row([p.workflow_id, p.workspace_id, p.name, p.area, p.owner,
                                          str(p.ai_assisted).lower(), str(p.queue_backed).lower()])
            for row in _events(org_rng, org, plans, pool, bursts, start, end, scale, credit_unit):
                writers["events"].row([f"e{next_event:08d}", *row])
                next_event += 1
        for change in _changes(end, workflows_by_org):
            if change["org_id"] and change["org_id"][4:] not in by_key:
                continue
            writers["changes"].row(list(change.values()))
    finally:
        counts = {name: w.close() for name, w in writers.items()}
    del rng
    return counts


def _users(
    rng: random.Random, org: OrgProfile, org_id: str, seats: int, start: date, writer: _Writer
) -> list[str]:
    """Write the org's users (active pool plus dormant accounts); return the pool, most active first."""
    pool_size = max(3, round(seats * org.adoption))
    dormant = max(2, round((seats - pool_size) * 0.3))
    ids = [f"u-{org.key}-{i:03d}" for i in range(1, pool_size + dormant + 1)]
    for i, user_id in enumerate(ids):
        trained = rng.random() < (org.trained if i < pool_size else 0.3)
        trained_on = (start + timedelta(days=rng.randint(-200, 60))).isoformat() if trained else ""
        writer.row([user_id, org_id, rng.choice(ROLES), trained_on])
    return ids[:pool_size]


def _day_factor(org: OrgProfile, day: date, start: date) -> float:
    weekday = 1.0 if day.weekday() < 5 else WEEKEND_FACTOR
    return weekday * org.multiplier(day) * (1 + org.growth_per_day * (day - start).days)


def _expected_events(profiles: list[OrgProfile], start: date, end: date) -> float:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return sum(org.rate * _day_factor(org, d, start) for org in profiles for d in days)


def _kind_mix(p: WorkflowPlan, day: date | None = None) -> tuple[float, float]:
    """(share ai, share queue) of a workflow's events (on `day`, where a surge changes it)."""
    surged = p.ai_from is not None and day is not None and day >= p.ai_from
    ai = 0.6 if p.ai_assisted or surged else 0.0
    queue = 0.55 if p.queue_backed else 0.0
    if ai and queue:
        ai, queue = 0.4, 0.35
    return ai, queue


AI_CREDITS, QUEUE_CREDITS, MANUAL_CREDITS = 2.0, 0.5, 0.05


def _credit_unit(
    org: OrgProfile, plans: list[WorkflowPlan], included: float, start: date, end: date, scale: float
) -> float:
    """Credits per unit so the org's month-to-date pace projects to `credit_use` of its allowance."""
    month_start = end.replace(day=1)
    days = [month_start + timedelta(days=i) for i in range((end - month_start).days + 1)]
    total_weight = sum(p.weight for p in plans)
    per_event = 0.0
    for p in plans:
        ai, queue = _kind_mix(p)
        per_event += p.weight / total_weight * (ai * AI_CREDITS + queue * QUEUE_CREDITS + (1 - ai - queue) * MANUAL_CREDITS)
    mtd_events = sum(org.rate * scale * _day_factor(org, d, start) for d in days)
    projected_units = mtd_events * per_event / len(days) * _days_in_month(end)
    return org.credit_use * included / projected_units if projected_units else 0.0


def _days_in_month(d: date) -> int:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (nxt - timedelta(days=1)).day


def _events(
    rng: random.Random,
    org: OrgProfile,
    plans: list[WorkflowPlan],
    pool: list[str],
    bursts: list[Burst],
    start: date,
    end: date,
    scale: float,
    credit_unit: float,
) -> Iterator[list[object]]:
    cum_weights: list[float] = []
    total = 0.0
    for p in plans:
        total += p.weight
        cum_weights.append(total)
    user_weights = [1.0 / (1 + i * 0.04) for i in range(len(pool))]
    user_cum = []
    acc = 0.0
    for w in user_weights:
        acc += w
        user_cum.append(acc)
    burst_by_day = {(b.day, b.workflow_id): b for b in bursts}
    day = start
    while day <= end:
        if day in org.lost_days:
            day += timedelta(days=1)
            continue
        n = _poisson(rng, org.rate * scale * _day_factor(org, day, start))
        active_pool = max(1, round(len(pool) * org.pool_at(day)))
        chosen = rng.choices(plans, cum_weights=cum_weights, k=n)
        users = rng.choices(pool[:active_pool], cum_weights=user_cum[:active_pool], k=n)
        for p, user in zip(chosen, users, strict=True):
            yield _event(rng, p, user, day, credit_unit, forced_kind=None)
        for p in plans:
            burst = burst_by_day.get((day, p.workflow_id))
            if burst is not None:
                for _ in range(round(burst.events * scale)):
                    user = rng.choices(pool, cum_weights=user_cum, k=1)[0]
                    yield _event(rng, p, user, day, credit_unit, forced_kind=burst.kind)
        day += timedelta(days=1)


def _event(
    rng: random.Random, p: WorkflowPlan, user: str, day: date, credit_unit: float, forced_kind: str | None
) -> list[object]:
    ai, queue = _kind_mix(p, day)
    acceptance = p.acceptance_from[1] if p.acceptance_from and day >= p.acceptance_from[0] else p.acceptance
    r = rng.random()
    kind = forced_kind or ("ai" if r < ai else "queue" if r < ai + queue else "manual")
    error_rate = p.error_override(day)
    if error_rate is None:
        error_rate = p.error_rate
    if kind == "ai":
        r = rng.random()
        if r < error_rate:
            outcome = "error"
        elif r < 0.75:
            outcome = "accepted" if rng.random() < acceptance else "rejected"
        else:
            outcome = "ok"
        credits = AI_CREDITS * credit_unit
    else:
        outcome = "error" if rng.random() < error_rate else "ok"
        credits = (QUEUE_CREDITS if kind == "queue" else MANUAL_CREDITS) * credit_unit
    hour = min(23, max(0, round(rng.gauss(13, 3)))) if kind != "queue" else rng.randint(0, 23)
    ts = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59))
    return [ts.isoformat(), p.workflow_id, user, kind, outcome, f"{credits:.2f}" if credits else ""]
