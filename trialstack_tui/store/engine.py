"""Opening the store: engine, per-connection pragmas, write transactions and the schema version.

This is the only module that knows which database it talks to; everything above it writes portable SQL.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, event, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from ..config import StoreLocation
from ..errors import ReadOnlyStore, StoreError
from . import tables
from .tables import SCHEMA_VERSION

BUSY_TIMEOUT_MS = 30_000


class Store:
    """A handle on one store (a SQLite file or a PostgreSQL database), schema checked and ready."""

    def __init__(self, location: StoreLocation, *, read_only: bool = False) -> None:
        self.location = location
        self.read_only = read_only
        self.engine = _make_engine(location, read_only)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        try:
            self._prepare_schema()
        except BaseException:
            self.engine.dispose()
            raise

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads; one consistent snapshot for the block."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except OperationalError as exc:
            raise StoreError(f"{self.location.display}: {_short(exc)}") from exc

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed when the block ends and rolled back on any exception.

        On SQLite it starts with BEGIN IMMEDIATE, so a read-then-write never fails with
        "database is locked" when another writer committed in between; the busy timeout waits instead.
        """
        if self.read_only:
            raise ReadOnlyStore(f"{self.location.display} is open read-only; nothing can be written")
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(trialstack_write=True)
                with conn.begin():
                    yield conn
        except OperationalError as exc:
            raise StoreError(f"{self.location.display}: {_short(exc)}") from exc

    def close(self) -> None:
        """Release every pooled connection (SQLite checkpoints its WAL on the last close)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _prepare_schema(self) -> None:
        try:
            with self.engine.connect() as probe:
                stored = _stored_version(probe)
        except DatabaseError as exc:
            raise StoreError(f"{self.location.display}: not a trialstack store ({_short(exc)})") from exc
        if stored is not None and stored > SCHEMA_VERSION:
            raise StoreError(
                f"{self.location.display} was written by a newer trialstack-tui (schema {stored}; "
                f"this version reads up to {SCHEMA_VERSION}); upgrade trialstack-tui to open it"
            )
        if self.read_only:
            if stored is None:
                raise StoreError(f"{self.location.display} holds no trialstack data to browse")
            if stored < SCHEMA_VERSION:
                raise StoreError(
                    f"{self.location.display} has an older schema ({stored}); open it once without "
                    "--read-only to upgrade it"
                )
            return
        with self.write() as conn:
            if not self.is_sqlite:
                # Two processes creating the schema at once would race on PostgreSQL's catalog.
                conn.execute(text("SELECT pg_advisory_xact_lock(7412001)"))
            stored = _stored_version(conn)
            SQLModel.metadata.create_all(conn)
            if stored is None:
                conn.execute(
                    tables.Meta.__table__.insert().values(key="schema_version", value=str(SCHEMA_VERSION))
                )


def _stored_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("meta"):
        return None
    value = conn.execute(select(tables.Meta.value).where(tables.Meta.key == "schema_version")).scalar()
    return int(value) if value is not None else None


def _make_engine(location: StoreLocation, read_only: bool) -> Engine:
    if location.path is None and location.url.startswith("sqlite"):
        raise StoreError("an in-memory SQLite store cannot be shared; give a file path")
    try:
        if location.path is not None:
            return _sqlite_engine(location.path, read_only)
        return _server_engine(location.url)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use store {location.display}: {exc}") from exc


def _sqlite_engine(path: Path, read_only: bool) -> Engine:
    if read_only:
        if not path.exists():
            raise StoreError(f"{path}: no such store to open read-only")
        uri = f"file:{path}?mode=ro"
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30),
            poolclass=NullPool,
        )
    else:
        _ensure_private_file(path)
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Transactions are begun by the "begin" hook below, not by the driver.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a killed process; only power loss can drop the last commits.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("trialstack_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _server_engine(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True)


def _ensure_private_file(path: Path) -> None:
    """Create the folder (0700) and the database file (0600) so the store is readable by its owner only."""
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(parents=True, mode=0o700)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    except OSError as exc:
        raise StoreError(f"cannot create store {path}: {exc.strerror}") from exc
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        raise StoreError(f"cannot write to store {path}: permission denied (try --read-only to browse)")


def _short(exc: Exception) -> str:
    """The driver's own message, without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).splitlines()[0]
