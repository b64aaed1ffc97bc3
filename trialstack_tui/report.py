"""Output shapes for the headless commands: CONTRACT §4 JSON, aligned text tables, follow-up exports."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from .metrics.billing import BUDGET_THRESHOLDS, BudgetOutlook
from .metrics.counts import Counts
from .metrics.lifecycle import STATES, Lifecycle
from .metrics.rollout import Comparison, WindowFigures
from .metrics.spikes import Spike
from .metrics.evidence import Gap
from .metrics.summary import Activity, Flag, OrgSummary, Summary, WorkflowSummary
from .records import ChangeRecord, DailyCounts, FollowUpRecord
from .exports import FOLLOWUP_FORMAT_NAMES
from .figures import pct
from .safe_text import csv_cell, json_safe, visible
from .sparkline import sparkline
from .view_models import BillingView, Names, OrgDetail, OwnerReport, WorkflowDetail

FOLLOWUP_COLUMNS = (
    "id", "status", "target_type", "org_id", "workspace_id", "workflow_id", "target_ref", "reason", "owner",
    "note", "created_by", "created_at", "closed_at",
)


def _num(value: float | None, digits: int = 4) -> float | None:
    # JSON has no Infinity or NaN: a figure that is not finite is unknown (null), never invalid JSON.
    return None if value is None or not math.isfinite(value) else round(value, digits)


def _activity_json(a: Activity) -> dict[str, Any]:
    t = a.trend
    now = a.now
    return {
        "events": now.events,
        "events_prev": a.before.events,
        "trend": _num(t.change),
        "trend_label": t.label,
        "trend_noise": _num(t.noise),
        "trend_within_chance": t.within_chance,
        "covered_days": a.covered_days,
        "covered_days_prev": a.covered_days_prev,
        "ai_share": _num(now.ai_share),
        "queue_share": _num(now.queue_share),
        "ai_acceptance": _num(now.ai_acceptance),
        "ai_reviewed": now.reviewed,
        "error_rate": _num(now.error_rate),
        "credits": _num(now.credits, 2),
    }


def flag_json(flag: Flag) -> dict[str, Any]:
    document = {"kind": flag.kind, "org_id": flag.org_id, "workflow_id": flag.workflow_id, "detail": flag.detail}
    if flag.day is not None:
        document["date"] = flag.day.isoformat()
    if flag.change_id is not None:
        document["change_id"] = flag.change_id
    if flag.gap is not None:
        document.update(gap_json(flag.gap))
    return document


def gap_json(g: Gap) -> dict[str, Any]:
    return {
        "org_id": g.org_id or None,
        "first": g.first.isoformat(),
        "last": g.last.isoformat(),
        "days": g.days,
        "expected_missing": _num(g.expected_missing, 1),
    }


def spike_json(s: Spike) -> dict[str, Any]:
    return {
        "date": s.day.isoformat(),
        "org_id": s.org_id,
        "workflow_id": s.workflow_id,
        "events": s.events,
        "baseline": _num(s.baseline, 2),
        "expected": _num(s.expected, 2),
        "spread": _num(s.spread, 2),
        "z": _num(s.z, 2),
        "factor": _num(s.factor, 2),
        "ai_share": _num(s.ai_share),
        "queue_share": _num(s.queue_share),
    }


def org_json(o: OrgSummary) -> dict[str, Any]:
    b = o.billing
    return {
        "org_id": o.org.org_id,
        "name": o.org.name,
        "plan": o.org.plan,
        "seats": o.org.seats,
        **_activity_json(o.activity),
        "active_users": o.active_users,
        "adoption": _num(o.adoption),
        "workflows_active": o.workflows_active,
        "workflows_total": o.workflows_total,
        "top_workflow_id": o.top_workflow_id,
        "top_workflow_share": _num(o.top_workflow_share),
        "concentration": o.concentration,
        "included_credits": _num(b.included_credits, 2),
        "mtd_credits": _num(b.mtd_credits, 2),
        "projected_credits": _num(b.projected_credits, 2),
        "overage": _num(b.overage, 2),
        "trained_share": _num(o.trained_share),
        "flags": [flag_json(f) for f in o.flags],
        "lifecycle": lifecycle_json(o.lifecycle),
        "stickiness": None if o.lifecycle is None else _num(o.lifecycle.stickiness),
        **budget_json(o.budget),
    }


def lifecycle_json(lc: Lifecycle | None) -> dict[str, int] | None:
    """Users by lifecycle state (§2), None when not computed."""
    return None if lc is None else {state: lc.count(state) for state in STATES}


def budget_json(b: BudgetOutlook) -> dict[str, Any]:
    """The projection at the last 7 days' rate and the dates 75 / 90 / 100 % of the allowance are crossed."""
    return {
        "recent_daily_rate": _num(b.recent_daily_rate, 2),
        "projected_recent": _num(b.projected_recent, 2),
        "budget_crossings": [
            {"threshold": c.threshold, "date": c.day.isoformat() if c.day else None, "reached": c.reached}
            for c in b.crossings
        ],
    }


