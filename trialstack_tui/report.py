"""Output shapes for the headless commands: CONTRACT §4 JSON, aligned text tables, follow-up exports."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from .metrics.rollout import Comparison, WindowFigures
from .metrics.spikes import Spike
from .metrics.evidence import Gap
from .metrics.summary import Activity, Flag, OrgSummary, Summary
from .records import ChangeRecord, FollowUpRecord
from .safe_text import csv_cell, json_safe, visible

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
    }


def summary_json(s: Summary) -> dict[str, Any]:
    """The `summary --json` document (CONTRACT §4)."""
    t = s.totals
    return {
        "as_of": s.as_of.isoformat(),
        "window_days": s.window.days,
        "window": {"start": s.window.start.isoformat(), "end": s.window.end.isoformat()},
        "previous_window": {"start": s.previous.start.isoformat(), "end": s.previous.end.isoformat()},
        "totals": {
            **_activity_json(t.activity),
            "active_users": t.active_users,
            "active_users_prev": t.active_users_prev,
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


def pct(value: float | None, signed: bool = False) -> str:
    """A share as a whole percentage, '—' when unknown."""
    if value is None:
        return "—"
    return f"{value:+.0%}" if signed else f"{value:.0%}"


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
    if s.export_gaps:
        parts[1:1] = [
            f"the export is missing {g.first}..{g.last} ({g.days} days, ~{g.expected_missing:,.0f} events expected); "
            "those days are left out of every rate"
            for g in s.export_gaps
        ]
    if s.spikes:
        parts += ["", table(
            ["spike day", "org", "workflow", "events", "expected", "factor", "z", "ai", "queue"],
            [[f"{sp.day:%a} {sp.day}", sp.org_id, sp.workflow_id, sp.events, f"{sp.expected:,.0f}", f"{sp.factor:.1f}×",
              f"{sp.z:.1f}", pct(sp.ai_share), pct(sp.queue_share)] for sp in s.spikes],
            right=(3, 4, 5, 6, 7, 8),
        )]
    if s.flags:
        parts += ["", table(
            ["flag", "org", "workflow", "detail"],
            [[f.kind, f.org_id, f.workflow_id or "", f.detail] for f in s.flags],
        )]
    return "\n".join(parts)


def comparison_text(cmp: Comparison) -> str:
    c = cmp.change
    ev = cmp.evidence
    scope = f"org {c.org_id}" if c.org_id else "every org"
    if c.workflow_id:
        scope += f", workflow {c.workflow_id}"
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


def _followup_row(m: FollowUpRecord) -> list[str]:
    return [
        "" if (v := getattr(m, col)) is None else v.isoformat(sep=" ") if isinstance(v, datetime) else str(v)
        for col in FOLLOWUP_COLUMNS
    ]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV for a person to open: every CSV export is written here, so every cell goes through `csv_cell`
    (controls made visible, so no bare CR splits a record; formulas made text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(c) for c in row] for row in rows)
    return buffer.getvalue()


def followups_csv(marks: Sequence[FollowUpRecord]) -> str:
    return csv_text(FOLLOWUP_COLUMNS, (_followup_row(m) for m in marks))


def followups_json(marks: Sequence[FollowUpRecord]) -> str:
    return to_json([dict(zip(FOLLOWUP_COLUMNS, (getattr(m, c) for c in FOLLOWUP_COLUMNS), strict=True)) for m in marks])


def _md_cell(value: str) -> str:
    return visible(value).replace("|", "\\|")  # visible() has turned line breaks into `\x0a` already


def followups_markdown(marks: Sequence[FollowUpRecord]) -> str:
    cols = ("id", "status", "target_type", "org_id", "workflow_id", "target_ref", "reason", "owner", "note", "created_by", "created_at")
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for m in marks:
        row = dict(zip(FOLLOWUP_COLUMNS, _followup_row(m), strict=True))
        lines.append("| " + " | ".join(_md_cell(row[c]) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def followups_table(marks: Sequence[FollowUpRecord]) -> str:
    if not marks:
        return "no follow-ups"
    return table(
        ["id", "status", "target", "org", "workflow", "reason", "owner", "note", "created"],
        [
            [m.id, m.status, f"{m.target_type}{':' + m.target_ref if m.target_ref else ''}", m.org_id or "",
             m.workflow_id or "", m.reason, m.owner, m.note, m.created_at.isoformat(sep=" ")]
            for m in marks
        ],
        right=(0,),
    )


FOLLOWUP_FORMATS = {
    "table": followups_table,
    "csv": followups_csv,
    "json": followups_json,
    "markdown": followups_markdown,
}
