"""The fast ways an import takes must give exactly what the precise rules give (CONTRACT §1).

- the CSV fast path for events against `parse_event`, row by row, valid and invalid;
- the helper process that reads big files against reading in this process;
- rollups summed in Python (whole slices) against rollups in SQL (slices with skipped rows);
- on PostgreSQL, batches COPYed straight into events against batches that collide with stored event ids,
  and rollup rows COPYed straight in against rows upserted onto stored keys;
- a store of an older schema opened by this version (schema migration).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from trialstack_tui.config import resolve_store
from trialstack_tui.errors import ImportFailed
from trialstack_tui.store import Store, bulk_load, event_stream, importer
from trialstack_tui.store.event_stream import copy_text
from trialstack_tui.store.importer import import_path
from trialstack_tui.store.import_rows import RowError, parse_event
from trialstack_tui.store.tables import SCHEMA_VERSION

from .helpers import HEADERS, TINY, write_csv, write_tiny
from .test_importer import MALFORMED, expected_message, rows_of, snapshot, write_malformed

WORKFLOW_ORG = {"wf-a1": "org-a", "wf-a2": "org-a", "wf-b1": "org-b"}

# Rows the fast path takes as they are, and rows it must hand to the precise rules (valid or not).
ODD_BUT_VALID = [
    ("v1", "2026-03-01T09:00:00", "wf-a1", "u-a1", "ai", "accepted", "2"),  # the common shape
    ("v2", "2026-03-01T09:00:00Z", "wf-a1", "u-a1", "manual", "ok", ""),
    ("v3", "2026-03-01T23:30:00-02:00", "wf-a1", "u-a1", "manual", "ok", "1.5"),
    ("v4", "2026-03-01 09:00:00", "wf-a1", "u-a1", "manual", "ok", "0"),
    ("v5", "2026-03-01T09:00:00.250000", "wf-a1", "u-a1", "manual", "ok", "1e2"),
    ("v6", "2026-W09-7T09:00:00", "wf-a1", "u-a1", "manual", "ok", "3"),  # an ISO week date
    ("v7", "20260301T090000", "wf-a1", "u-a1", "manual", "ok", "1000"),
    (" v8 ", " 2026-03-01T09:00:00 ", " wf-a2 ", " u-a2 ", " Queue ", " OK ", " 0.5 "),
    ("v9", "2026-03-01T09:00:00", "wf-a1", "u-a1", "AI", "Rejected", "-0"),
    ("v10", "2026-03-01T09:00", "wf-b1", "u,b1", "manual", "error", "2.25"),  # a quoted comma
    ("v11", "2026-03-01T09:00:00", "wf-b1", "u\nb1", "manual", "error", ""),  # a field on two lines
    ("v12", "2026-03-02T09:00:00", "wf-b1", "u-b1", "manual", "ok", "\u00a01\u00a0"),
    ("v\\13", "2026-03-02T10:00:00", "wf-a2", "u\ta2\\", "ai", "ok", "1"),  # what COPY text must escape
]
INVALID = [
    ("x1", "2026-02-30T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1", "ts"),
    ("x2", "2026-03-01T24:00:00", "wf-a1", "u-a1", "manual", "ok", "1", "ts"),
    ("x3", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "accepted", "1", "outcome"),
    ("x4", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "nan", "credits"),
    ("x5", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "-1", "credits"),
    ("x6", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1e400", "credits"),
    ("x7", "2026-03-01T09:00:00", "wf-zz", "u-a1", "manual", "ok", "1", "workflow_id"),
    ("x8", "2026-03-01T09:00:00", "wf-a1", " ", "manual", "ok", "1", "user_id"),
    ("x9", "2026-03-01T09:00:00", "wf-a1", "u-a1", "bot", "ok", "1", "kind"),
    ("\u00a0", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1", "event_id"),
    # One number rule for both read paths: ASCII digits only, no `_` separators, no `+`, a limit.
    ("x10", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1_000", "credits"),
    ("x11", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "+3", "credits"),
    ("x12", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "\u0661\u0662", "credits"),
    ("x13", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1e308", "credits"),
    ("x14", "9999-12-31T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1", "ts"),
    ("x15", "0001-01-01T00:00:00+05:00", "wf-a1", "u-a1", "manual", "ok", "1", "ts"),
    ("x16" + "9" * 300, "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1", "event_id"),
    ("x17", "2026-03-01T09:00:00", "wf-a1", "u" * (1 << 20), "manual", "ok", "1", "user_id"),
]


@pytest.fixture(params=["in this process", "in a helper process"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test using this reads its events files both ways."""
    if request.param == "in a helper process":
        monkeypatch.setattr(event_stream, "PARALLEL_FROM_BYTES", 0)
    return request.param


