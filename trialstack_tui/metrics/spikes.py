"""Spike detection: a day of one org × workflow far above its own recent normal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from ..records import DailyCounts
from .windows import Window

MIN_EVENTS = 20
MIN_FACTOR = 3.0
MIN_ROBUST_Z = 3.5
BASELINE_DAYS = 28
MIN_BASELINE_DAYS = 14
"""A day needs this many baseline days inside the data; otherwise the first days of a new workflow,
whose 'baseline' is the empty time before the data began, would all read as spikes."""
MAD_FLOOR = 1.0
Z_SCALE = 0.6745  # makes the MAD comparable to a standard deviation for normal data


@dataclass(frozen=True)
class Spike:
    day: date
    org_id: str
    workflow_id: str
    events: int
    baseline: float  # median events/day over the baseline days
    factor: float  # events / max(baseline, 1)
    robust_z: float
    ai_share: float
    queue_share: float


def find_spikes(rows: Iterable[DailyCounts], window: Window, first_data_day: date) -> list[Spike]:
    """Spikes on days of `window`, judged against each workflow's 28 days before the day.

    A spike has ≥ 20 events, ≥ 3× the baseline median and a robust z ≥ 3.5 (MAD floored at 1).
    `rows` must cover the window and the 28 days before it; missing days count as zero events.
    """
    by_workflow: dict[tuple[str, str], dict[date, DailyCounts]] = defaultdict(dict)
    for row in rows:
        by_workflow[(row.org_id, row.workflow_id)][row.day] = row
    spikes: list[Spike] = []
    for (org_id, workflow_id), days in by_workflow.items():
        for day, row in days.items():
            if day not in window or row.events < MIN_EVENTS:
                continue
            spike = _judge(org_id, workflow_id, row, days, first_data_day)
            if spike is not None:
                spikes.append(spike)
    spikes.sort(key=lambda s: (s.day, -s.factor, s.workflow_id), reverse=False)
    return spikes


def _judge(
    org_id: str, workflow_id: str, row: DailyCounts, days: dict[date, DailyCounts], first_data_day: date
) -> Spike | None:
    baseline_start = max(row.day - timedelta(days=BASELINE_DAYS), first_data_day)
    span = (row.day - baseline_start).days
    if span < MIN_BASELINE_DAYS:
        return None
    history = [
        days[d].events if d in days else 0 for d in (baseline_start + timedelta(days=i) for i in range(span))
    ]
    centre = median(history)
    if row.events < MIN_FACTOR * centre:
        return None
    mad = max(median(abs(v - centre) for v in history), MAD_FLOOR)
    robust_z = Z_SCALE * (row.events - centre) / mad
    if robust_z < MIN_ROBUST_Z:
        return None
    return Spike(
        day=row.day,
        org_id=org_id,
        workflow_id=workflow_id,
        events=row.events,
        baseline=float(centre),
        factor=row.events / max(centre, 1.0),
        robust_z=robust_z,
        ai_share=row.ai / row.events,
        queue_share=row.queue / row.events,
    )
