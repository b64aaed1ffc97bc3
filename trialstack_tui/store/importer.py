"""Import CSV / JSONL exports (CONTRACT §1): every row validated, one transaction per run, idempotent.

Events stream through in batches so memory does not grow with the file; the daily rollups are brought up
to date from exactly the events this run added, inside the same transaction.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, text

from ..errors import ImportFailed
from . import tables
from .engine import Store

FILE_ORDER = ("organizations", "workspaces", "workflows", "users", "events", "changes")
EVENT_KINDS = ("manual", "ai", "queue")
OUTCOMES = ("ok", "error", "accepted", "rejected")
CHANGE_KINDS = ("rollout", "process", "training", "plan")
REVIEW_OUTCOMES = ("accepted", "rejected")
EVENT_BATCH = 5_000
PROGRESS_EVERY = 20_000
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}

ProgressCallback = Callable[[str, int, int], None]
"""Called as (file label, bytes read, file size) while a file streams in."""


@dataclass
class FileResult:
    """What one file contributed: rows added, updated and skipped, and columns the format does not know."""

    path: Path
    kind: str
    added: int = 0
    updated: int = 0
    skipped: int = 0
    unknown_columns: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileResult]

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)


class RowError(Exception):
    """One invalid field; turned into `file:line: field: problem` by the reader that saw it."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(problem)
        self.field_name = field_name
        self.problem = problem


# --------------------------------------------------------------------------- discovery


def discover(path: Path) -> list[tuple[str, Path]]:
    """The importable files under PATH (a folder or one file), in parent-first load order."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    found: list[tuple[str, Path]] = []
    for candidate in candidates:
        kind = _kind_of(candidate)
        if kind is not None:
            found.append((kind, candidate))
        elif path.is_file():
            raise ImportFailed(
                f"{path}: not an import file; expected a .csv or .jsonl named after one of: "
                + ", ".join(FILE_ORDER)
            )
    if not found:
        raise ImportFailed(f"{path}: no import files found (expected e.g. organizations.csv, events.jsonl)")
    return sorted(found, key=lambda item: (FILE_ORDER.index(item[0]), item[1].name))


def _kind_of(path: Path) -> str | None:
    if path.suffix.lower() not in (".csv", ".jsonl"):
        return None
    stem = path.stem.lower()
    for kind in FILE_ORDER:
        if stem == kind or (stem.startswith(kind) and stem[len(kind)] in "-_."):
            return kind
    return None


# --------------------------------------------------------------------------- readers


class _ByteCountingLines:
    """Iterates a binary file's lines as text, decoding each with its line number for error messages."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None]) -> None:
        self.path = path
        self.on_bytes = on_bytes
        self.line_no = 0

    def __iter__(self) -> Iterator[str]:
        done = 0
        with self.path.open("rb") as handle:
            for raw in handle:
                self.line_no += 1
                done += len(raw)
                if self.line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise ImportFailed(
                        f"{self.path}:{self.line_no}: line: not valid UTF-8 (byte 0x{raw[exc.start]:02x} "
                        f"at column {exc.start + 1}); save the export as UTF-8"
                    ) from None
                if self.line_no % 1024 == 0:
                    self.on_bytes(done)
                yield line
        self.on_bytes(done)