def _stored_events(store: Store) -> list[tuple]:
    sql = "SELECT event_id, ts, day, org_id, workflow_id, user_id, kind, outcome, credits FROM events ORDER BY seq"
    with store.read() as conn:
        return [
            (e, str(ts).replace("T", " "), str(day), o, w, u, k, out, float(c))
            for e, ts, day, o, w, u, k, out, c in conn.execute(text(sql))
        ]


def test_every_row_shape_is_stored_as_the_precise_rules_read_it(store, tmp_path, reader):
    import_path(store, write_tiny(tmp_path / "in", {"events": ODD_BUT_VALID}))
    expected = [parse_event(WORKFLOW_ORG, dict(zip(HEADERS["events"], row, strict=True))) for row in ODD_BUT_VALID]
    assert _stored_events(store) == [(*row[:8], float(row[8])) for row in expected]


@pytest.mark.parametrize("row", INVALID, ids=[r[0].strip()[:3] or "nbsp-id" for r in INVALID])
def test_every_invalid_shape_fails_on_its_line_and_field(store, tmp_path, reader, row):
    *fields, field = row
    with pytest.raises(RowError) as precise:
        parse_event(WORKFLOW_ORG, dict(zip(HEADERS["events"], fields, strict=True)))
    assert precise.value.field_name == field
    # Line 2 holds a quoted, two-line record: the bad row is on line 4.
    events = [ODD_BUT_VALID[10], tuple(fields)]
    folder = write_tiny(tmp_path / "in", {"events": events})
    with pytest.raises(ImportFailed) as failure:
        import_path(store, folder)
    assert str(failure.value) == f"{folder / 'events.csv'}:4: {field}: {precise.value.problem}"
    assert rows_of(store, "SELECT COUNT(*) FROM events") == [(0,)]


@pytest.mark.parametrize("case", [c for c in MALFORMED if MALFORMED[c][1].startswith("events")])
def test_a_helper_process_reports_a_bad_events_file_as_this_process_does(sqlite_location, tmp_path, monkeypatch, case):
    monkeypatch.setattr(event_stream, "PARALLEL_FROM_BYTES", 0)
    with Store(sqlite_location) as store:
        import_path(store, write_tiny(tmp_path / "good"))
        before = snapshot(store)
        path, line, field = write_malformed(tmp_path / "bad", case)
        with pytest.raises(ImportFailed) as failure:
            import_path(store, tmp_path / "bad")
        assert expected_message(path, line, field).match(str(failure.value)), failure.value
        assert snapshot(store) == before


def _rollups_equal_group_bys(store: Store) -> None:
    usage_from_events = """
        SELECT day, workflow_id, org_id, COUNT(*),
               SUM(CASE WHEN kind = 'manual' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'ai' THEN 1 ELSE 0 END),
               SUM(CASE WHEN kind = 'queue' THEN 1 ELSE 0 END), SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END),
               SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END),
               SUM(CASE WHEN outcome = 'accepted' THEN 1 ELSE 0 END),
               SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END), SUM(credits)
        FROM events GROUP BY day, workflow_id, org_id ORDER BY day, workflow_id"""
    usage = """SELECT day, workflow_id, org_id, events, manual, ai, queue, ok, error, accepted, rejected, credits
               FROM daily_usage ORDER BY day, workflow_id"""
    assert rows_of(store, usage) == rows_of(store, usage_from_events)
    assert rows_of(store, "SELECT day, workflow_id, user_id, org_id, events FROM daily_user ORDER BY 1, 2, 3") == rows_of(
        store, "SELECT day, workflow_id, user_id, MIN(org_id), COUNT(*) FROM events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    assert rows_of(store, "SELECT day, org_id, user_id, events FROM daily_org_user ORDER BY 1, 2, 3") == rows_of(
        store, "SELECT day, org_id, user_id, COUNT(*) FROM events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    assert rows_of(store, "SELECT day, org_id, events FROM daily_org ORDER BY 1, 2") == rows_of(
        store, "SELECT day, org_id, COUNT(*) FROM events GROUP BY 1, 2 ORDER BY 1, 2"
    )
    pairs = "SELECT workflow_id, user_id, org_id, first_day, last_day FROM workflow_user ORDER BY 1, 2"
    assert rows_of(store, pairs) == rows_of(
        store, "SELECT workflow_id, user_id, MIN(org_id), MIN(day), MAX(day) FROM events GROUP BY 1, 2 ORDER BY 1, 2"
    )


