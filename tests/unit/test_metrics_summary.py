"""CONTRACT §2 metrics and flags, fed hand-built rollup rows (no database).

The default fixture: as-of 2026-03-31, a 10-day window (d(0)..d(9)) and the previous window d(10)..d(19);
one org of 10 seats with workflows wf-a1 (Enrollment) and wf-a2 (Safety).
"""

from __future__ import annotations

from datetime import date

import pytest

from trialstack_tui.metrics.counts import Counts
from trialstack_tui.metrics.windows import review_windows, trend

from .helpers import AS_OF, d, flag_kinds, only_org, org, row, summarize, wf

# ----------------------------------------------------------------------------- windows, events, trend


def test_review_windows_are_inclusive_and_adjacent():
    window, previous = review_windows(date(2026, 3, 31), 10)
    assert (window.start, window.end, window.days) == (date(2026, 3, 22), date(2026, 3, 31), 10)
    assert (previous.start, previous.end, previous.days) == (date(2026, 3, 12), date(2026, 3, 21), 10)


def test_events_and_events_prev_count_both_window_edges_only():
    rows = [
        row(d(0), events=3),  # last day of the window
        row(d(9), "wf-a2", events=2),  # first day of the window
        row(d(10), events=4),  # last day of the previous window
        row(d(19), events=1),  # first day of the previous window
        row(d(20), events=100),  # before both
    ]
    o = only_org(summarize(rows))
    assert (o.activity.events, o.activity.before.events) == (5, 5)


@pytest.mark.parametrize(
    ("now", "before", "label", "change"),
    [
        (0, 0, "none", None),
        (0, 7, "none", -1.0),
        (5, 0, "new", None),
        (115, 100, "growing", 0.15),  # exactly +15 %
        (23, 20, "growing", 0.15),
        (114, 100, "steady", 0.14),
        (100, 100, "steady", 0.0),
        (86, 100, "steady", -0.14),
        (85, 100, "declining", -0.15),  # exactly −15 %
        (17, 20, "declining", -0.15),
        (30, 10, "growing", 2.0),
    ],
)
def test_trend_labels_and_boundaries(now, before, label, change):
    t = trend(now, before)
    assert t.label == label
    if change is None:
        assert t.change is None
    else:
        assert t.change == pytest.approx(change)


def test_trend_reaches_the_org_through_the_summary():
    o = only_org(summarize([row(d(0), events=600), row(d(12), events=400)]))
    assert (o.activity.trend.label, o.activity.trend.change) == ("growing", pytest.approx(0.5))


@pytest.mark.parametrize(("now", "flagged"), [(850, True), (860, False)])
def test_declining_flag_at_minus_15_percent(now, flagged):
    # 850 vs 1000: |ln 0.85| = 0.16 is beyond the noise 2 × sqrt(1/850 + 1/1000) = 0.09.
    s = summarize([row(d(1), events=now), row(d(11), events=1000)])
    assert ("declining" in flag_kinds(s)) is flagged
    if flagged:
        (detail,) = [f.detail for f in only_org(s).flags if f.kind == "declining"]
        assert "−15%, beyond chance ±9%" in detail and "1,000 → 850 events" in detail


def test_an_org_without_events_in_either_window_reads_none():
    o = only_org(summarize([row(d(30), events=9)]))
    assert o.activity.events == 0
    assert o.activity.trend.label == "none"
    assert o.top_workflow_share is None and o.concentration is None
    assert o.activity.now.ai_share is None and o.activity.now.error_rate is None
    # 0 of 10 seats active is narrow adoption; nothing else can be said of an idle org.
    assert [f.kind for f in o.flags] == ["narrow_adoption"]


# ----------------------------------------------------------------------------- users and adoption


def test_active_users_are_passed_through_and_totals_use_the_distinct_total():
    s = summarize([row(d(0), events=1)], active_by_org={"org-a": 7}, active_total=5)
    assert only_org(s).active_users == 7
    assert s.totals.active_users == 5


@pytest.mark.parametrize(
    ("active", "seats", "adoption", "narrow"),
    [(7, 10, 0.7, False), (3, 10, 0.3, False), (2, 10, 0.2, True), (29, 100, 0.29, True), (0, 10, 0.0, True)],
)
def test_adoption_and_narrow_adoption_below_30_percent(active, seats, adoption, narrow):
    s = summarize([row(d(0), events=1)], orgs=[org(seats=seats)], active_by_org={"org-a": active})
    assert only_org(s).adoption == pytest.approx(adoption)
    assert ("narrow_adoption" in flag_kinds(s)) is narrow


