"""CONTRACT §1 import: CSV and JSONL, idempotent re-import, rollups, and all-or-nothing on bad rows.

Every test using `store` runs on a SQLite file and on a PostgreSQL schema of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from trialstack_tui import cli
from trialstack_tui.config import resolve_store
from trialstack_tui.errors import ImportFailed
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path
from trialstack_tui.store.tables import metadata

from .helpers import HEADERS, TINY, write_csv, write_jsonl, write_tiny

TABLES = ("organizations", "workspaces", "workflows", "users", "events", "changes", "daily_usage", "daily_user")


def rows_of(store: Store, sql: str) -> list[tuple]:
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def typed(store: Store, table: str, *columns: str) -> list[tuple]:
    """Columns of a table read through its SQLAlchemy types (dates as dates on every backend), in order."""
    t = metadata.tables[table]
    chosen = [t.c[c] for c in columns]
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(select(*chosen).order_by(*chosen))]


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every data table, in a stable order."""
    return {name: sorted(rows_of(store, f"SELECT * FROM {name}"), key=repr) for name in TABLES}


def per_file(report) -> dict[str, tuple[int, int, int]]:
    return {f.kind: (f.added, f.updated, f.skipped) for f in report.files}


# ----------------------------------------------------------------------------- valid imports


def test_a_valid_csv_folder_imports_every_row(store, tmp_path):
    report = import_path(store, write_tiny(tmp_path / "in"))
    assert per_file(report) == {
        "organizations": (2, 0, 0), "workspaces": (2, 0, 0), "workflows": (3, 0, 0), "users": (3, 0, 0),
        "events": (6, 0, 0), "changes": (2, 0, 0),
    }
    assert (report.added, report.updated, report.skipped) == (18, 0, 0)
    assert rows_of(store, "SELECT org_id, seats, included_credits FROM organizations ORDER BY org_id") == [
        ("org-a", 10, 100.0), ("org-b", 4, 50.5)
    ]
    # A change naming no org reaches every org: stored as NULL, not ''.
    assert rows_of(store, "SELECT change_id, org_id, workflow_id FROM changes ORDER BY change_id") == [
        ("chg-1", "org-a", None), ("chg-2", None, None)
    ]
    assert rows_of(store, "SELECT user_id, trained_on FROM users ORDER BY user_id")[1] == ("u-a2", None)


def test_a_valid_jsonl_folder_imports_every_row(store, tmp_path):
    folder = tmp_path / "in"
    for name, rows in TINY.items():
        objects = [dict(zip(HEADERS[name], r, strict=True)) for r in rows]
        if name == "organizations":
            for o in objects:  # JSON numbers, not strings
                o["seats"], o["included_credits"] = int(o["seats"]), float(o["included_credits"])
        if name == "workflows":
            for o in objects:  # JSON booleans
                o["ai_assisted"] = o["ai_assisted"] == "true"
        if name == "users":
            objects[1]["trained_on"] = None
        write_jsonl(folder, name, objects)
    report = import_path(store, folder)
    assert (report.added, report.updated, report.skipped) == (18, 0, 0)
    assert rows_of(store, "SELECT workflow_id, ai_assisted, queue_backed FROM workflows ORDER BY workflow_id") == [
        ("wf-a1", True, False), ("wf-a2", False, True), ("wf-b1", False, False)
    ]
    assert rows_of(store, "SELECT seats, included_credits FROM organizations WHERE org_id = 'org-b'") == [(4, 50.5)]


def test_a_bom_and_crlf_line_ends_are_tolerated(store, tmp_path):
    path = tmp_path / "organizations.csv"
    path.write_bytes(b"\xef\xbb\xbforg_id,name,plan,seats,included_credits\r\norg-z,Zeta,Team,3,10\r\n")
    assert per_file(import_path(store, path)) == {"organizations": (1, 0, 0)}
    assert rows_of(store, "SELECT org_id, name FROM organizations") == [("org-z", "Zeta")]


