"""Store faults: an older schema (backed up, then migrated), unusable paths, a file that is not a store."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from trialstack_tui import cli
from trialstack_tui.config import resolve_store
from trialstack_tui.errors import StoreError
from trialstack_tui.store import Store
from trialstack_tui.store.tables import SCHEMA_VERSION


def _as_schema_1(db: Path) -> None:
    """Turn a current store into what version 1 of the program left: no daily_org_user, daily_org or
    workflow_user, the old indexes."""
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE workflow_user")
        conn.execute("DROP INDEX ix_daily_usage_org_day")
        conn.execute("CREATE INDEX ix_daily_usage_org_id ON daily_usage (org_id)")
        conn.execute("DROP TABLE daily_org")
        conn.execute("DROP TABLE daily_org_user")
        conn.execute("DROP INDEX ix_daily_user_org_day_workflow_user")
        conn.execute("CREATE INDEX ix_daily_user_org_day ON daily_user (org_id, day)")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")


def _version(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])


def test_an_older_store_is_backed_up_then_migrated_in_place(sample_db: Path, capsys) -> None:
    assert cli.main(["--db", str(sample_db), "summary", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    _as_schema_1(sample_db)

    assert cli.main(["--db", str(sample_db), "summary", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == expected  # the migrated store answers as before
    assert f"from schema 1 to {SCHEMA_VERSION}" in captured.err
    (backup,) = sample_db.parent.glob("sample.db.schema1-*.bak")
    assert str(backup) in captured.err
    assert _version(backup) == 1 and _version(sample_db) == SCHEMA_VERSION
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with sqlite3.connect(backup) as conn:  # the backup is the old store, whole
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 72_417
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'daily_org_user'").fetchall()

    assert cli.main(["--db", str(sample_db), "summary"]) == 0  # opening again migrates nothing more
    assert "upgraded" not in capsys.readouterr().err
    assert len(list(sample_db.parent.glob("*.bak"))) == 1


def test_an_older_store_is_not_migrated_read_only(sample_db: Path) -> None:
    _as_schema_1(sample_db)
    with pytest.raises(StoreError, match="older schema .1.; open it once without --read-only"):
        Store(resolve_store(str(sample_db)), read_only=True)
    assert _version(sample_db) == 1 and not list(sample_db.parent.glob("*.bak"))


@pytest.mark.parametrize("where", ["/proc/trialstack/usage.db", "{file}/usage.db"])
def test_a_store_path_that_cannot_be_created_is_one_clear_line(tmp_path: Path, capsys, where: str) -> None:
    plain_file = tmp_path / "not-a-folder"
    plain_file.write_text("x")
    path = where.format(file=plain_file)
    assert cli.main(["--db", path, "summary"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"trialstack-tui: cannot create store {path}:") and "\n" not in err


def test_a_file_that_is_not_a_store_is_refused_by_the_cli(tmp_path: Path, capsys) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 100)
    before = bogus.read_bytes()
    assert cli.main(["--db", str(bogus), "summary"]) == 2
    err = capsys.readouterr().err
    assert "not a trialstack store" in err and "Traceback" not in err
    assert bogus.read_bytes() == before