def test_adoption_is_null_with_zero_seats_and_raises_no_flag():
    s = summarize([row(d(0), events=1)], orgs=[org(seats=0)], active_by_org={"org-a": 3})
    assert only_org(s).adoption is None
    assert "narrow_adoption" not in flag_kinds(s)
    assert s.totals.adoption is None


# ----------------------------------------------------------------------------- workflows and concentration


def test_workflows_active_counts_only_window_events():
    workflows = [wf("wf-a1"), wf("wf-a2"), wf("wf-a3")]
    rows = [row(d(0), events=2), row(d(15), "wf-a2", events=5)]  # wf-a2 only in the previous window
    o = only_org(summarize(rows, workflows=workflows))
    assert (o.workflows_active, o.workflows_total) == (1, 3)


@pytest.mark.parametrize(
    ("per_workflow", "top_id", "share", "concentration"),
    [
        ((1, 1), "wf-a1", 0.5, "concentrated"),  # exactly one half; the tie goes to the first id
        ((2, 3), "wf-a2", 0.6, "concentrated"),
        ((2, 2, 1), "wf-a1", 0.4, "broad"),
        ((49, 51, 0), "wf-a2", 0.51, "concentrated"),
    ],
)
def test_top_workflow_share_and_concentration(per_workflow, top_id, share, concentration):
    ids = [f"wf-a{i + 1}" for i in range(len(per_workflow))]
    rows = [row(d(2), wid, events=n) for wid, n in zip(ids, per_workflow, strict=True) if n]
    s = summarize(rows, workflows=[wf(w) for w in ids])
    o = only_org(s)
    assert (o.top_workflow_id, o.top_workflow_share, o.concentration) == (top_id, pytest.approx(share), concentration)
    concentrated = [f for f in o.flags if f.kind == "concentrated"]
    if concentration == "concentrated":
        assert [(f.workflow_id) for f in concentrated] == [top_id]
    else:
        assert concentrated == []


# ----------------------------------------------------------------------------- shares and rates


def test_shares_rates_and_credits_over_the_window():
    rows = [
        row(d(0), events=6, ai=3, queue=1, accepted=2, rejected=1, error=1, credits=4.5),
        row(d(3), "wf-a2", events=4, queue=1, error=0, credits=1.25),
        row(d(12), events=50, ai=50, error=50, credits=99.0),  # previous window: must not leak in
    ]
    now = only_org(summarize(rows)).activity.now
    assert now.events == 10
    assert now.ai_share == pytest.approx(0.3)
    assert now.queue_share == pytest.approx(0.2)
    assert now.ai_acceptance == pytest.approx(2 / 3)
    assert now.reviewed == 3
    assert now.error_rate == pytest.approx(0.1)
    assert now.credits == pytest.approx(5.75)


def test_ai_acceptance_is_null_when_no_ai_event_was_reviewed():
    rows = [row(d(0), events=4, ai=4)]  # AI events, all outcome ok: none reviewed
    now = only_org(summarize(rows)).activity.now
    assert now.ai_share == 1.0
    assert now.ai_acceptance is None


def test_rates_of_nothing_are_null_not_zero():
    empty = Counts()
    assert (empty.ai_share, empty.queue_share, empty.error_rate, empty.ai_acceptance) == (None, None, None, None)


@pytest.mark.parametrize(
    ("reviewed", "accepted", "flagged"),
    [(50, 29, True), (50, 30, False), (49, 0, False), (80, 47, True), (80, 48, False)],
)
def test_ai_low_acceptance_below_60_percent_with_50_reviewed(reviewed, accepted, flagged):
    rows = [row(d(1), events=reviewed, ai=reviewed, accepted=accepted, rejected=reviewed - accepted)]
    assert ("ai_low_acceptance" in flag_kinds(summarize(rows))) is flagged


@pytest.mark.parametrize(
    ("events", "errors", "flagged"),
    [(100, 10, True), (100, 9, False), (99, 50, False), (200, 20, True), (200, 19, False)],
)
def test_high_error_rate_at_10_percent_with_100_events(events, errors, flagged):
    rows = [row(d(1), events=events, error=errors)]
    assert ("high_error_rate" in flag_kinds(summarize(rows))) is flagged


