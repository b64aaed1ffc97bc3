"""Tiny hand-built inputs for the unit tests: metric records, summary inputs and import files.

Every expectation in the tests is counted by hand from these; nothing here computes a metric.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

from trialstack_tui.metrics.summary import OrgSummary, Summary, SummaryInputs, build_summary
from trialstack_tui.records import Catalog, ChangeRecord, DailyCounts, OrgRecord, WorkflowRecord, WorkspaceRecord

AS_OF = date(2026, 3, 31)
"""The default as-of date of the summary tests: the last day of a 31-day month."""


def d(n: int, as_of: date = AS_OF) -> date:
    """The day n days before as_of (d(0) is as_of itself)."""
    return as_of - timedelta(days=n)


def org(org_id: str = "org-a", *, seats: int = 10, included: float = 1_000.0) -> OrgRecord:
    return OrgRecord(org_id, f"Name of {org_id}", "Team", seats, included)


def wf(workflow_id: str, org_id: str = "org-a", *, area: str = "Enrollment") -> WorkflowRecord:
    return WorkflowRecord(workflow_id, f"ws-{org_id}", org_id, f"Name of {workflow_id}", area, "Owner", False, False)


def row(
    day: date,
    workflow_id: str = "wf-a1",
    org_id: str = "org-a",
    *,
    events: int,
    ai: int = 0,
    queue: int = 0,
    error: int = 0,
    accepted: int = 0,
    rejected: int = 0,
    credits: float = 0.0,
) -> DailyCounts:
    """One rollup row; manual = events − ai − queue, ok = events − error − accepted − rejected."""
    manual = events - ai - queue
    ok = events - error - accepted - rejected
    assert manual >= 0 and ok >= 0, "an impossible fixture row"
    return DailyCounts(day, org_id, workflow_id, events, manual, ai, queue, ok, error, accepted, rejected, credits)


def catalog(
    orgs: Iterable[OrgRecord], workflows: Iterable[WorkflowRecord], changes: Iterable[ChangeRecord] = ()
) -> Catalog:
    orgs = list(orgs)
    return Catalog(
        orgs={o.org_id: o for o in orgs},
        workspaces={f"ws-{o.org_id}": WorkspaceRecord(f"ws-{o.org_id}", o.org_id, "Workspace") for o in orgs},
        workflows={w.workflow_id: w for w in workflows},
        changes={c.change_id: c for c in changes},
    )


DEFAULT_WORKFLOWS = ("wf-a1", "wf-a2")


def summarize(
    rows: Sequence[DailyCounts],
    *,
    orgs: Sequence[OrgRecord] | None = None,
    workflows: Sequence[WorkflowRecord] | None = None,
    as_of: date = AS_OF,
    days: int = 10,
    first: date | None = None,
    active_by_org: dict[str, int] | None = None,
    active_by_workflow: dict[str, int] | None = None,
    active_total: int = 0,
    active_total_prev: int = 0,
    trained_by_org: dict[str, int] | None = None,
    orgs_with_users: Iterable[str] = (),
) -> Summary:
    """build_summary over hand-made rows; by default one org (10 seats) with workflows wf-a1 and wf-a2. The
    org totals per day are the rows' (what the store's daily_org holds: tests/unit/test_importer.py)."""
    rows = list(rows)
    org_days: dict[str, dict[date, int]] = {}
    for row in rows:
        days_of_org = org_days.setdefault(row.org_id, {})
        days_of_org[row.day] = days_of_org.get(row.day, 0) + row.events
    inputs = SummaryInputs(
        catalog=catalog(orgs or [org()], workflows or [wf(w) for w in DEFAULT_WORKFLOWS]),
        as_of=as_of,
        days=days,
        first_data_day=first or as_of - timedelta(days=400),
        last_data_day=as_of,
        rows=rows,
        org_days=org_days,
        active_by_org=active_by_org or {},
        active_by_workflow=active_by_workflow or {},
        active_total=active_total,
        active_total_prev=active_total_prev,
        trained_by_org=trained_by_org or {},
        orgs_with_users=set(orgs_with_users),
        daily_active={},
    )
    return build_summary(inputs)


def only_org(summary: Summary, org_id: str = "org-a") -> OrgSummary:
    return next(o for o in summary.orgs if o.org.org_id == org_id)


def flag_kinds(summary: Summary, org_id: str = "org-a") -> list[str]:
    return [f.kind for f in only_org(summary, org_id).flags]


# ----------------------------------------------------------------------------- import files


def write_csv(folder: Path, name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(folder: Path, name: str, objects: Iterable[object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return path


HEADERS = {
    "organizations": ("org_id", "name", "plan", "seats", "included_credits"),
    "workspaces": ("workspace_id", "org_id", "name"),
    "workflows": ("workflow_id", "workspace_id", "name", "area", "owner", "ai_assisted", "queue_backed"),
    "users": ("user_id", "org_id", "role", "trained_on"),
    "events": ("event_id", "ts", "workflow_id", "user_id", "kind", "outcome", "credits"),
    "changes": ("change_id", "date", "kind", "title", "org_id", "workflow_id"),
}

TINY = {
    "organizations": [
        ("org-a", "Alpha Trials", "Team", "10", "100"),
        ("org-b", "Beta Bio", "Starter", "4", "50.5"),
    ],
    "workspaces": [("ws-a", "org-a", "Oncology"), ("ws-b", "org-b", "Vaccines")],
    "workflows": [
        ("wf-a1", "ws-a", "Screening", "Enrollment", "Dana Ruiz", "true", "false"),
        ("wf-a2", "ws-a", "Coding", "Safety", "Omar Shah", "false", "true"),
        ("wf-b1", "ws-b", "Filing", "Documents", "Lena Weber", "no", "no"),
    ],
    "users": [
        ("u-a1", "org-a", "coordinator", "2026-01-05"),
        ("u-a2", "org-a", "monitor", ""),
        ("u-b1", "org-b", "admin", "2026-02-01"),
    ],
    "events": [
        ("e1", "2026-03-01T09:00:00", "wf-a1", "u-a1", "ai", "accepted", "2"),
        ("e2", "2026-03-01T10:00:00", "wf-a1", "u-a2", "ai", "rejected", "2"),
        ("e3", "2026-03-01T11:00:00", "wf-a1", "u-a1", "manual", "error", ""),
        ("e4", "2026-03-01T12:00:00", "wf-a2", "u-a1", "queue", "ok", "0.5"),
        ("e5", "2026-03-02T09:00:00", "wf-a1", "u-a2", "manual", "ok", "0.25"),
        ("e6", "2026-03-02T09:30:00", "wf-b1", "u-b1", "manual", "ok", "1"),
    ],
    "changes": [
        ("chg-1", "2026-03-02", "rollout", "Screening assistant", "org-a", ""),
        ("chg-2", "2026-03-02", "training", "Webinar", "", ""),
    ],
}
"""A complete valid import: 2 orgs, 2 workspaces, 3 workflows, 3 users, 6 events, 2 changes."""


def write_tiny(folder: Path, overrides: dict[str, list[Sequence[object]]] | None = None) -> Path:
    """The TINY data set as CSV files in folder, with any file's rows replaced by `overrides`."""
    data = {**TINY, **(overrides or {})}
    for name, rows in data.items():
        write_csv(folder, name, HEADERS[name], rows)
    return folder
