"""Import edge cases beyond the malformed rows: empty and header-only files, unknown fields, quoted newlines,
wrong delimiters and duplicate events inside one file. Each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialstack_tui.errors import ImportFailed
from trialstack_tui.review import Review
from trialstack_tui.store.importer import import_path

ORGS = "org_id,name,plan,seats,included_credits\no1,Acme,Team,10,100\n"
WORKSPACES = "workspace_id,org_id,name\nw1,o1,Main\n"
WORKFLOWS = "workflow_id,workspace_id,name,area,owner,ai_assisted,queue_backed\nf1,w1,Intake,Enrollment,Dana,yes,no\n"
EVENT_HEADER = "event_id,ts,workflow_id,user_id,kind,outcome,credits\n"


def _write(folder: Path, name: str, text: str | bytes) -> None:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def _base(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "organizations.csv", ORGS)
    _write(folder, "workspaces.csv", WORKSPACES)
    _write(folder, "workflows.csv", WORKFLOWS)
    return folder


def test_an_empty_file_is_refused_with_its_name(store, tmp_path) -> None:
    folder = _base(tmp_path)
    _write(folder, "events.csv", "")
    with pytest.raises(ImportFailed, match=r"events\.csv:1: header: the file is empty"):
        import_path(store, folder)
    assert Review(store).catalog().orgs == {}


def test_a_header_only_file_adds_nothing_and_is_fine(store, tmp_path) -> None:
    folder = _base(tmp_path)
    _write(folder, "events.csv", EVENT_HEADER)
    report = import_path(store, folder)
    (events,) = [f for f in report.files if f.kind == "events"]
    assert (events.added, events.skipped) == (0, 0)
    assert len(Review(store).catalog().workflows) == 1


def test_unknown_fields_are_accepted_and_reported_in_csv_and_jsonl(store, tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "organizations.jsonl",
           '{"org_id": "o1", "name": "Acme", "plan": "Team", "seats": 10, "included_credits": 100, "region": "eu"}\n')
    _write(folder, "workspaces.csv", "workspace_id,org_id,name,colour\nw1,o1,Main,blue\n")
    report = import_path(store, folder)
    assert {f.path.name: f.unknown_columns for f in report.files} == {
        "organizations.jsonl": ["region"], "workspaces.csv": ["colour"],
    }
    assert Review(store).catalog().orgs["o1"].name == "Acme"


def test_a_quoted_field_may_hold_a_newline_and_later_lines_keep_their_numbers(store, tmp_path) -> None:
    folder = _base(tmp_path)
    _write(folder, "workspaces.csv", 'workspace_id,org_id,name\nw1,o1,"North\nand South"\nw2,o9,Other\n')
    with pytest.raises(ImportFailed) as failure:
        import_path(store, folder)
    assert str(failure.value).endswith("workspaces.csv:4: org_id: unknown organization 'o9'")
    _write(folder, "workspaces.csv", 'workspace_id,org_id,name\nw1,o1,"North\nand South"\n')
    import_path(store, folder)
    assert Review(store).catalog().workspaces["w1"].name == "North\nand South"


def test_a_semicolon_file_says_the_delimiter_is_wrong(store, tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "organizations.csv", ORGS.replace(",", ";"))
    with pytest.raises(ImportFailed, match=r"organizations\.csv:1: org_id: missing required column .*another delimiter"):
        import_path(store, folder)


def test_an_event_twice_in_one_file_counts_once(store, tmp_path) -> None:
    folder = _base(tmp_path)
    row = "e1,2026-10-01T10:00:00Z,f1,u1,manual,ok,\n"
    _write(folder, "events.csv", EVENT_HEADER + row + row + "e2,2026-10-01T11:00:00+02:00,f1,u2,ai,accepted,2\n")
    report = import_path(store, folder)
    (events,) = [f for f in report.files if f.kind == "events"]
    assert (events.added, events.skipped) == (2, 1)
    summary = Review(store).summary(days=1)
    assert summary.totals.activity.events == 2 and summary.totals.active_users == 2


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("events.csv",
         EVENT_HEADER + "e1,2026-10-01T10:00:00Z,f1,u1,manual,ok,\ne\x002,2026-10-01T10:00:00Z,f1,u1,manual,ok,\n",
         r"events\.csv:3: event_id: contains a NUL character"),
        ("events.jsonl", '{"event_id": "e1", "ts": "2026-10-01T10:00:00Z", "workflow_id": "f1", "user_id": "u\\u0000",'
         ' "kind": "manual", "outcome": "ok", "credits": 0}\n', r"events\.jsonl:1: user_id: contains a NUL character"),
        ("workspaces.csv", "workspace_id,org_id,name\nw2,o1,Ma\x00in\n", r"workspaces\.csv:2: name: contains a NUL"),
    ],
)
def test_a_nul_character_in_a_text_field_is_refused_with_its_place(store, tmp_path, name, text, where) -> None:
    folder = _base(tmp_path)
    _write(folder, name, text)
    with pytest.raises(ImportFailed, match=where):
        import_path(store, folder)
    assert Review(store).catalog().orgs == {}  # nothing was written