def test_progress_reports_each_file_to_its_end(store, tmp_path):
    folder = write_tiny(tmp_path / "in")
    calls: list[tuple[str, int, int]] = []
    import_path(store, folder, progress=lambda label, done, size: calls.append((label, done, size)))
    last = {label: (done, size) for label, done, size in calls}
    assert last == {p.name: (p.stat().st_size, p.stat().st_size) for p in folder.iterdir()}


def test_one_file_can_be_imported_on_its_own(store, tmp_path):
    folder = write_tiny(tmp_path / "in")
    report = import_path(store, folder / "organizations.csv")
    assert per_file(report) == {"organizations": (2, 0, 0)}


def test_reimport_skips_known_events_and_counts_updated_reference_rows(store, tmp_path):
    import_path(store, write_tiny(tmp_path / "first"))
    orgs = [("org-a", "Alpha Trials Renamed", "Team", "10", "100"), TINY["organizations"][1]]
    changes = [TINY["changes"][0], ("chg-2", "2026-03-03", "training", "Webinar", "", "")]
    events = [*TINY["events"], ("e7", "2026-03-03T08:00:00", "wf-b1", "u-b1", "manual", "ok", "1")]
    report = import_path(
        store, write_tiny(tmp_path / "second", {"organizations": orgs, "changes": changes, "events": events})
    )
    assert per_file(report) == {
        "organizations": (0, 1, 1), "workspaces": (0, 0, 2), "workflows": (0, 0, 3), "users": (0, 0, 3),
        "events": (1, 0, 6), "changes": (0, 1, 1),
    }
    assert rows_of(store, "SELECT COUNT(*) FROM events") == [(7,)]
    assert rows_of(store, "SELECT name FROM organizations WHERE org_id = 'org-a'") == [("Alpha Trials Renamed",)]
    assert typed(store, "changes", "change_id", "date") == [("chg-1", date(2026, 3, 2)), ("chg-2", date(2026, 3, 3))]


def test_an_identical_reimport_adds_and_updates_nothing(store, tmp_path):
    import_path(store, write_tiny(tmp_path / "first"))
    before = snapshot(store)
    report = import_path(store, write_tiny(tmp_path / "again"))
    assert (report.added, report.updated, report.skipped) == (0, 0, 18)
    assert snapshot(store) == before


ROLLUP_FROM_EVENTS = """
SELECT day, workflow_id, org_id, COUNT(*),
       SUM(CASE WHEN kind = 'manual' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'ai' THEN 1 ELSE 0 END),
       SUM(CASE WHEN kind = 'queue' THEN 1 ELSE 0 END), SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END),
       SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END), SUM(CASE WHEN outcome = 'accepted' THEN 1 ELSE 0 END),
       SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END), SUM(credits)
FROM events GROUP BY day, workflow_id, org_id ORDER BY day, workflow_id
"""
ROLLUP_STORED = """
SELECT day, workflow_id, org_id, events, manual, ai, queue, ok, error, accepted, rejected, credits
FROM daily_usage ORDER BY day, workflow_id
"""


def test_rollups_equal_a_group_by_over_raw_events_after_overlapping_imports(store, tmp_path):
    first = TINY["events"][:4]
    second = [*TINY["events"][2:], ("e7", "2026-03-01T15:00:00", "wf-a1", "u-b1", "ai", "ok", "2"),
              ("e8", "2026-03-02T18:00:00", "wf-a2", "u-a2", "queue", "error", "0.5")]
    import_path(store, write_tiny(tmp_path / "first", {"events": first}))
    import_path(store, write_tiny(tmp_path / "second", {"events": second}))
    stored = rows_of(store, ROLLUP_STORED)
    assert stored == rows_of(store, ROLLUP_FROM_EVENTS)
    # Hand count: 2026-03-01 wf-a1 has e1 (ai accepted), e2 (ai rejected), e3 (manual error), e7 (ai ok).
    assert stored[0][:11] == (stored[0][0], "wf-a1", "org-a", 4, 1, 3, 0, 1, 1, 1, 1)
    assert float(stored[0][11]) == pytest.approx(6.0)
    assert rows_of(store, "SELECT day, workflow_id, user_id, org_id, events FROM daily_user ORDER BY 1, 2, 3") == rows_of(
        store,
        "SELECT day, workflow_id, user_id, MIN(org_id), COUNT(*) FROM events GROUP BY day, workflow_id, user_id ORDER BY 1, 2, 3",
    )
    assert rows_of(store, "SELECT COUNT(*), SUM(events) FROM daily_user") == [(7, 8)]


