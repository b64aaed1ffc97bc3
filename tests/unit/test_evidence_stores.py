"""The evidence rules (CONTRACT §2a, §3) at their boundaries, through the real importer and store, on SQLite and
PostgreSQL alike: gaps, weekday spikes, same weekdays stored, placebo windows and an every-org change.

Each data set is two orgs (org-a with workflow wf-a1, org-b with wf-b1) whose events per day are given by a
function of the day; the last day of data is END.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from trialstack_tui.review import Review
from trialstack_tui.store.importer import import_path

from .helpers import HEADERS, write_csv

END = date(2026, 3, 28)  # a Saturday


def load(
    store,
    folder: Path,
    days: int,
    a: Callable[[date], int],
    b: Callable[[date], int] = lambda _d: 5,
    changes: list[tuple] = (),
) -> Review:
    """Import both orgs' events for the `days` days ending on END (and any changes); return the review seam."""
    write_csv(folder, "organizations", HEADERS["organizations"], [
        ("org-a", "Alpha", "Team", "10", "100"), ("org-b", "Beta", "Team", "10", "100"),
    ])
    write_csv(folder, "workspaces", HEADERS["workspaces"], [("ws-a", "org-a", "A"), ("ws-b", "org-b", "B")])
    write_csv(folder, "workflows", HEADERS["workflows"], [
        ("wf-a1", "ws-a", "Batch", "Documents", "Dana", "false", "true"),
        ("wf-b1", "ws-b", "Filing", "Documents", "Lena", "false", "false"),
    ])
    events = []
    for back in range(days):
        day = END - timedelta(days=back)
        for org, workflow, count in (("a", "wf-a1", a(day)), ("b", "wf-b1", b(day))):
            events += [
                (f"e-{org}-{day.isoformat()}-{i}", f"{day.isoformat()}T10:00:00", workflow, f"u-{org}{i % 3}",
                 "queue", "ok", "")
                for i in range(count)
            ]
    write_csv(folder, "events", HEADERS["events"], events)
    write_csv(folder, "changes", HEADERS["changes"], changes)
    import_path(store, folder)
    return Review(store)


@pytest.mark.parametrize(("empty_days", "is_gap"), [(3, False), (4, True)])
def test_a_gap_needs_10_expected_events(store, tmp_path, empty_days, is_gap):
    # 3 events a day: 3 empty days lose an expected 9 (chance), 4 days lose 12 (a gap), then events resume.
    missing = {END - timedelta(days=5 + i) for i in range(empty_days)}
    review = load(store, tmp_path, 70, lambda d: 0 if d in missing else 3)
    summary = review.summary(days=30)
    org = next(o for o in summary.orgs if o.org.org_id == "org-a")
    assert [g.expected_missing for g in org.gaps] == ([12.0] if is_gap else [])
    assert [f.kind for f in org.flags if f.kind == "data_gap"] == (["data_gap"] if is_gap else [])
    assert org.activity.covered_days == (30 - empty_days if is_gap else 30)
    assert org.activity.trend.label == "steady"  # 3 a day on every covered day, before and now


def test_an_export_missing_a_week_everywhere_says_so_and_no_org_declines(store, tmp_path):
    lost = {END - timedelta(days=10 + i) for i in range(7)}
    review = load(store, tmp_path, 70, lambda d: 0 if d in lost else 20, lambda d: 0 if d in lost else 20)
    summary = review.summary(days=30)
    (export_gap,) = summary.export_gaps
    assert (export_gap.first, export_gap.last) == (min(lost), max(lost))
    assert {o.activity.trend.label for o in summary.orgs} == {"steady"}
    assert summary.totals.activity.covered_days == 23
    assert all("the whole export is missing these days" in f.detail for f in summary.flags if f.kind == "data_gap")


def same_weekday(values: list[int], on_end: int) -> Callable[[date], int]:
    """Counts on the 4 Saturdays before END (oldest first) and on END; no events on other days."""
    saturdays = {END - timedelta(days=7 * (4 - i)): v for i, v in enumerate(values)}
    return lambda d: on_end if d == END else saturdays.get(d, 0)


@pytest.mark.parametrize(("events", "found"), [(61, False), (63, True)])
def test_a_spike_needs_z_3_5_against_its_weekdays(store, tmp_path, events, found):
    # Saturdays 0, 0, 20, 20: expected 10, spread 14.8; 61 is z 3.44, 63 is z 3.57.
    review = load(store, tmp_path, 35, same_weekday([0, 0, 20, 20], events))
    spikes = review.summary(days=7).spikes
    assert [(s.workflow_id, s.day, s.expected) for s in spikes] == ([("wf-a1", END, 10.0)] if found else [])


@pytest.mark.parametrize(("days_of_data", "found"), [(15, True), (14, False)])
def test_a_day_needs_two_same_weekdays_stored(store, tmp_path, days_of_data, found):
    # 15 days of data hold 2 Saturdays before END, 14 days hold 1: that day is not judged.
    review = load(store, tmp_path, days_of_data, lambda d: 40 if d == END else 0)
    assert bool(review.summary(days=7).spikes) is found


@pytest.mark.parametrize(("days_before", "windows", "has_p"), [(47, 20, True), (46, 19, False)])
def test_p_needs_20_placebo_windows(store, tmp_path, days_before, windows, has_p):
    change_day = END - timedelta(days=20)
    first = change_day - timedelta(days=days_before)
    review = load(
        store, tmp_path, (END - first).days + 1, lambda d: 5 + (d.day % 3),
        changes=[("chg-a", change_day.isoformat(), "rollout", "A rollout", "org-a", "")],
    )
    cmp = review.compare("chg-a")
    assert len(cmp.evidence.placebo_dids) == windows
    assert (cmp.evidence.p_value is not None) is has_p
    assert cmp.control_before is not None


def test_an_every_org_change_has_no_control_but_still_its_usual_change(store, tmp_path):
    change_day = END - timedelta(days=20)
    review = load(
        store, tmp_path, 90, lambda d: 5 + (d.day % 3),
        changes=[("chg-all", change_day.isoformat(), "rollout", "For everyone", "", "")],
    )
    cmp = review.compare("chg-all")
    assert cmp.control_before is None and cmp.control_change == 0.0
    assert len(cmp.evidence.placebo_dids) == 42  # P from END − 75 (first + 14) to END − 34 (the change − 14)
    assert cmp.evidence.z is not None
    assert cmp.verdict == "no_clear_change"


def test_a_gap_early_in_the_previous_window_is_judged_from_the_org_totals_before_it(store, tmp_path):
    # The previous 30-day window starts 59 days before END; its first days' same weekdays lie up to 28 days
    # before that, where the summary reads only each org's daily total.
    missing = {END - timedelta(days=58 - i) for i in range(4)}
    review = load(store, tmp_path, 100, lambda d: 0 if d in missing else 3)
    org = next(o for o in review.summary(days=30).orgs if o.org.org_id == "org-a")
    assert [(g.first, g.last, g.expected_missing) for g in org.gaps] == [(min(missing), max(missing), 12.0)]
    assert (org.activity.covered_days, org.activity.covered_days_prev) == (30, 26)