def test_quality_flags_name_the_workflow_or_else_the_whole_org():
    one_workflow = summarize([row(d(1), events=100, error=10), row(d(1), "wf-a2", events=100)])
    assert [(f.kind, f.workflow_id) for f in only_org(one_workflow).flags if f.kind == "high_error_rate"] == [
        ("high_error_rate", "wf-a1")
    ]
    # 60 + 60 events: neither workflow reaches 100 events, the org (120 events, 12 errors) does.
    spread = summarize([row(d(1), events=60, error=6), row(d(1), "wf-a2", events=60, error=6)])
    assert [(f.kind, f.workflow_id) for f in only_org(spread).flags if f.kind == "high_error_rate"] == [
        ("high_error_rate", None)
    ]


# ----------------------------------------------------------------------------- training


@pytest.mark.parametrize(
    ("trained", "active", "share", "flagged"),
    [(3, 4, 0.75, False), (2, 4, 0.5, False), (1, 4, 0.25, True), (0, 4, 0.0, True)],
)
def test_trained_share_and_untrained_users_below_one_half(trained, active, share, flagged):
    s = summarize(
        [row(d(0), events=5)], active_by_org={"org-a": active}, trained_by_org={"org-a": trained},
        orgs_with_users=["org-a"],
    )
    assert only_org(s).trained_share == pytest.approx(share)
    assert ("untrained_users" in flag_kinds(s)) is flagged


def test_trained_share_is_null_without_users_data():
    s = summarize([row(d(0), events=5)], active_by_org={"org-a": 4}, trained_by_org={}, orgs_with_users=[])
    assert only_org(s).trained_share is None
    assert "untrained_users" not in flag_kinds(s)


def test_trained_share_is_null_with_no_active_users():
    s = summarize([row(d(0), events=5)], active_by_org={}, orgs_with_users=["org-a"])
    assert only_org(s).trained_share is None


# ----------------------------------------------------------------------------- month to date and overage


def test_mtd_credits_cover_the_as_of_month_only():
    rows = [
        row(d(0), events=1, credits=1.0),  # 2026-03-31
        row(date(2026, 3, 1), events=1, credits=2.0),  # first of the month, outside the 10-day window
        row(date(2026, 2, 28), events=1, credits=40.0),  # the month before
    ]
    b = only_org(summarize(rows)).billing
    assert b.mtd_credits == pytest.approx(3.0)
    assert (b.days_elapsed, b.days_in_month) == (31, 31)
    assert b.projected_credits == pytest.approx(3.0)


@pytest.mark.parametrize(("mtd", "flagged"), [(2000.0, False), (2000.5, True)])
def test_overage_flag_only_when_projection_exceeds_the_allowance(mtd, flagged):
    # 2026-04-15: 15 of 30 days elapsed, so the projection is twice the month to date.
    as_of = date(2026, 4, 15)
    s = summarize([row(as_of, events=1, credits=mtd)], orgs=[org(included=4000.0)], as_of=as_of)
    b = only_org(s).billing
    assert b.projected_credits == pytest.approx(2 * mtd)
    assert b.overage == pytest.approx(2 * mtd - 4000.0)
    assert ("overage" in flag_kinds(s)) is flagged


# ----------------------------------------------------------------------------- summary shape


def test_orgs_are_ordered_by_events_descending_and_flags_collected():
    orgs = [org("org-a"), org("org-b"), org("org-c")]
    workflows = [wf("wf-a1", "org-a"), wf("wf-b1", "org-b"), wf("wf-c1", "org-c")]
    rows = [row(d(0), "wf-a1", "org-a", events=2), row(d(0), "wf-b1", "org-b", events=9), row(d(0), "wf-c1", "org-c", events=5)]
    s = summarize(rows, orgs=orgs, workflows=workflows, active_by_org={"org-a": 1, "org-b": 1, "org-c": 1})
    assert [o.org.org_id for o in s.orgs] == ["org-b", "org-c", "org-a"]
    assert s.totals.activity.events == 16
    assert sorted((f.kind, f.org_id) for f in s.flags) == sorted(
        (f.kind, f.org_id) for o in s.orgs for f in o.flags
    )