def test_booleans_in_every_accepted_spelling(store, tmp_path):
    spellings = {"true": True, "TRUE": True, "True": True, "1": True, "yes": True, "YES": True,
                 "false": False, "False": False, "0": False, "no": False, "No": False}
    workflows = [(f"wf-{i}", "ws-a", "W", "Safety", "Owner", raw, raw) for i, raw in enumerate(spellings)]
    import_path(store, write_tiny(tmp_path / "in", {"workflows": workflows, "events": [], "changes": []}))
    stored = dict(rows_of(store, "SELECT workflow_id, ai_assisted FROM workflows"))
    assert {raw: stored[f"wf-{i}"] for i, raw in enumerate(spellings)} == spellings
    assert rows_of(store, "SELECT COUNT(*) FROM workflows WHERE ai_assisted <> queue_backed") == [(0,)]


def test_timestamps_with_and_without_offsets_are_stored_as_utc(store, tmp_path):
    events = [
        ("t1", "2026-03-01T10:00:00", "wf-a1", "u-a1", "manual", "ok", ""),  # no offset: already UTC
        ("t2", "2026-03-01T10:00:00Z", "wf-a1", "u-a1", "manual", "ok", ""),
        ("t3", "2026-03-01T23:30:00-02:00", "wf-a1", "u-a1", "manual", "ok", ""),  # next UTC day
        ("t4", "2026-03-02T00:30:00+01:00", "wf-a1", "u-a1", "manual", "ok", ""),  # previous UTC day
    ]
    import_path(store, write_tiny(tmp_path / "in", {"events": events}))
    assert typed(store, "events", "event_id", "ts", "day") == [
        ("t1", datetime(2026, 3, 1, 10, 0), date(2026, 3, 1)),
        ("t2", datetime(2026, 3, 1, 10, 0), date(2026, 3, 1)),
        ("t3", datetime(2026, 3, 2, 1, 30), date(2026, 3, 2)),
        ("t4", datetime(2026, 3, 1, 23, 30), date(2026, 3, 1)),
    ]
    assert typed(store, "daily_usage", "day", "events") == [(date(2026, 3, 1), 3), (date(2026, 3, 2), 1)]


# ----------------------------------------------------------------------------- malformed imports

BASE_ORGS = [*TINY["organizations"], ("org-c", "Gamma", "Team", "3", "10")]
BASE_EVENTS = [*TINY["events"], ("e8", "2026-03-02T11:00:00", "wf-b1", "u-b1", "manual", "ok", "3")]
"""A bad folder would add org-c and event e8 (line 8 of events.csv) before it reaches its one bad row."""


def _append_event(**fields: str):
    """A corruption: one more event (line 9 of events.csv) with these fields."""
    base = {"event_id": "e9", "ts": "2026-03-02T10:00:00", "workflow_id": "wf-a1", "user_id": "u-a1",
            "kind": "manual", "outcome": "ok", "credits": "1"}
    bad = tuple({**base, **fields}[h] for h in HEADERS["events"])
    return lambda folder: write_csv(folder, "events", HEADERS["events"], [*BASE_EVENTS, bad])


def _bad_change_date(folder: Path) -> None:
    write_csv(folder, "changes", HEADERS["changes"], [TINY["changes"][0], ("chg-2", "2026-02-30", "training", "W", "", "")])


def _duplicate_org(folder: Path) -> None:
    write_csv(folder, "organizations", HEADERS["organizations"], [*BASE_ORGS, ("org-a", "Again", "Team", "1", "1")])


def _events_without_kind(folder: Path) -> None:
    keep = [i for i, h in enumerate(HEADERS["events"]) if h != "kind"]
    write_csv(folder, "events", [HEADERS["events"][i] for i in keep], [[r[i] for i in keep] for r in BASE_EVENTS])


