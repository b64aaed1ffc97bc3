"""Hostile names walked through every screen, command output and export: no raw control sequence gets out.

Every org, workspace, workflow, owner, change, note and file name below carries an OSC 52 clipboard write, a
screen clear (ESC [ 2 J and its one-byte C1 form), a C1 OSC, a bare CR, a bidi isolate, Rich markup and a
spreadsheet formula. Whatever the app writes to the terminal or to a file must show them, never send them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from trialstack_tui import cli
from trialstack_tui.config import resolve_store
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path
from trialstack_tui.tui.widgets.dialogs import MarkDialog
from trialstack_tui.marks import MarkRequest

from .conftest import press, settle

HOSTILE = "\x1b]52;c;cHduZWQ=\x1b\\\x1b[2J\x9b2J\x9d0;t\x9c\r\u2067[/][@click=app.quit]q[/]"
FORMULA = '=HYPERLINK("http://x","y")'
RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Anything but a line break that a terminal or a spreadsheet would act on: C0 (ESC, CR…), DEL, C1, bidi."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def assert_no_raw_controls(text: str, where: str) -> None:
    found = RAW.search(text)
    assert found is None, f"{where}: raw {found.group()!r} near {text[max(0, found.start() - 30):found.end() + 30]!r}"


def assert_csv_is_inert(text: str, where: str) -> list[list[str]]:
    assert_no_raw_controls(text, where)
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), f"{where}: a formula cell {cell!r}"
    return rows


def _jsonl(path: Path, objects: list[dict]) -> None:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")


def write_hostile_set(folder: Path) -> Path:
    """Two orgs; the busier one (first on every screen) named, owned and changed with hostile text.

    The events file's own name carries an escape sequence too: import lines print it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    bad = f"Alpha{HOSTILE}{FORMULA}"
    _jsonl(folder / "organizations.jsonl", [
        {"org_id": f"org-a{HOSTILE}", "name": bad, "plan": FORMULA, "seats": 10, "included_credits": 5},
        {"org_id": "org-b", "name": "Beta", "plan": "Team", "seats": 4, "included_credits": 100},
    ])
    _jsonl(folder / "workspaces.jsonl", [
        {"workspace_id": "ws-a", "org_id": f"org-a{HOSTILE}", "name": bad},
        {"workspace_id": "ws-b", "org_id": "org-b", "name": "Main"},
    ])
    _jsonl(folder / "workflows.jsonl", [
        {"workflow_id": f"wf-a{HOSTILE}", "workspace_id": "ws-a", "name": bad, "area": bad,
         "owner": f"ops [/] team{HOSTILE}", "ai_assisted": True, "queue_backed": False},
        {"workflow_id": "wf-b", "workspace_id": "ws-b", "name": "Filing", "area": "Documents", "owner": "[/]",
         "ai_assisted": False, "queue_backed": False},
    ])
    events = [
        {"event_id": f"a{i}", "ts": f"2026-03-{1 + i % 28:02d}T09:00:00", "workflow_id": f"wf-a{HOSTILE}",
         "user_id": f"u{i % 3}{HOSTILE}", "kind": "ai", "outcome": "accepted" if i % 4 else "rejected",
         "credits": 3}
        for i in range(120)
    ] + [
        {"event_id": f"b{i}", "ts": f"2026-03-{1 + i % 28:02d}T10:00:00", "workflow_id": "wf-b",
         "user_id": "ub", "kind": "manual", "outcome": "ok", "credits": 1}
        for i in range(30)
    ]
    _jsonl(folder / "events-\x1b[2J\x9b31m.jsonl", events)
    _jsonl(folder / "changes.jsonl", [
        {"change_id": f"chg{HOSTILE}", "date": "2026-03-15", "kind": "rollout", "title": bad,
         "org_id": f"org-a{HOSTILE}", "workflow_id": ""},
    ])
    return folder


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    db = tmp_path / "hostile.db"
    with Store(resolve_store(str(db))) as store:
        import_path(store, write_hostile_set(tmp_path / "data"))
        review = Review(store)
        review.mark(MarkRequest(target_type="workflow", reason="spike", workflow_id=f"wf-a{HOSTILE}",
                    org_id=f"org-a{HOSTILE}", note=f"{FORMULA}\n+1+cmd|' /C calc'!A0{HOSTILE}"))
        review.mark(MarkRequest(target_type="org", reason="other", owner=f"@SUM(A1){HOSTILE}", org_id="org-b", note="-2+3"))
    return db


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_every_command_output_and_error_line_shows_hostile_text_without_sending_it(
    capsys, tmp_path: Path, hostile_db: Path
) -> None:
    db = str(hostile_db)
    status, out, err = _run(capsys, "import", str(write_hostile_set(tmp_path / "again")), "--db", db)
    assert status == 0 and "events-\\x1b[2J\\x9b31m.jsonl: added 0" in out
    assert_no_raw_controls(out + err, "import")
    outputs = {
        "summary": _run(capsys, "summary", "--db", db, "--as-of", "2026-03-28"),
        "summary --json": _run(capsys, "summary", "--db", db, "--as-of", "2026-03-28", "--json"),
        "compare": _run(capsys, "compare", f"chg{HOSTILE}", "--db", db),
        "compare --json": _run(capsys, "compare", f"chg{HOSTILE}", "--db", db, "--json"),
        "unknown change": _run(capsys, "compare", f"nope{HOSTILE}", "--db", db),
        **{f"followups {fmt}": _run(capsys, "followups", "--db", db, "--status", "all", "--format", fmt)
           for fmt in ("table", "csv", "json", "markdown")},
    }
    for where, (status, out, err) in outputs.items():
        assert status == (2 if where == "unknown change" else 0), (where, err)
        assert_no_raw_controls(out + err, where)
    assert "\\x1b]52;c;cHduZWQ=" in outputs["compare"][1]  # shown, as text
    assert json.loads(outputs["summary --json"][1])["orgs"][0]["name"].startswith("Alpha\x1b]52")  # data intact
    rows = assert_csv_is_inert(outputs["followups csv"][1], "followups csv")
    by_reason = {r["reason"]: r for r in (dict(zip(rows[0], r, strict=True)) for r in rows[1:])}
    assert by_reason["spike"]["note"].startswith("'=HYPERLINK") and "\n+1+cmd" in by_reason["spike"]["note"]
    assert by_reason["other"]["owner"].startswith("'@SUM(A1)") and by_reason["other"]["note"] == "'-2+3"

    bad = tmp_path / "bad"
    write_hostile_set(bad)
    _jsonl(bad / "events-\x1b[2J\x9b31m.jsonl", [{"event_id": "x", "ts": "never", "workflow_id": "wf-b",
                                                   "user_id": "u", "kind": "ai", "outcome": "ok"}])
    status, out, err = _run(capsys, "import", str(bad), "--db", db)
    assert status == 2 and "events-\\x1b[2J\\x9b31m.jsonl:1: ts:" in err
    assert_no_raw_controls(out + err, "import error line")