def read_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...], on_bytes: Callable[[int], None]
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Open one file; return its unknown columns and an iterator of (line number, row as strings)."""
    lines = _ByteCountingLines(path, on_bytes)
    if path.suffix.lower() == ".jsonl":
        return [], _jsonl_rows(path, lines, required, optional)
    return _csv_rows(path, lines, required, optional)


def _csv_rows(
    path: Path, lines: _ByteCountingLines, required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    reader = csv.reader(iter(lines), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed(f"{path}:1: header: the file is empty; expected a header row") from None
    except csv.Error as exc:
        raise ImportFailed(f"{path}:1: header: {exc}") from None
    header = [h.strip() for h in header]
    missing = [name for name in required if name not in header]
    if missing:
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
            hint = " (the file seems to use another delimiter; fields must be separated by commas)"
        raise ImportFailed(f"{path}:1: {missing[0]}: missing required column{hint}")
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ImportFailed(f"{path}:1: {duplicated[0]}: column appears more than once")
    known = set(required) | set(optional)
    unknown = [h for h in header if h not in known]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        start = lines.line_no + 1
        try:
            for record in reader:
                if not record or record == [""]:
                    start = lines.line_no + 1
                    continue
                if len(record) != len(header):
                    raise ImportFailed(
                        f"{path}:{start}: row: expected {len(header)} fields as in the header, got {len(record)}"
                    )
                yield start, dict(zip(header, record, strict=True))
                start = lines.line_no + 1
        except csv.Error as exc:
            raise ImportFailed(f"{path}:{start}: row: {exc}") from None

    return unknown, rows()


def _jsonl_rows(
    path: Path, lines: _ByteCountingLines, required: tuple[str, ...], optional: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    seen_any = False
    for line in lines:
        if not line.strip():
            continue
        seen_any = True
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFailed(f"{path}:{lines.line_no}: line: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise ImportFailed(
                f"{path}:{lines.line_no}: line: expected a JSON object, got {type(obj).__name__}"
            )
        for name in required:
            if name not in obj:
                raise ImportFailed(f"{path}:{lines.line_no}: {name}: missing required field")
        yield lines.line_no, {k: _json_scalar(path, lines.line_no, k, v) for k, v in obj.items()}
    if not seen_any:
        raise ImportFailed(f"{path}:1: line: the file is empty; expected one JSON object per line")


def _json_scalar(path: Path, line_no: int, key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise ImportFailed(f"{path}:{line_no}: {key}: expected a string, number or boolean")


# --------------------------------------------------------------------------- field parsers


def _text(row: dict[str, str], name: str) -> str:
    value = row.get(name, "").strip()
    if not value:
        raise RowError(name, "must not be empty")
    return value


def _optional_text(row: dict[str, str], name: str) -> str | None:
    value = row.get(name, "").strip()
    return value or None


def _int_at_least_zero(row: dict[str, str], name: str) -> int:
    raw = row.get(name, "").strip()
    try:
        value = int(raw)
    except ValueError:
        raise RowError(name, f"expected a whole number ≥ 0, got {raw!r}") from None
    if value < 0:
        raise RowError(name, f"must be ≥ 0, got {value}")
    return value


def _number_at_least_zero(row: dict[str, str], name: str, *, empty_is_zero: bool = False) -> float:
    raw = row.get(name, "").strip()
    if not raw and empty_is_zero:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise RowError(name, f"expected a number ≥ 0, got {raw!r}") from None
    if not math.isfinite(value):
        raise RowError(name, f"expected a finite number ≥ 0, got {raw!r}")
    if value < 0:
        raise RowError(name, f"must be ≥ 0, got {raw}")
    return value


def _bool(row: dict[str, str], name: str) -> bool:
    raw = row.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise RowError(name, f"expected true/false, 1/0 or yes/no, got {row.get(name, '')!r}")


def _date(row: dict[str, str], name: str, *, optional: bool = False) -> date | None:
    raw = row.get(name, "").strip()
    if not raw and optional:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RowError(name, f"expected an ISO date like 2026-10-31, got {raw!r}") from None


def _timestamp(row: dict[str, str], name: str) -> datetime:
    raw = row.get(name, "").strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise RowError(name, f"expected an ISO 8601 timestamp like 2026-10-31T14:05:00Z, got {raw!r}") from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _choice(row: dict[str, str], name: str, allowed: tuple[str, ...]) -> str:
    raw = row.get(name, "").strip()
    value = raw.lower()
    if value not in allowed:
        raise RowError(name, f"expected one of {', '.join(allowed)}, got {raw!r}")
    return value


# --------------------------------------------------------------------------- the run


@dataclass
class _Known:
    """Ids known so far (stored, or seen earlier in this run) for parent checks."""

    orgs: set[str]
    workspace_org: dict[str, str]
    workflow_org: dict[str, str]


class _Run:
    def __init__(self, conn: Connection, progress: ProgressCallback | None) -> None:
        self.conn = conn
        self.progress = progress
        self.known = _Known(
            orgs=set(conn.execute(select(tables.Organization.org_id)).scalars()),
            workspace_org=dict(conn.execute(select(tables.Workspace.workspace_id, tables.Workspace.org_id)).all()),
            workflow_org=dict(
                conn.execute(
                    select(tables.Workflow.workflow_id, tables.Workspace.org_id).join(
                        tables.Workspace, tables.Workspace.workspace_id == tables.Workflow.workspace_id
                    )
                ).all()
            ),
        )
        self.seen_ids: dict[str, dict[str, tuple[Path, int]]] = {}
        self.first_new_seq: int | None = None

    def load(self, kind: str, path: Path) -> FileResult:
        spec = _SPECS[kind]
        size = path.stat().st_size
        label = path.name

        def on_bytes(done: int) -> None:
            if self.progress is not None:
                self.progress(label, done, size)

        unknown, rows = read_rows(path, spec.required, spec.optional, on_bytes)
        result = FileResult(path=path, kind=kind, unknown_columns=unknown)
        if kind == "events":
            self._load_events(path, rows, result)
        else:
            self._load_reference(kind, path, rows, result)
        return result

    def _validated(self, path: Path, rows: Iterable[tuple[int, dict[str, str]]], parse: Callable) -> Iterator:
        for line_no, row in rows:
            try:
                yield line_no, parse(self, row)
            except RowError as exc:
                raise ImportFailed(f"{path}:{line_no}: {exc.field_name}: {exc.problem}") from None

    def _load_reference(self, kind: str, path: Path, rows: Iterable, result: FileResult) -> None:
        spec = _SPECS[kind]
        table = spec.table.__table__
        key_column = table.c[spec.key]
        existing = {
            r._mapping[spec.key]: tuple(r._mapping[c] for c in spec.columns)
            for r in self.conn.execute(select(*(table.c[c] for c in (spec.key, *spec.columns))))
        }
        seen = self.seen_ids.setdefault(kind, {})
        inserts: list[dict[str, Any]] = []
        for line_no, values in self._validated(path, rows, spec.parse):
            key = values[spec.key]
            if key in seen:
                first_path, first_line = seen[key]
                raise ImportFailed(
                    f"{path}:{line_no}: {spec.key}: duplicate id {key!r} (first on {first_path.name}:{first_line})"
                )
            seen[key] = (path, line_no)
            stored = existing.get(key)
            if stored is None:
                inserts.append(values)
                result.added += 1
            elif stored != tuple(values[c] for c in spec.columns):
                self.conn.execute(table.update().where(key_column == key).values(values))
                result.updated += 1
            else:
                result.skipped += 1
        if inserts:
            self.conn.execute(table.insert(), inserts)

    def _load_events(self, path: Path, rows: Iterable, result: FileResult) -> None:
        if self.first_new_seq is None:
            last = self.conn.execute(select(func.max(tables.Event.seq))).scalar()
            self.first_new_seq = (last or 0) + 1
        columns = ("event_id", "ts", "day", "org_id", "workflow_id", "user_id", "kind", "outcome", "credits")
        marker = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))}) "
            "ON CONFLICT (event_id) DO NOTHING"
        )
        count_before = self._events_from_first_new()
        batch: list[tuple[Any, ...]] = []
        total = 0
        for _line_no, values in self._validated(path, rows, _parse_event):
            batch.append(values)
            total += 1
            if len(batch) >= EVENT_BATCH:
                self.conn.exec_driver_sql(sql, batch)
                batch.clear()
        if batch:
            self.conn.exec_driver_sql(sql, batch)
        result.added = self._events_from_first_new() - count_before
        result.skipped = total - result.added

    def _events_from_first_new(self) -> int:
        return self.conn.execute(
            select(func.count()).select_from(tables.Event).where(tables.Event.seq >= self.first_new_seq)
        ).scalar_one()

    def roll_up(self) -> None:
        """Add the events this run inserted to the daily rollups (one GROUP BY each, in SQL)."""
        if self.first_new_seq is None:
            return
        params = {"since": self.first_new_seq}
        self.conn.execute(text(_ROLLUP_USAGE_SQL), params)
        self.conn.execute(text(_ROLLUP_USERS_SQL), params)


_ROLLUP_USAGE_SQL = """
INSERT INTO daily_usage (day, workflow_id, org_id, events, manual, ai, queue, ok, error, accepted, rejected, credits)
SELECT day, workflow_id, MIN(org_id), COUNT(*),
       SUM(CASE WHEN kind = 'manual' THEN 1 ELSE 0 END),
       SUM(CASE WHEN kind = 'ai' THEN 1 ELSE 0 END),
       SUM(CASE WHEN kind = 'queue' THEN 1 ELSE 0 END),
       SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END),
       SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END),
       SUM(CASE WHEN outcome = 'accepted' THEN 1 ELSE 0 END),
       SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END),
       SUM(credits)
