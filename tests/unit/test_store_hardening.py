"""Stores and paths under hostile conditions (issue 11): each ends in one clear line, exit 2, nothing changed.

The read-only filesystem and the full disk are real: small tmpfs mounts (the tests run as root, as the
project's machines do).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from trialstack_tui import cli
from trialstack_tui.config import data_dir, resolve_store
from trialstack_tui.errors import UserFacingError
from trialstack_tui.exports import default_export_path, write_export
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path

from .helpers import write_tiny


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "sqlalche.me" not in err and "Traceback" not in err, err
    return err


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", f"trialstack-{uuid.uuid4().hex[:8]}", str(where)],
                   check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def test_an_empty_db_option_is_a_usage_error_not_the_default_store(capsys) -> None:
    status, out, err = _run(capsys, "summary", "--db", "")
    assert status == 2 and "--db is empty" in _one_line(err)
    assert not (data_dir() / "usage.db").exists()  # the default store was neither made nor filled


def test_another_programs_sqlite_file_is_refused_before_anything_changes(capsys, tmp_path) -> None:
    foreign = tmp_path / "crm.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('Ada')")
    conn.close()
    before = foreign.read_bytes()
    for argv in (["summary"], ["import", str(write_tiny(tmp_path / "in"))]):
        status, _, err = _run(capsys, *argv, "--db", str(foreign))
        assert status == 2
        assert "not a trialstack store (it holds other tables: customers); nothing was changed" in _one_line(err)
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.sqlite", "in"]  # no -wal, no -shm
    with sqlite3.connect(foreign) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "²"])
def test_a_bad_schema_version_is_refused_before_any_backup(capsys, tmp_path, value) -> None:
    db = tmp_path / "store.db"
    with Store(resolve_store(str(db))) as store:
        import_path(store, write_tiny(tmp_path / "in"))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (value,))
    conn.close()
    before = db.read_bytes()
    status, _, err = _run(capsys, "summary", "--db", str(db))
    assert status == 2 and "not a usable trialstack store (its schema_version is" in _one_line(err)
    assert not list(tmp_path.glob("*.bak")) and db.read_bytes() == before


def test_a_damaged_store_is_one_line(capsys, sample_db: Path) -> None:
    page = 4096
    with sqlite3.connect(sample_db) as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (page,)
    conn.close()
    data = bytearray(sample_db.read_bytes())
    for start in range(page * 64, len(data) - page, page * 8):  # every eighth page past the schema
        data[start:start + page] = b"\xa5" * page
    sample_db.write_bytes(bytes(data))
    status, _, err = _run(capsys, "summary", "--db", str(sample_db))
    assert status == 2 and "malformed" in _one_line(err)


def test_a_disk_that_fills_during_an_import_is_one_line_and_the_store_is_unchanged(capsys, tmp_path, sample_dir):
    with tmpfs(tmp_path / "small", "3m") as disk:
        db = disk / "store.db"
        assert _run(capsys, "import", str(write_tiny(tmp_path / "in")), "--db", str(db))[0] == 0
        _, before, _ = _run(capsys, "summary", "--db", str(db), "--json")
        status, _, err = _run(capsys, "import", str(sample_dir), "--db", str(db))
        assert status == 2
        assert _one_line(err).endswith(": the disk is full; nothing was written, the store is unchanged\n")
        assert _run(capsys, "summary", "--db", str(db), "--json")[1] == before


def test_read_only_opens_a_store_on_a_read_only_filesystem(capsys, tmp_path, sample_db: Path) -> None:
    _, expected, _ = _run(capsys, "summary", "--db", str(sample_db), "--json")
    with tmpfs(tmp_path / "ro", "64m") as disk:
        shutil.copy(sample_db, disk / "usage.db")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        status, out, err = _run(capsys, "summary", "--db", str(disk / "usage.db"), "--read-only", "--json")
        assert (status, err) == (0, "") and out == expected


def test_an_export_never_follows_a_symlink_and_makes_its_folders_owner_only(tmp_path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    path = default_export_path("followups-open", "csv")
    assert not data_dir().exists()
    write_export(path, "id\n")
    for folder in (data_dir(), data_dir() / "exports"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    link = path.with_name("planted.csv")
    link.symlink_to(victim)
    for overwrite in (False, True):
        with pytest.raises(UserFacingError, match="symbolic link|already exists"):
            write_export(link, "id\n", overwrite=overwrite)
    assert victim.read_text() == "keep me"
    assert os.path.islink(link)
