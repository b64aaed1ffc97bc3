"""Opening the store: engine, per-connection pragmas, write transactions and the schema version.

This module and `store.bulk_load` (the importer's inserts) are the only ones that know which database they
talk to; everything above them writes portable SQL.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, Table, create_engine, event, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DatabaseError
from sqlalchemy.pool import NullPool

from ..config import StoreLocation, make_private_folders
from ..errors import ReadOnlyStore, StoreError
from ..safe_text import visible
from . import tables
from .bulk_load import mark_rollups_visible, refresh_statistics
from .tables import SCHEMA_VERSION

BUSY_TIMEOUT_MS = 30_000
SQLITE_DEFAULT_CACHE_KIB = 2_000
SQLITE_BULK_CACHE_KIB = 24_576
"""The page cache of an importing SQLite connection: big enough to hold the hot parts of the indexes that a
bulk insert touches, small enough to keep the import process well under 200 MB."""


class Store:
    """A handle on one store (a SQLite file or a PostgreSQL database), schema checked and ready."""

    def __init__(self, location: StoreLocation, *, read_only: bool = False) -> None:
        self.location = location
        self.read_only = read_only
        self.engine = _make_engine(location, read_only)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # The importer's bulk loaders talk to the driver directly, so its own errors arrive unwrapped too.
        self._driver_faults: tuple[type[Exception], ...] = (DatabaseError, _driver_error_class(self.is_sqlite))
        self.upgrade_note: str | None = None  # set when opening migrated an older store
        try:
            self._prepare_schema()
        except BaseException:
            self.engine.dispose()
            raise

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads; one consistent snapshot for the block (SQLite's read transaction keeps the
        snapshot of its first read; PostgreSQL's default READ COMMITTED would take one per statement, so an
        import committed between two queries of a drill-down would show in the second only)."""
        try:
            with self.engine.connect() as conn:
                if not self.is_sqlite:
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except self._driver_faults as exc:
            raise self._fault(exc) from exc

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed when the block ends and rolled back on any exception.

        On SQLite it starts with BEGIN IMMEDIATE, so a read-then-write never fails with
        "database is locked" when another writer committed in between; the busy timeout waits instead.
        """
        with self._write(bulk=False) as conn:
            yield conn

    @contextmanager
    def bulk_write(self) -> Iterator[Connection]:
        """A write transaction for an import: as `write`, one at a time, with the backend tuned for bulk loading.

        One at a time, so event sequence numbers never interleave with another import's (SQLite's
        BEGIN IMMEDIATE serialises writers already; PostgreSQL takes an advisory lock). SQLite gets a
        larger page cache and no per-row foreign-key lookups for the duration (both set back afterwards, as
        pooled connections are reused); PostgreSQL more memory for the GROUP BYs that roll up an
        overlapping re-import, and once committed a vacuum of what the review reads (`mark_rollups_visible`).
        """
        with self._write(bulk=True) as conn:
            yield conn

    @contextmanager
    def _write(self, *, bulk: bool) -> Iterator[Connection]:
        if self.read_only:
            raise ReadOnlyStore(f"{self.location.display} is open read-only; nothing can be written")
        try:
            with self.engine.connect() as conn:
                tune_sqlite = bulk and self.is_sqlite
                if tune_sqlite:  # outside the transaction, before BEGIN
                    _sqlite_bulk_pragmas(conn.connection.dbapi_connection, on=True)
                try:
                    conn = conn.execution_options(trialstack_write=True)
                    with conn.begin():
                        if bulk and not self.is_sqlite:
                            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7412002)")
                            conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
                        yield conn
                    if bulk:
                        mark_rollups_visible(conn)  # committed: what it wrote, marked visible to all (PostgreSQL)
                finally:
                    if tune_sqlite:
                        _sqlite_bulk_pragmas(conn.connection.dbapi_connection, on=False)
        except self._driver_faults as exc:
            raise self._fault(exc) from exc

    def _fault(self, exc: Exception) -> StoreError:
        """One line for a fault of the database itself (a damaged file, a full disk), never a driver dump.

        Every write is one transaction, so when it fails the store is as it was before it.
        """
        if _disk_is_full(exc):
            return StoreError(f"{self.location.display}: the disk is full; nothing was written, the store is unchanged")
        return StoreError(f"{self.location.display}: {_short(exc)}")

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
                stored = _stored_version(probe, self.location.display)
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
        backup = None
        if stored is not None and stored < SCHEMA_VERSION and self.location.path is not None:
            backup = _backup_sqlite(self.engine, self.location.path, stored)
        with self.write() as conn:
            if not self.is_sqlite:
                # Two processes creating the schema at once would race on PostgreSQL's catalog.
                conn.execute(text("SELECT pg_advisory_xact_lock(7412001)"))
            stored = _stored_version(conn, self.location.display)
            tables.metadata.create_all(conn)
            if stored is None:
                conn.execute(
                    tables.Meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION))
                )
            elif stored < SCHEMA_VERSION:
                _migrate(conn, stored)
                kept = f"; the schema-{stored} store was copied to {backup} first" if backup else ""
                self.upgrade_note = f"upgraded {self.location.display} from schema {stored} to {SCHEMA_VERSION}{kept}"


def _backup_sqlite(engine: Engine, path: Path, stored: int) -> Path:
    """Copy the store (a consistent snapshot, through SQLite's backup API) before migrating it; 0600."""
    target = path.with_name(f"{path.name}.schema{stored}-{datetime.now():%Y%m%d-%H%M%S}.bak")
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    with engine.connect() as conn:
        source = conn.connection.dbapi_connection
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    return target


def _migrate(conn: Connection, stored: int) -> None:
    """Bring an older store up to SCHEMA_VERSION, one step at a time, in the opening transaction."""
    if stored < 2:
        # Version 2 added daily_org_user (created above by create_all): fill it from daily_user.
        conn.execute(
            text(
                "INSERT INTO daily_org_user (day, org_id, user_id, events) "
                "SELECT day, org_id, user_id, SUM(events) FROM daily_user GROUP BY day, org_id, user_id"
            )
        )
        # ... and replaced daily_user's (org_id, day) index by a covering one.
        conn.execute(text("DROP INDEX IF EXISTS ix_daily_user_org_day"))
        _create_indexes(conn, tables.DailyUser)
    if stored < 3:
        # Version 3 added daily_org (created above by create_all): fill it from daily_usage.
        conn.execute(
            text("INSERT INTO daily_org (day, org_id, events) SELECT day, org_id, SUM(events) FROM daily_usage GROUP BY day, org_id")
        )
    if stored < 4:
        # Version 4 indexes the per-org rollups by (org_id, day); daily_usage's org_id index is its prefix.
        conn.execute(text("DROP INDEX IF EXISTS ix_daily_usage_org_id"))
        _create_indexes(conn, tables.DailyUsage, tables.DailyOrg, tables.DailyOrgUser)
    if stored < 5:
        # Version 5 added workflow_user (created above by create_all): fill it from daily_user.
        conn.execute(
            text(
                "INSERT INTO workflow_user (workflow_id, user_id, org_id, first_day, last_day) "
                "SELECT workflow_id, user_id, MIN(org_id), MIN(day), MAX(day) FROM daily_user "
                "GROUP BY workflow_id, user_id"
            )
        )
    # An import leaves planner statistics of what it wrote, which a store imported before may never have had.
    refresh_statistics(conn)
    conn.execute(
        tables.Meta.update()
        .where(tables.Meta.c.key == "schema_version")
        .values(value=str(SCHEMA_VERSION))
    )


def _create_indexes(conn: Connection, *of_tables: Table) -> None:
    """The declared indexes of tables that exist already (`create_all` makes those of new tables only)."""
    for table in of_tables:
        for index in table.indexes:
            index.create(conn, checkfirst=True)


def _stored_version(conn: Connection, display: str) -> int | None:
    """The store's schema version; None for a store with no trialstack tables yet.

    A value no trialstack-tui ever wrote is refused before anything (a backup, a migration) is attempted.
    """
    if not inspect(conn).has_table("meta"):
        return None
    value = conn.execute(select(tables.Meta.c.value).where(tables.Meta.c.key == "schema_version")).scalar()
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and int(value) >= 1):
        raise StoreError(
            f"{display}: not a usable trialstack store (its schema_version is {visible(value)[:40]!r}, "
            "not a version trialstack-tui writes); nothing was changed"
        )
    return int(value)