FROM events WHERE seq >= :since
GROUP BY day, workflow_id
ON CONFLICT (day, workflow_id) DO UPDATE SET
  events = daily_usage.events + excluded.events,
  manual = daily_usage.manual + excluded.manual,
  ai = daily_usage.ai + excluded.ai,
  queue = daily_usage.queue + excluded.queue,
  ok = daily_usage.ok + excluded.ok,
  error = daily_usage.error + excluded.error,
  accepted = daily_usage.accepted + excluded.accepted,
  rejected = daily_usage.rejected + excluded.rejected,
  credits = daily_usage.credits + excluded.credits
"""

_ROLLUP_USERS_SQL = """
INSERT INTO daily_user (day, workflow_id, user_id, org_id, events)
SELECT day, workflow_id, user_id, MIN(org_id), COUNT(*)
FROM events WHERE seq >= :since
GROUP BY day, workflow_id, user_id
ON CONFLICT (day, workflow_id, user_id) DO UPDATE SET events = daily_user.events + excluded.events
"""


# --------------------------------------------------------------------------- per-file rules


def _parse_org(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {
        "org_id": _text(row, "org_id"),
        "name": _text(row, "name"),
        "plan": _text(row, "plan"),
        "seats": _int_at_least_zero(row, "seats"),
        "included_credits": _number_at_least_zero(row, "included_credits"),
    }
    run.known.orgs.add(values["org_id"])
    return values


def _parse_workspace(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {"workspace_id": _text(row, "workspace_id"), "org_id": _text(row, "org_id"), "name": _text(row, "name")}
    if values["org_id"] not in run.known.orgs:
        raise RowError("org_id", f"unknown organization {values['org_id']!r}")
    run.known.workspace_org[values["workspace_id"]] = values["org_id"]
    return values


def _parse_workflow(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {
        "workflow_id": _text(row, "workflow_id"),
        "workspace_id": _text(row, "workspace_id"),
        "name": _text(row, "name"),
        "area": _text(row, "area"),
        "owner": _text(row, "owner"),
        "ai_assisted": _bool(row, "ai_assisted"),
        "queue_backed": _bool(row, "queue_backed"),
    }
    org_id = run.known.workspace_org.get(values["workspace_id"])
    if org_id is None:
        raise RowError("workspace_id", f"unknown workspace {values['workspace_id']!r}")
    run.known.workflow_org[values["workflow_id"]] = org_id
    return values


def _parse_user(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {
        "user_id": _text(row, "user_id"),
        "org_id": _text(row, "org_id"),
        "role": _text(row, "role"),
        "trained_on": _date(row, "trained_on", optional=True),
    }
    if values["org_id"] not in run.known.orgs:
        raise RowError("org_id", f"unknown organization {values['org_id']!r}")
    return values


def _parse_event(run: _Run, row: dict[str, str]) -> tuple[Any, ...]:
    event_id = _text(row, "event_id")
    ts = _timestamp(row, "ts")
    workflow_id = _text(row, "workflow_id")
    org_id = run.known.workflow_org.get(workflow_id)
    if org_id is None:
        raise RowError("workflow_id", f"unknown workflow {workflow_id!r}")
    user_id = _text(row, "user_id")
    kind = _choice(row, "kind", EVENT_KINDS)
    outcome = _choice(row, "outcome", OUTCOMES)
    if outcome in REVIEW_OUTCOMES and kind != "ai":
        raise RowError("outcome", f"{outcome!r} is the review outcome of an AI event; this event's kind is {kind!r}")
    credits = _number_at_least_zero(row, "credits", empty_is_zero=True)
    return (event_id, ts, ts.date(), org_id, workflow_id, user_id, kind, outcome, credits)


def _parse_change(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {
        "change_id": _text(row, "change_id"),
        "date": _date(row, "date"),
        "kind": _choice(row, "kind", CHANGE_KINDS),
        "title": _text(row, "title"),
        "org_id": _optional_text(row, "org_id"),
        "workflow_id": _optional_text(row, "workflow_id"),
    }
    if values["org_id"] is not None and values["org_id"] not in run.known.orgs:
        raise RowError("org_id", f"unknown organization {values['org_id']!r}")
    if values["workflow_id"] is not None:
        workflow_org = run.known.workflow_org.get(values["workflow_id"])
        if workflow_org is None:
            raise RowError("workflow_id", f"unknown workflow {values['workflow_id']!r}")
        if values["org_id"] is None:
            values["org_id"] = workflow_org
        elif values["org_id"] != workflow_org:
            raise RowError("workflow_id", f"workflow {values['workflow_id']!r} belongs to org {workflow_org!r}")
    return values


@dataclass(frozen=True)
class _Spec:
    table: type
    key: str
    columns: tuple[str, ...]  # compared to decide updated vs skipped
    required: tuple[str, ...]
    optional: tuple[str, ...]
    parse: Callable[[_Run, dict[str, str]], Any]


_SPECS: dict[str, _Spec] = {
    "organizations": _Spec(
        tables.Organization, "org_id", ("name", "plan", "seats", "included_credits"),
        ("org_id", "name", "plan", "seats", "included_credits"), (), _parse_org,
    ),
    "workspaces": _Spec(
        tables.Workspace, "workspace_id", ("org_id", "name"), ("workspace_id", "org_id", "name"), (), _parse_workspace
    ),
    "workflows": _Spec(
        tables.Workflow, "workflow_id", ("workspace_id", "name", "area", "owner", "ai_assisted", "queue_backed"),
        ("workflow_id", "workspace_id", "name", "area", "owner", "ai_assisted", "queue_backed"), (), _parse_workflow,
    ),
    "users": _Spec(
        tables.User, "user_id", ("org_id", "role", "trained_on"), ("user_id", "org_id", "role"), ("trained_on",),
        _parse_user,
    ),
    "events": _Spec(
        tables.Event, "event_id", (),
        ("event_id", "ts", "workflow_id", "user_id", "kind", "outcome"), ("credits",), _parse_event,
    ),
    "changes": _Spec(
        tables.Change, "change_id", ("date", "kind", "title", "org_id", "workflow_id"),
        ("change_id", "date", "kind", "title", "org_id", "workflow_id"), (), _parse_change,
    ),
}


def import_path(store: Store, path: Path, progress: ProgressCallback | None = None) -> ImportReport:
    """Import every file under PATH in one transaction; on any invalid row nothing is written.

    Raises ImportFailed with `file:line: field: problem`. Ctrl-C (KeyboardInterrupt) rolls back too.
    """
    files = discover(path)
    results: list[FileResult] = []
    with store.write() as conn:
        if not store.is_sqlite:
            # One importer at a time: event sequence numbers must not interleave with another run's.
            conn.execute(text("SELECT pg_advisory_xact_lock(7412002)"))
        run = _Run(conn, progress)
        for kind, file_path in files:
            results.append(run.load(kind, file_path))
        run.roll_up()
    return ImportReport(results)
