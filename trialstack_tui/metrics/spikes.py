"""Spike detection: a day of one org × workflow far above its own recent normal."""

from __future__ import annotations

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
    # Each workflow's events as a list indexed by days since `base`, so a baseline is a slice.
    base = min(window.start - timedelta(days=BASELINE_DAYS), first_data_day)
    length = (window.end - base).days + 1
    series: dict[tuple[str, str], list[int]] = {}
    candidates: list[DailyCounts] = []
    for row in rows:
        offset = (row.day - base).days
        if not 0 <= offset < length:
            continue
        key = (row.org_id, row.workflow_id)
        if key not in series:
            series[key] = [0] * length
        series[key][offset] = row.events
        if row.events >= MIN_EVENTS and row.day in window:
            candidates.append(row)
    first = (first_data_day - base).days
    spikes = [
        spike
        for row in candidates
        if (spike := _judge(row, series[(row.org_id, row.workflow_id)], (row.day - base).days, first)) is not None
    ]
    spikes.sort(key=lambda s: (s.day, -s.factor, s.workflow_id))
    return spikes


def _judge(row: DailyCounts, events: list[int], offset: int, first: int) -> Spike | None:
    """Judge the day at `offset` of a workflow's series against the baseline days before it."""
    start = max(offset - BASELINE_DAYS, first)
    if offset - start < MIN_BASELINE_DAYS:
        return None
    history = events[start:offset]
    centre = median(history)
    if row.events < MIN_FACTOR * centre:
        return None
    mad = max(median([abs(v - centre) for v in history]), MAD_FLOOR)
    robust_z = Z_SCALE * (row.events - centre) / mad
    if robust_z < MIN_ROBUST_Z:
        return None
    return Spike(
        day=row.day,
        org_id=row.org_id,
        workflow_id=row.workflow_id,
        events=row.events,
        baseline=float(centre),
        factor=row.events / max(centre, 1.0),
        robust_z=robust_z,
        ai_share=row.ai / row.events,
        queue_share=row.queue / row.events,
    )