def test_areas_sum_their_workflows_with_shares():
    workflows = [wf("wf-a1", area="Enrollment"), wf("wf-a2", area="Safety"), wf("wf-a3", area="Enrollment")]
    rows = [row(d(0), "wf-a1", events=30), row(d(0), "wf-a2", events=40), row(d(1), "wf-a3", events=30), row(d(11), "wf-a2", events=80)]
    areas = {a.area: a for a in summarize(rows, workflows=workflows).areas}
    assert (areas["Enrollment"].activity.events, areas["Enrollment"].share) == (60, pytest.approx(0.6))
    assert (areas["Safety"].activity.events, areas["Safety"].share) == (40, pytest.approx(0.4))
    assert areas["Safety"].activity.trend.label == "declining"
    assert areas["Enrollment"].activity.trend.label == "new"


def test_an_empty_window_gives_zero_events_and_no_spikes():
    s = summarize([], orgs=[org(seats=0)], as_of=AS_OF)  # no seats: no narrow-adoption flag either
    assert s.totals.activity.events == 0
    assert s.spikes == [] and s.flags == []
    assert [p.counts.events for p in s.daily] == [0] * 10


@pytest.mark.parametrize(("events", "flagged"), [(20, True), (19, False)])
def test_a_spike_becomes_a_flag_on_its_workflow(events, flagged):
    s = summarize([row(d(3), "wf-a2", events=events, ai=events)])  # nothing in the 28 days before
    spike_flags = [f for f in only_org(s).flags if f.kind == "spike"]
    assert [f.workflow_id for f in spike_flags] == (["wf-a2"] if flagged else [])
    assert all("AI load" in f.detail for f in spike_flags)
    assert [(sp.day, sp.workflow_id) for sp in s.spikes] == ([(d(3), "wf-a2")] if flagged else [])


# ----------------------------------------------------------------------------- evidence (§2a)


@pytest.mark.parametrize(
    ("now", "before", "label", "within"),
    [
        (48, 62, "steady", True),  # −23 %, but the noise of 48 and 62 events is ±38 %
        (480, 620, "declining", False),  # the same change on ten times the events is beyond chance
        (52, 38, "steady", True),
        (10, 10, "steady", False),
    ],
)
def test_a_trend_is_growing_or_declining_only_beyond_chance(now, before, label, within):
    o = only_org(summarize([row(d(1), events=now), row(d(11), events=before)]))
    t = o.activity.trend
    assert (t.label, t.within_chance) == (label, within)
    assert t.noise == pytest.approx(2 * (1 / now + 1 / before) ** 0.5)
    assert ("declining" in [f.kind for f in o.flags]) is (label == "declining")


@pytest.mark.parametrize(
    ("ai_before", "ai_now", "flagged"),
    [
        (20, 50, True),  # 20 % → 50 % of 100 events, 50 AI events
        (20, 49, False),  # only 49 AI events
        (36, 50, False),  # +14 points
    ],
)
def test_ai_surge_needs_15_points_beyond_chance_and_50_ai_events(ai_before, ai_now, flagged):
    rows = [
        row(d(1), events=100, ai=ai_now, accepted=ai_now // 2, rejected=ai_now - ai_now // 2),
        row(d(11), events=100, ai=ai_before, accepted=ai_before, error=2),
    ]
    s = summarize(rows, workflows=[wf("wf-a1")])
    surges = [f for f in only_org(s).flags if f.kind == "ai_surge"]
    assert bool(surges) is flagged
    if flagged:
        (f,) = surges
        assert "AI share 20% → 50%" in f.detail
        assert "acceptance 100% → 50%" in f.detail and "errors 2% → 0%" in f.detail


def test_one_workflow_is_not_a_concentration():
    s = summarize([row(d(1), events=40)], workflows=[wf("wf-a1")], active_by_org={"org-a": 5})
    o = only_org(s)
    assert o.concentration == "concentrated" and o.workflows_total == 1
    assert "concentrated" not in flag_kinds(s)


def test_a_run_of_empty_days_that_never_ends_is_a_stop_not_a_gap():
    # 10 a day for weeks, then nothing for the last 8 days: the org stopped; its decline stays in its rate.
    rows = [row(d(n), events=10) for n in range(8, 60)]
    o = only_org(summarize(rows))
    assert o.gaps == [] and o.activity.covered_days == 10
    assert o.activity.trend.label == "declining"
