"""Shared fixtures: real stores (a SQLite file, or a PostgreSQL schema of its own) and the sample data."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import textual.constants
from sqlalchemy import create_engine, text

from trialstack_tui.config import StoreLocation, bundled_sample_dir, resolve_store
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path

PG_ADMIN_URL = os.environ.get("TRIALSTACK_TEST_PG", "postgresql+psycopg://root@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user data dir, reads a developer's config.toml or honours their
    TRIALSTACK_DB."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    # The app reads the terminal's colours from TERM/COLORTERM (16 colours turn its contrast filter on);
    # pin them, so snapshots look the same on every machine. tests/app/test_themes.py asks for 16 colours.
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
    monkeypatch.delenv("TRIALSTACK_DB", raising=False)


@pytest.fixture
def sqlite_location(tmp_path: Path) -> StoreLocation:
    return resolve_store(str(tmp_path / "store" / "usage.db"))


@pytest.fixture
def pg_location() -> Iterator[StoreLocation]:
    """A PostgreSQL schema created for this test alone and dropped after it."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    try:
        yield StoreLocation(url=url, path=None, is_default=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest) -> StoreLocation:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    name = "sqlite_location" if request.param == "sqlite" else "pg_location"
    return request.getfixturevalue(name)


@pytest.fixture
def store(location: StoreLocation) -> Iterator[Store]:
    with Store(location) as opened:
        yield opened


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return bundled_sample_dir()


@pytest.fixture(scope="session")
def sample_db_template(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """The bundled sample imported once into a SQLite file; tests copy it."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    with Store(resolve_store(str(path))) as s:
        import_path(s, sample_dir)
    return path


@pytest.fixture
def sample_db(tmp_path: Path, sample_db_template: Path) -> Path:
    """A private copy of the imported sample store."""
    target = tmp_path / "sample.db"
    shutil.copy(sample_db_template, target)
    return target


@pytest.fixture
def sample_store(sample_db: Path) -> Iterator[Store]:
    with Store(resolve_store(str(sample_db))) as s:
        yield s