def workflow_json(w: WorkflowSummary) -> dict[str, Any]:
    wf = w.workflow
    return {
        "workflow_id": wf.workflow_id,
        "org_id": wf.org_id,
        "workspace_id": wf.workspace_id,
        "name": wf.name,
        "area": wf.area,
        "owner": wf.owner,
        "ai_assisted": wf.ai_assisted,
        "queue_backed": wf.queue_backed,
        **_activity_json(w.activity),
        "share_of_org": _num(w.share_of_org),
        "active_users": w.active_users,
        "lifecycle": lifecycle_json(w.lifecycle),
        "stickiness": None if w.lifecycle is None else _num(w.lifecycle.stickiness),
        "daily_events": w.daily_events,
    }


def summary_json(s: Summary) -> dict[str, Any]:
    """The `summary --json` document (CONTRACT §4)."""
    t = s.totals
    return {
        **_window_json(s),
        "totals": {
            **_activity_json(t.activity),
            "active_users": t.active_users,
            "active_users_prev": t.active_users_prev,
            "users_trend": _num(t.users_trend.change),
            "users_trend_label": t.users_trend.label,
            "seats": t.seats,
            "adoption": _num(t.adoption),
            "workflows_active": t.workflows_active,
            "workflows_total": t.workflows_total,
            "included_credits": _num(t.included_credits, 2),
            "mtd_credits": _num(t.mtd_credits, 2),
            "projected_credits": _num(t.projected_credits, 2),
            "overage": _num(t.overage, 2),
        },
        "orgs": [org_json(o) for o in s.orgs],
        "areas": [
            {
                "area": a.area,
                "events": a.activity.events,
                "events_prev": a.activity.before.events,
                "share": _num(a.share),
                "trend": _num(a.activity.trend.change),
                "trend_label": a.activity.trend.label,
                "trend_noise": _num(a.activity.trend.noise),
            }
            for a in s.areas
        ],
        "spikes": [spike_json(sp) for sp in s.spikes],
        "flags": [flag_json(f) for f in s.flags],
        "gaps": [gap_json(g) for g in s.gaps],
        "export_gaps": [gap_json(g) for g in s.export_gaps],
        # Per workflow only where the summary read per-workflow lifecycle (summary --json does).
        "workflows": [workflow_json(w) for w in s.workflows if w.lifecycle is not None],
    }


def _window_json(s: Summary) -> dict[str, Any]:
    return {
        "as_of": s.as_of.isoformat(),
        "window_days": s.window.days,
        "window": {"start": s.window.start.isoformat(), "end": s.window.end.isoformat()},
        "previous_window": {"start": s.previous.start.isoformat(), "end": s.previous.end.isoformat()},
    }


def _daily_json(days: Sequence[date], counts: Sequence[Counts | DailyCounts], active: Sequence[int]) -> list[dict[str, Any]]:
    return [
        {"date": d.isoformat(), "events": c.events, "manual": c.manual, "ai": c.ai, "queue": c.queue,
         "error": c.error, "credits": _num(c.credits, 2), "active_users": users}
        for d, c, users in zip(days, counts, active, strict=True)
    ]