async def test_every_screen_toast_palette_and_export_shows_hostile_text_without_sending_it(
    make_app, hostile_db: Path, tmp_path: Path, monkeypatch
) -> None:
    data = tmp_path / "data [/] dir"  # the export's folder: its path is in the toast
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    app = make_app(db=hostile_db)
    seen: list[str] = []

    def look(where: str) -> None:
        svg = app.export_screenshot()
        assert_no_raw_controls(svg, where)
        assert app.is_running, f"{where}: the app ended"
        seen.append(where)

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        look("summary")
        await press(pilot, "enter")  # the busiest org: the hostile one
        assert "\\x1b]52" in app.screen.query_one("Header").format_title().plain
        look("org")
        await press(pilot, "enter")
        look("workflow")
        await press(pilot, "m")
        assert isinstance(app.screen, MarkDialog)
        look("mark dialog")
        await press(pilot, "ctrl+s")  # saved for the owner `ops [/] team…`: the toast names the owner
        look("toast after marking")
        await press(pilot, "c")
        look("rollouts")
        await press(pilot, "enter")
        look("comparison")
        await press(pilot, "b")
        look("billing")
        await press(pilot, "f", "o", "o")  # every mark
        look("follow-ups")
        await press(pilot, "e")  # the toast names the export's path, with its `[/]`
        look("toast after export")
        await press(pilot, "E")
        await press(pilot, "h", "ctrl+p", *"Alph")
        look("palette search")
        await press(pilot, "escape", "question_mark")
        look("help")
    assert len(seen) == 12
    exports = sorted((data / "trialstack-tui" / "exports").iterdir())
    assert [p.suffix for p in exports] == [".csv", ".md"]
    rows = assert_csv_is_inert(exports[0].read_text(encoding="utf-8"), "export csv")
    assert len(rows) == 4  # header and three marks, none split by a bare CR
    assert_no_raw_controls(exports[1].read_text(encoding="utf-8"), "export markdown")