def test_rollups_stay_exact_across_slices_some_whole_some_with_skipped_rows(store, tmp_path, monkeypatch, reader):
    # Batches of two rows summed in slices of four: the second import's slices mix new and known events.
    monkeypatch.setattr(importer, "EVENT_BATCH", 2)
    monkeypatch.setattr(importer, "ROLLUP_EVERY", 4)
    more = [(f"m{i}", f"2026-03-0{1 + i % 3}T1{i % 10}:00:00", ("wf-a1", "wf-a2", "wf-b1")[i % 3],
             ("u-a1", "u-a2", "u-b1")[i % 3], ("manual", "ai", "queue")[i % 3], "ok", f"{i / 4}") for i in range(9)]
    import_path(store, write_tiny(tmp_path / "first", {"events": [*TINY["events"][:3], *more[:5]]}))
    _rollups_equal_group_bys(store)
    report = import_path(store, write_tiny(tmp_path / "second", {"events": [*TINY["events"], *more, more[0]]}))
    events = next(f for f in report.files if f.kind == "events")
    assert (events.added, events.skipped) == (7, 9)
    _rollups_equal_group_bys(store)
    assert rows_of(store, "SELECT COUNT(*), SUM(events) FROM daily_usage") == [(rows_of(
        store, "SELECT COUNT(*) FROM (SELECT DISTINCT day, workflow_id FROM events) t")[0][0], 15)]