def org_detail_json(model: OrgDetail) -> dict[str, Any]:
    """The `org ORG_ID --json` document: the org screen's view model."""
    daily = model.summary.daily
    return {
        **_window_json(model.summary),
        "org": org_json(model.org),
        "workflows": [workflow_json(w) for w in model.workflows],
        "workspaces": [
            {"workspace_id": line.workspace.workspace_id, "name": line.workspace.name, "events": line.events,
             "workflows_active": line.workflows_active, "workflows_total": line.workflows_total,
             "active_users": line.active_users}
            for line in model.workspaces
        ],
        "changes": [change_json(c) for c in model.changes],
        "untrained": [{"user_id": u.user_id, "role": u.role, "lifecycle": u.state} for u in model.untrained],
        "daily": _daily_json([p.day for p in daily], [p.counts for p in daily], [p.active_users for p in daily]),
    }


def workflow_detail_json(model: WorkflowDetail) -> dict[str, Any]:
    """The `workflow WORKFLOW_ID --json` document: the workflow screen's view model."""
    return {
        "as_of": model.days[-1].day.isoformat(),
        "window_days": len(model.days),
        "org_id": model.workflow.org_id,
        "org_name": model.org_name,
        "workspace_name": model.workspace.name,
        "workflow": workflow_json(model.summary),
        "spikes": [spike_json(sp) for sp in model.spikes],
        "flags": [flag_json(f) for f in model.flags],
        "changes": [change_json(c) for c in model.changes],
        "daily": _daily_json([c.day for c in model.days], model.days, model.daily_active),
    }


def billing_json(model: BillingView) -> dict[str, Any]:
    """The `billing --json` document: the billing screen's view model, highest risk first."""
    return {
        "as_of": model.as_of.isoformat(),
        "orgs": [
            {
                "org_id": b.org_id,
                "name": b.name,
                "plan": b.plan,
                "included_credits": _num(b.projection.included_credits, 2),
                "mtd_credits": _num(b.projection.mtd_credits, 2),
                "projected_credits": _num(b.projection.projected_credits, 2),
                "use_of_allowance": _num(b.projection.use_of_allowance),
                "overage": _num(b.projection.overage, 2),
                **budget_json(b.budget),
            }
            for b in model.lines
        ],
    }


def _figures_json(f: WindowFigures) -> dict[str, Any]:
    c = f.counts
    return {
        "start": f.window.start.isoformat(),
        "end": f.window.end.isoformat(),
        "days": f.days,
        "covered_days": f.covered_days,
        "events": c.events,
        "events_per_day": _num(f.events_per_day, 2),
        "active_users": f.active_users,
        "adoption": _num(f.adoption),
        "workflows_active": f.workflows_active,
        "ai_share": _num(c.ai_share),
        "ai_acceptance": _num(c.ai_acceptance),
        "ai_reviewed": c.reviewed,
        "error_rate": _num(c.error_rate),
        "credits_per_day": _num(f.credits_per_day, 2),
    }


def change_json(c: ChangeRecord) -> dict[str, Any]:
    return {
        "change_id": c.change_id,
        "date": c.date.isoformat(),
        "kind": c.kind,
        "title": c.title,
        "org_id": c.org_id,
        "workflow_id": c.workflow_id,
    }


def comparison_json(cmp: Comparison) -> dict[str, Any]:
    """The `compare --json` document (CONTRACT §3, §4)."""
    ev = cmp.evidence
    control = None
    if cmp.control_before is not None and cmp.control_after is not None:
        control = {
            "before": _figures_json(cmp.control_before),
            "after": _figures_json(cmp.control_after),
            "change": _num(cmp.control_change),
        }
    return {
        "change": change_json(cmp.change),
        "window_days": cmp.days,
        "clipped": cmp.clipped,
        "before": _figures_json(cmp.before),
        "after": _figures_json(cmp.after),
        "control": control,
        "scope_change": _num(cmp.scope_change),
        "control_change": _num(cmp.control_change),
        "did": _num(cmp.did),
        "usual_change": _num(ev.usual_change),
        "adjusted_did": _num(ev.adjusted_did),
        "z": _num(ev.z, 2),
        "p_value": _num(ev.p_value),
        "placebo_windows": len(ev.placebo_dids),
        "placebo_dids": [_num(x) for x in ev.placebo_dids],
        "error_rate_z": _num(ev.error_z, 2),
        "ai_acceptance_z": _num(ev.acceptance_z, 2),
        "gaps": [gap_json(g) for g in ev.gaps],
        "verdict": cmp.verdict,
        "reason": cmp.reason,
        "notes": cmp.notes,
    }