def _driver_error_class(is_sqlite: bool) -> type[Exception]:
    if is_sqlite:
        return sqlite3.Error
    import psycopg

    return psycopg.Error


def _disk_is_full(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, sqlite3.Error):
        return getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return getattr(orig, "sqlstate", None) == "53100"  # PostgreSQL's disk_full


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
        engine = create_engine("sqlite://", creator=lambda: _read_only_connection(path), poolclass=NullPool)
    else:
        _refuse_a_foreign_file(path)
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


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that never writes. `mode=ro` first; where even that cannot open the store (a WAL store on
    a read-only filesystem or folder: its `-shm` index cannot be made), `immutable=1`, which reads the file
    without any locking or index, safe there because nothing can write the store either."""
    uri = f"file:{quote(str(path))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")  # the file is opened at the first read
        return conn
    except sqlite3.OperationalError:
        conn.close()
    return sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False)


def _refuse_a_foreign_file(path: Path) -> None:
    """Look before touching: a file that is not a trialstack store (another program's database, or no
    database at all) is refused before any PRAGMA, table or journal mode could change it."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        probe = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        try:
            found = {name for (name,) in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            ours = "meta" in found and probe.execute(
                "SELECT 1 FROM meta WHERE key = 'schema_version'"
            ).fetchone() is not None
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a trialstack store ({_short(exc)}); nothing was changed") from exc
    if found and not ours:
        names = ", ".join(sorted(found)[:5]) + (", …" if len(found) > 5 else "")
        raise StoreError(f"{path}: not a trialstack store (it holds other tables: {names}); nothing was changed")


def _sqlite_bulk_pragmas(dbapi_conn: sqlite3.Connection, *, on: bool) -> None:
    """Tune a connection for one bulk transaction (on) and set it back (off); only valid outside a transaction.

    The importer checks every parent id itself (an unknown one is a `file:line` error), so SQLite's
    per-row foreign-key lookups are switched off for the bulk transaction: about a tenth of the insert time.
    """
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_BULK_CACHE_KIB if on else SQLITE_DEFAULT_CACHE_KIB}")
    cursor.execute(f"PRAGMA foreign_keys={'OFF' if on else 'ON'}")
    cursor.close()


def _server_engine(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True)


def _ensure_private_file(path: Path) -> None:
    """Create the folder (0700) and the database file (0600) so the store is readable by its owner only."""
    folder = path.parent
    try:
        make_private_folders(folder)
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