@pytest.mark.parametrize("slice_rows", [1, 50_000], ids=["rolled up in slices of one", "in one slice"])
def test_a_pairs_first_and_last_day_hold_whatever_order_its_days_arrive_in(store, tmp_path, monkeypatch, slice_rows):
    """workflow_user keeps each (workflow, user) pair's first and last day: a later import of older days moves
    the first back and leaves the last, newer days move the last on, a slice with skipped rows (rolled up in
    SQL) does the same; the day of a row skipped as stored (an event id used again) is never taken."""
    monkeypatch.setattr(importer, "EVENT_BATCH", 1)
    monkeypatch.setattr(importer, "ROLLUP_EVERY", slice_rows)
    import_path(store, write_tiny(tmp_path / "first", {"events": [
        ("e1", "2026-03-05T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1"),
        ("e2", "2026-03-03T09:00:00", "wf-a1", "u-a2", "manual", "ok", "1"),
    ]}))
    days = "SELECT workflow_id, user_id, first_day, last_day FROM workflow_user ORDER BY 1, 2"
    assert [(w, u, str(a), str(b)) for w, u, a, b in rows_of(store, days)] == [
        ("wf-a1", "u-a1", "2026-03-05", "2026-03-05"), ("wf-a1", "u-a2", "2026-03-03", "2026-03-03")]
    import_path(store, write_tiny(tmp_path / "second", {"events": [
        ("e1", "2026-03-05T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1"),  # stored: its slice goes through SQL
        ("e3", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1"),  # older than the stored last day
        ("e4", "2026-03-04T09:00:00", "wf-a1", "u-a2", "ai", "ok", "1"),  # newer
        ("e5", "2026-03-02T09:00:00", "wf-a1", "u-a2", "ai", "ok", "1"),  # older again, after the newer one
        ("e6", "2026-03-02T09:00:00", "wf-b1", "u-b1", "ai", "ok", "1"),  # a new pair
        ("e2", "2026-03-09T09:00:00", "wf-b1", "u-b1", "ai", "ok", "1"),  # a stored id again: skipped, not its day
    ]}))
    assert [(w, u, str(a), str(b)) for w, u, a, b in rows_of(store, days)] == [
        ("wf-a1", "u-a1", "2026-03-01", "2026-03-05"), ("wf-a1", "u-a2", "2026-03-02", "2026-03-04"),
        ("wf-b1", "u-b1", "2026-03-02", "2026-03-02"),
    ]
    _rollups_equal_group_bys(store)


def test_copy_text_escapes_only_what_postgresql_would_misread():
    plain = ("e1", "2026-03-01 09:00:00", "2026-03-01", "org-a", "wf-a1", "u-a1", "ai", "ok", 0.25)
    odd = ("e\\2", "2026-03-01 09:00:00", "2026-03-01", "org-a", "wf-a1", "u\tb\nc\rd", "manual", "ok", 1e-05)
    line = b"e1\t2026-03-01 09:00:00\t2026-03-01\torg-a\twf-a1\tu-a1\tai\tok\t0.25\n"
    assert copy_text([plain]) == line
    assert copy_text([plain, odd]) == line + (
        b"e\\\\2\t2026-03-01 09:00:00\t2026-03-01\torg-a\twf-a1\tu\\tb\\nc\\rd\tmanual\tok\t1e-05\n"
    )


def test_a_duplicate_event_id_in_a_later_batch_is_skipped_and_the_rest_stored(store, tmp_path, monkeypatch, reader):
    monkeypatch.setattr(importer, "EVENT_BATCH", 2)
    events = [*TINY["events"][:4], TINY["events"][1], *TINY["events"][4:]]  # e2 again, in the third batch
    report = import_path(store, write_tiny(tmp_path / "in", {"events": events}))
    assert next((f.added, f.skipped) for f in report.files if f.kind == "events") == (6, 1)
    assert rows_of(store, "SELECT event_id FROM events ORDER BY event_id") == [(f"e{i}",) for i in range(1, 7)]
    _rollups_equal_group_bys(store)


def test_rollup_keys_rolled_up_in_sql_are_added_to_by_a_later_whole_slice(store, tmp_path, monkeypatch):
    # Slices of two events. The second import's first slice holds a stored event, so its new event (e9) is
    # rolled up in SQL; the next slice is whole and adds to the same day, workflow and user (e10).
    monkeypatch.setattr(importer, "EVENT_BATCH", 2)
    monkeypatch.setattr(importer, "ROLLUP_EVERY", 2)
    import_path(store, write_tiny(tmp_path / "first", {"events": TINY["events"][:1]}))
    later = [
        TINY["events"][0],
        ("e9", "2026-03-05T09:00:00", "wf-a2", "u-a2", "manual", "ok", "1"),
        ("e10", "2026-03-05T10:00:00", "wf-a2", "u-a2", "ai", "accepted", "2"),
        ("e11", "2026-03-06T09:00:00", "wf-b1", "u-b1", "queue", "ok", ""),
    ]
    report = import_path(store, write_tiny(tmp_path / "second", {"events": later}))
    assert next((f.added, f.skipped) for f in report.files if f.kind == "events") == (3, 1)
    _rollups_equal_group_bys(store)
    assert rows_of(store, "SELECT events FROM daily_user WHERE workflow_id = 'wf-a2' AND user_id = 'u-a2'") == [(2,)]


def test_a_slice_adds_to_rollup_keys_that_an_earlier_slice_of_the_same_import_stored(store, tmp_path, monkeypatch):
    # One event per slice: the third adds to the day, workflow and user of the first, not of the second.
    monkeypatch.setattr(importer, "EVENT_BATCH", 1)
    monkeypatch.setattr(importer, "ROLLUP_EVERY", 1)
    events = [
        ("e1", "2026-03-05T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1"),
        ("e2", "2026-03-05T09:30:00", "wf-b1", "u-b1", "manual", "ok", "1"),
        ("e3", "2026-03-05T10:00:00", "wf-a1", "u-a1", "ai", "ok", "2"),
    ]
    import_path(store, write_tiny(tmp_path / "in", {"events": events}))
    _rollups_equal_group_bys(store)
    assert rows_of(store, "SELECT events FROM daily_user WHERE workflow_id = 'wf-a1' AND user_id = 'u-a1'") == [(2,)]


def test_postgresql_copies_batches_straight_into_events_unless_stored_ids_get_in_the_way(
    pg_location, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer, "EVENT_BATCH", 2)
    copied_into: list[str] = []
    real_copy = bulk_load._copy

    def spy(cur, table, columns, rows):
        copied_into.append(table)
        return real_copy(cur, table, columns, rows)

    new = [(f"n{i}", "2026-03-03T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1") for i in range(6)]
    with Store(pg_location) as store:
        import_path(store, write_tiny(tmp_path / "first", {"events": TINY["events"][:3]}))
        monkeypatch.setattr(bulk_load, "_copy", spy)
        # Batches: all known | one known | all new | all new | one seen in the batch before.
        events = [*TINY["events"][:3], *new[:5], new[4], new[5]]
        report = import_path(store, write_tiny(tmp_path / "second", {"events": events}))
        assert next((f.added, f.skipped) for f in report.files if f.kind == "events") == (6, 4)
        _rollups_equal_group_bys(store)
    stage = bulk_load._PostgresEventLoader.STAGE
    assert [t for t in copied_into if t in ("events", stage)] == [
        "events", stage,  # tried straight in, collided, staged
        stage,  # staged at once after a batch with skipped rows
        stage,  # still staged; it added every row
        "events",  # so this one goes straight in
        "events", stage,  # a collision within this import
    ]


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_an_older_store_is_migrated_when_opened(sqlite_location, tmp_path, version):
    org_days = "SELECT day, org_id, events FROM daily_org ORDER BY 1, 2"
    org_users = "SELECT day, org_id, user_id, events FROM daily_org_user ORDER BY 1, 2, 3"
    pairs = "SELECT workflow_id, user_id, org_id, first_day, last_day FROM workflow_user ORDER BY 1, 2"
    with Store(sqlite_location) as store:
        import_path(store, write_tiny(tmp_path / "in"))
        expected = rows_of(store, org_users), rows_of(store, org_days), rows_of(store, pairs)
        assert expected[1] and expected[2]
        with store.write() as conn:
            conn.execute(text("DROP TABLE workflow_user"))  # what version 4 looked like
            if version <= 3:
                for index in ("ix_daily_usage_org_day", "ix_daily_org_org_day", "ix_daily_org_user_org_day_user"):
                    conn.execute(text(f"DROP INDEX {index}"))  # ... version 3
                conn.execute(text("CREATE INDEX ix_daily_usage_org_id ON daily_usage (org_id)"))
                if version <= 2:  # ... version 2
                    conn.execute(text("DROP TABLE daily_org"))
                if version == 1:  # ... and version 1
                    conn.execute(text("DROP TABLE daily_org_user"))
                    conn.execute(text("DROP INDEX ix_daily_user_org_day_workflow_user"))
                    conn.execute(text("CREATE INDEX ix_daily_user_org_day ON daily_user (org_id, day)"))
            conn.execute(text(f"UPDATE meta SET value = '{version}' WHERE key = 'schema_version'"))
    with Store(resolve_store(str(sqlite_location.path))) as store:
        assert store.upgrade_note and f"from schema {version} to {SCHEMA_VERSION}" in store.upgrade_note
        assert rows_of(store, "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
        assert (rows_of(store, org_users), rows_of(store, org_days), rows_of(store, pairs)) == expected
        indexes = {name for (name,) in rows_of(store, "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "ix_daily_user_org_day_workflow_user" in indexes and "ix_daily_user_org_day" not in indexes
        assert {"ix_daily_usage_org_day", "ix_daily_org_org_day", "ix_daily_org_user_org_day_user"} <= indexes
        assert {"ix_workflow_user_org_last_day"} <= indexes and "ix_daily_usage_org_id" not in indexes


def test_a_quoted_record_keeps_the_line_numbers_of_the_rows_after_it(sqlite_location, tmp_path):
    folder = tmp_path / "in"
    write_tiny(folder)
    path = write_csv(folder, "events", HEADERS["events"], [ODD_BUT_VALID[10], ODD_BUT_VALID[0], ("", *ODD_BUT_VALID[1][1:])])
    with Store(sqlite_location) as store, pytest.raises(ImportFailed, match=re.escape(f"{path}:5: event_id: ")):
        import_path(store, folder)


@pytest.mark.parametrize("python", ["no-such-python", "/bin/false"], ids=["missing", "exits at once"])
def test_without_a_reader_process_the_file_is_read_here(sqlite_location, tmp_path, monkeypatch, python):
    monkeypatch.setattr(event_stream, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(event_stream.sys, "executable", str(tmp_path / python) if "/" not in python else python)
    with Store(sqlite_location) as store:
        report = import_path(store, write_tiny(tmp_path / "in"))
        assert report.added == 18
        _rollups_equal_group_bys(store)