def _non_utf8_events(folder: Path) -> None:
    path = folder / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"u-a2,ai,rejected", b"u-\xff2,ai,rejected"))  # line 3


def _short_event_row(folder: Path) -> None:
    write_csv(folder, "events", HEADERS["events"], [*BASE_EVENTS, BASE_EVENTS[0][:-1]])


def _jsonl_without_kind(folder: Path) -> None:
    (folder / "events.csv").unlink()
    objects = [dict(zip(HEADERS["events"], r, strict=True)) for r in BASE_EVENTS]
    del objects[1]["kind"]
    write_jsonl(folder, "events", objects)


def _jsonl_array_line(folder: Path) -> None:
    (folder / "events.csv").unlink()
    first = dict(zip(HEADERS["events"], BASE_EVENTS[0], strict=True))
    (folder / "events.jsonl").write_text(json.dumps(first) + '\n["e2", "2026-03-01T10:00:00"]\n', encoding="utf-8")


MALFORMED = {
    "bad date": (_bad_change_date, "changes.csv", 3, "date"),
    "unknown workflow": (_append_event(workflow_id="wf-zz"), "events.csv", 9, "workflow_id"),
    "negative credits": (_append_event(credits="-0.5"), "events.csv", 9, "credits"),
    "NaN credits": (_append_event(credits="nan"), "events.csv", 9, "credits"),
    "infinite credits": (_append_event(credits="inf"), "events.csv", 9, "credits"),
    "bad kind": (_append_event(kind="robot"), "events.csv", 9, "kind"),
    "accepted on a manual event": (_append_event(outcome="accepted"), "events.csv", 9, "outcome"),
    "rejected on a queue event": (_append_event(kind="queue", outcome="rejected"), "events.csv", 9, "outcome"),
    "missing column": (_events_without_kind, "events.csv", 1, "kind"),
    "non-UTF-8 bytes": (_non_utf8_events, "events.csv", 3, "line"),
    "JSONL line not an object": (_jsonl_array_line, "events.jsonl", 2, "line"),
    "JSONL object without a field": (_jsonl_without_kind, "events.jsonl", 2, "kind"),
    "CSV row with a field missing": (_short_event_row, "events.csv", 9, "row"),
    "duplicate id in one file": (_duplicate_org, "organizations.csv", 5, "org_id"),
}


def write_malformed(folder: Path, case: str) -> tuple[Path, int, str]:
    corrupt, file_name, line, field = MALFORMED[case]
    write_tiny(folder, {"organizations": BASE_ORGS, "events": BASE_EVENTS})
    corrupt(folder)
    return folder / file_name, line, field


def expected_message(path: Path, line: int, field: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(str(path))}:{line}: {re.escape(field)}: \S.*$")


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_import_names_file_line_and_field_and_writes_nothing(store, tmp_path, case):
    import_path(store, write_tiny(tmp_path / "good"))
    before = snapshot(store)
    path, line, field = write_malformed(tmp_path / "bad", case)
    with pytest.raises(ImportFailed) as failure:
        import_path(store, tmp_path / "bad")
    message = str(failure.value)
    assert "\n" not in message
    assert expected_message(path, line, field).match(message), message
    assert snapshot(store) == before


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", ["bad date", "unknown workflow", "negative credits", "missing column", "bad kind",
                                  "accepted on a manual event", "non-UTF-8 bytes"])
def test_a_malformed_import_leaves_the_sqlite_file_byte_for_byte(sqlite_location, tmp_path, capsys, case):
    db = sqlite_location.path
    with Store(sqlite_location) as s:
        import_path(s, write_tiny(tmp_path / "good"))
    digest = _sha256(db)
    path, line, field = write_malformed(tmp_path / "bad", case)
    capsys.readouterr()
    assert cli.main(["import", "--db", str(db), str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert expected_message(path, line, field).match(err.removeprefix("trialstack-tui: ").rstrip("\n")), err
    assert _sha256(db) == digest
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    with Store(resolve_store(str(db))) as s:
        assert rows_of(s, "SELECT COUNT(*) FROM organizations") == [(2,)]