def to_json(document: Any) -> str:
    """Readable JSON (names keep their letters) with no raw control characters; strictly JSON (no NaN)."""
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ----------------------------------------------------------------------------- text


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    """An aligned plain-text table; cells are made safe for the terminal."""
    cells = [[visible(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(values)).rstrip()

    out = [line(headers), line(["─" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def summary_text(s: Summary) -> str:
    t = s.totals
    tr = t.activity.trend
    now = t.activity.now
    head = [
        f"TrialStack usage · {s.window.start} .. {s.as_of} ({s.window.days} days; previous {s.previous.start} .. {s.previous.end})",
        "",
        f"events {now.events:,} ({pct(tr.change, True)} {tr.label})   active users {t.active_users:,} of {t.seats:,} seats "
        f"({pct(t.adoption)})   workflows {t.workflows_active}/{t.workflows_total}",
        f"AI share {pct(now.ai_share)}   AI acceptance {pct(now.ai_acceptance)}   error rate {pct(now.error_rate)}   "
        f"credits {now.credits:,.0f}   projected month {t.projected_credits:,.0f} of {t.included_credits:,.0f}",
        "",
    ]
    org_rows = [
        [
            o.org.name, f"{o.activity.events:,}", f"{pct(o.activity.trend.change, True)} {o.activity.trend.label}",
            f"{o.active_users}/{o.org.seats}", pct(o.adoption), f"{o.workflows_active}/{o.workflows_total}",
            pct(o.top_workflow_share), pct(o.activity.now.ai_share), pct(o.activity.now.error_rate),
            " ".join(sorted({f.kind for f in o.flags})),
        ]
        for o in s.orgs
    ]
    parts = head + [
        table(
            ["org", "events", "trend", "active", "adopt", "wf", "top", "ai", "err", "flags"],
            org_rows,
            right=(1, 3, 4, 5, 6, 7, 8),
        ),
        "",
        table(
            ["area", "events", "share", "trend"],
            [[a.area, f"{a.activity.events:,}", pct(a.share), f"{pct(a.activity.trend.change, True)} {a.activity.trend.label}"] for a in s.areas],
            right=(1, 2),
        ),
    ]
    names = Names({o.org.org_id: o.org.name for o in s.orgs}, {w.workflow.workflow_id: w.workflow.name for w in s.workflows})
    if s.export_gaps:
        parts[1:1] = [
            f"the export is missing {g.first}..{g.last} ({g.days} days, ~{g.expected_missing:,.0f} events expected); "
            "those days are left out of every rate"
            for g in s.export_gaps
        ]
    if s.spikes:
        parts += ["", table(
            ["spike day", "org", "workflow", "events", "expected", "factor", "z", "ai", "queue"],
            [[f"{sp.day:%a} {sp.day}", names.org(sp.org_id), names.workflow(sp.workflow_id), sp.events,
              f"{sp.expected:,.0f}", f"{sp.factor:.1f}×", f"{sp.z:.1f}", pct(sp.ai_share), pct(sp.queue_share)]
             for sp in s.spikes],
            right=(3, 4, 5, 6, 7, 8),
        )]
    if s.flags:
        parts += ["", table(
            ["flag", "org", "workflow", "detail"],
            [[f.kind, names.org(f.org_id), names.workflow(f.workflow_id), f.detail] for f in s.flags],
        )]
    return "\n".join(parts)


def comparison_text(cmp: Comparison, names: Names) -> str:
    c = cmp.change
    ev = cmp.evidence
    scope = names.scope(c)
    sides = [("scope before", cmp.before), ("scope after", cmp.after)]
    if cmp.control_before is not None and cmp.control_after is not None:
        sides += [("control before", cmp.control_before), ("control after", cmp.control_after)]
    rows = [
        [
            label, f"{f.window.start}..{f.window.end}", f.days, _fmt(f.events_per_day, ".1f"), f.active_users,
            pct(f.adoption), f.workflows_active, pct(f.counts.ai_share), pct(f.counts.ai_acceptance),
            f"{f.counts.error_rate:.1%}" if f.counts.error_rate is not None else "—", _fmt(f.credits_per_day, ".1f"),
        ]
        for label, f in sides
    ]
    lines = [
        f"{visible(c.change_id)} · {c.date} · {c.kind} · {visible(c.title)} ({visible(scope)}); windows of {cmp.days} days",
        "",
        table(
            ["", "days", "n", "events/day", "users", "adopt", "wf", "ai", "accept", "errors", "credits/day"],
            rows,
            right=(2, 3, 4, 5, 6, 7, 8, 9, 10),
        ),
        "",
        f"scope change {pct(cmp.scope_change, True)}, control change {pct(cmp.control_change, True)}, "
        f"difference vs control {pct(cmp.did, True)}",
        f"usual {cmp.days}-day difference {pct(ev.usual_change, True)} over {len(ev.placebo_dids)} earlier windows, "
        f"adjusted {pct(ev.adjusted_did, True)}, z {_fmt(ev.z, '.1f')}, p {_fmt(ev.p_value, '.2f')}",
        f"verdict: {cmp.verdict} — {cmp.reason}",
    ]
    lines += [f"note: {n}" for n in cmp.notes]
    return "\n".join(lines)


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _followup_row(m: FollowUpRecord, names: Names) -> dict[str, str]:
    row = {
        col: "" if (v := getattr(m, col)) is None else v.isoformat(sep=" ") if isinstance(v, datetime) else str(v)
        for col in FOLLOWUP_COLUMNS
    }
    return {**row, "org": names.org(m.org_id), "workflow": names.workflow(m.workflow_id)}


# People read the CSV in a spreadsheet: names first; the ids stay after them for a script that joins on them.
FOLLOWUP_CSV_COLUMNS = ("id", "status", "target_type", "org", "workflow", *FOLLOWUP_COLUMNS[3:])


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV for a person to open: every CSV export is written here, so every cell goes through `csv_cell`
    (controls made visible, so no bare CR splits a record; formulas made text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(c) for c in row] for row in rows)
    return buffer.getvalue()


def followups_csv(marks: Sequence[FollowUpRecord], names: Names) -> str:
    rows = (_followup_row(m, names) for m in marks)
    return csv_text(FOLLOWUP_CSV_COLUMNS, ([row[c] for c in FOLLOWUP_CSV_COLUMNS] for row in rows))


def followups_json(marks: Sequence[FollowUpRecord], names: Names) -> str:
    """Ids only, as stored: JSON is for scripts."""
    return to_json([dict(zip(FOLLOWUP_COLUMNS, (getattr(m, c) for c in FOLLOWUP_COLUMNS), strict=True)) for m in marks])


def _md_cell(value: str) -> str:
    return visible(value).replace("|", "\\|")  # visible() has turned line breaks into `\x0a` already


def followups_markdown(marks: Sequence[FollowUpRecord], names: Names) -> str:
    cols = ("id", "status", "target_type", "org", "workflow", "target_ref", "reason", "owner", "note", "created_by", "created_at")
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for m in marks:
        row = _followup_row(m, names)
        lines.append("| " + " | ".join(_md_cell(row[c]) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def followups_table(marks: Sequence[FollowUpRecord], names: Names) -> str:
    if not marks:
        return "no follow-ups"
    return table(
        ["id", "status", "target", "org", "workflow", "reason", "owner", "note", "created"],
        [
            [m.id, m.status, f"{m.target_type}{':' + m.target_ref if m.target_ref else ''}", names.org(m.org_id),
             names.workflow(m.workflow_id), m.reason, m.owner, m.note, m.created_at.isoformat(sep=" ")]
            for m in marks
        ],
        right=(0,),
    )


def changes_text(changes: Sequence[ChangeRecord], names: Names) -> str:
    """The changes, newest first, with the id `compare` takes."""
    if not changes:
        return "no changes"
    return table(
        ["change id", "date", "kind", "scope", "title"],
        [[c.change_id, c.date, c.kind, names.scope(c), c.title] for c in changes],
    )


def changes_json(changes: Sequence[ChangeRecord]) -> list[dict[str, Any]]:
    return [change_json(c) for c in changes]


FOLLOWUP_FORMATS = dict(
    zip(FOLLOWUP_FORMAT_NAMES, (followups_table, followups_csv, followups_json, followups_markdown), strict=True)
)


# ----------------------------------------------------------------------------- screens as text


def _lifecycle_text(lc: Lifecycle | None) -> str:
    if lc is None:
        return "—"
    return " · ".join(f"{lc.count(state)} {state}" for state in STATES) + f" · stickiness {pct(lc.stickiness)}"


def _workflow_line(w: WorkflowSummary) -> list[object]:
    a = w.activity
    c = a.now
    return [
        w.workflow.name, w.workflow.owner, f"{a.events:,}", f"{pct(a.trend.change, True)} {a.trend.label}",
        "—" if w.active_users is None else w.active_users, pct(c.ai_share), pct(c.ai_acceptance), pct(c.error_rate),
        sparkline(w.daily_events, 14),
    ]


_WORKFLOW_HEADERS = ["workflow", "owner", "events", "trend", "users", "ai", "accept", "err", "daily"]


def org_detail_text(model: OrgDetail) -> str:
    """The org screen as text: its figures, workflows, flags and untrained users."""
    o = model.org
    s = model.summary
    lines = [
        f"{o.org.name} ({o.org.org_id}) · {o.org.plan} · {s.window.start} .. {s.as_of} ({s.window.days} days)",
        "",
        f"events {o.activity.events:,} ({pct(o.activity.trend.change, True)} {o.activity.trend.label})   "
        f"active users {o.active_users:,} of {o.org.seats:,} seats ({pct(o.adoption)})   "
        f"trained {pct(o.trained_share)}   workflows {o.workflows_active}/{o.workflows_total}",
        f"lifecycle {_lifecycle_text(o.lifecycle)}",
        f"credits: {o.billing.mtd_credits:,.0f} this month of {o.billing.included_credits:,.0f}, projected "
        f"{o.billing.projected_credits:,.0f} (at the last 7 days' rate {o.budget.projected_recent:,.0f})",
        "",
        table(_WORKFLOW_HEADERS, [_workflow_line(w) for w in model.workflows], right=(2, 3, 4, 5, 6, 7)),
    ]
    if o.flags:
        lines += ["", table(["flag", "detail"], [[f.kind, f.detail] for f in o.flags])]
    if model.untrained:
        lines += ["", table(["untrained user", "role", "lifecycle"], [[u.user_id, u.role, u.state] for u in model.untrained])]
    return "\n".join(lines)


def workflow_detail_text(model: WorkflowDetail) -> str:
    """The workflow screen as text: its figures, flags and changes."""
    w = model.summary
    lines = [
        f"{w.workflow.name} ({w.workflow.workflow_id}) · {model.org_name} / {model.workspace.name} · owner "
        f"{w.workflow.owner} · {model.days[0].day} .. {model.days[-1].day}",
        "",
        table(_WORKFLOW_HEADERS, [_workflow_line(w)], right=(2, 3, 4, 5, 6, 7)),
        "",
        f"lifecycle {_lifecycle_text(w.lifecycle)}",
    ]
    if model.flags:
        lines += ["", table(["flag", "detail"], [[f.kind, f.detail] for f in model.flags])]
    if model.changes:
        lines += ["", table(["date", "kind", "change"], [[c.date, c.kind, c.title] for c in model.changes])]
    return "\n".join(lines)


def _crossing_cell(b: BudgetOutlook, threshold: float) -> str:
    c = b.crossing(threshold)
    if c is None or c.day is None:
        return "—"
    return f"{c.day:%m-%d}{'' if c.reached else '?'}"


def billing_text(model: BillingView) -> str:
    """The billing screen as text; a crossing date with `?` is projected at the last 7 days' rate."""
    rows = [
        [b.name, b.plan, f"{b.projection.included_credits:,.0f}", f"{b.projection.mtd_credits:,.0f}",
         f"{b.projection.projected_credits:,.0f}", f"{b.budget.projected_recent:,.0f}",
         pct(b.projection.use_of_allowance), f"{b.projection.overage:,.0f}",
         *(_crossing_cell(b.budget, t) for t in BUDGET_THRESHOLDS)]
        for b in model.lines
    ]
    return "\n".join([
        f"credits in {model.as_of:%B %Y} to {model.as_of}; crossing dates with ? are projected at the last 7 days' rate",
        "",
        table(
            ["org", "plan", "included", "mtd", "projected", "at 7-day rate", "use", "overage", "75%", "90%", "100%"],
            rows, right=(2, 3, 4, 5, 6, 7),
        ),
    ])


# ----------------------------------------------------------------------------- the owner's report

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(value: object) -> str:
    """Stored text for Markdown: controls made visible, on one line, and no character read as markup."""
    return _MD_SPECIAL.sub(r"\\\1", visible(value))  # visible() has turned line breaks into `\x0a` already


def owner_report_stem(owner: str) -> str:
    """The file name stem of an owner's report: `owner-dana-ruiz`."""
    return "owner-" + (re.sub(r"[^a-z0-9]+", "-", owner.lower()).strip("-") or "unnamed")


def _figures_md(w: WorkflowSummary) -> list[str]:
    a = w.activity
    c = a.now
    lc = w.lifecycle
    rows = [
        # With its evidence (§2a): whether the change is beyond the chance the two counts allow.
        ("Events", f"{a.events:,} ({a.trend.label}{'' if a.trend.change is None else ', ' + a.trend.evidence()}) "
                   f"against {a.before.events:,} before"),
        ("Daily events", f"`{sparkline(w.daily_events)}`"),
        ("Active users", f"{w.active_users:,}" if w.active_users is not None else "—"),
        ("Lifecycle", _lifecycle_text(lc)),
        ("AI share", f"{pct(c.ai_share)}; acceptance {pct(c.ai_acceptance)} of {c.reviewed:,} reviewed"),
        ("Error rate", f"{c.error_rate:.1%}" if c.error_rate is not None else "—"),
        ("Queue share", pct(c.queue_share)),
        ("Credits", f"{c.credits:,.0f}"),
    ]
    return ["| figure | value |", "|---|---|", *(f"| {label} | {value} |" for label, value in rows)]


def owner_report_markdown(r: OwnerReport) -> str:
    """The owner's report: one Markdown file to read in any viewer or paste into a ticket."""
    out = [
        f"# Follow-up for {_md(r.owner)}",
        "",
        f"Data as of {r.as_of}; window {r.window.start} to {r.window.end} ({r.window.days} days), compared with "
        f"{r.previous.start} to {r.previous.end}.",
        "",
        f"## Open marks ({len(r.marks)})",
        "",
    ]
    if not r.marks:
        out += ["No open marks.", ""]
    for i, m in enumerate(r.marks, 1):
        mark = m.mark
        out += [
            f"### {i}. {_md(m.target)}",
            "",
            f"- Reason: {_md(mark.reason.replace('_', ' '))}",
            *([f"- Org: {_md(m.org_name)}"] if m.org_name else []),
            f"- Note: {_md(mark.note) or '—'}",
            f"- Marked by {_md(mark.created_by)} on {mark.created_at:%Y-%m-%d}",
            *(f"- Now: {_md(finding)}" for finding in m.findings),
            "",
        ]
    out += [f"## Workflows ({len(r.workflows)})", ""]
    if not r.workflows:
        out += ["No workflow has this owner.", ""]
    for w in r.workflows:
        wf = w.summary.workflow
        kinds = ", ".join(k for k, on in (("AI-assisted", wf.ai_assisted), ("queue-backed", wf.queue_backed)) if on)
        out += [
            f"### {_md(wf.name)}",
            "",
            f"{_md(w.org_name)} / {_md(w.workspace_name)} · area {_md(wf.area)}{' · ' + kinds if kinds else ''}",
            "",
            *_figures_md(w.summary),
            "",
            "Flags:" + (" none" if not w.flags else ""),
            *(f"- {_md(f.kind.replace('_', ' '))}: {_md(f.detail)}" for f in w.flags),
            "",
            "Changes that touched it:" + (" none" if not w.changes else ""),
            *(
                f"- {v.change.date} {_md(v.change.kind)}: {_md(v.change.title)} — {_md(v.verdict.replace('_', ' '))}: "
                f"{_md(v.reason)}"
                for v in w.changes
            ),
            "",
            "Untrained users:" + (" none" if not w.untrained else ""),
            *(
                f"- {_md(u.user_id)}{f' ({_md(u.role)})' if u.role else ''}: {u.state} — {UNTRAINED_ADVICE[u.state]}"
                for u in w.untrained
            ),
            "",
        ]
    return "\n".join(out).rstrip("\n") + "\n"


UNTRAINED_ADVICE = {
    "new": "a training task",
    "returning": "trained use is overdue",
    "resurrecting": "back after a break; train before habits set",
    "dormant": "an adoption gap",
}
