"""Import CSV / JSONL exports (CONTRACT §1): every row validated, one transaction per run, idempotent.

Events stream through in batches so memory does not grow with the file; the daily rollups are brought up
to date from exactly the events this run added, inside the same transaction. Reading and validating rows
lives in `store.import_rows`; the backend's bulk insert lives in `store.bulk_load`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select, text

from ..errors import ImportFailed
from ..records import COUNT_FIELDS
from . import queries, tables
from .bulk_load import EventLoader, event_loader, refresh_statistics, upsert_sql
from .engine import Store
from .event_stream import (
    ORG_COLUMNS,
    ORG_USER_COLUMNS,
    USAGE_COLUMNS,
    USER_COLUMNS,
    WORKFLOW_USER_COLUMNS,
    PairDays,
    Message,
    Rows,
    open_event_stream,
)
from .import_rows import (
    CHANGE_KINDS,
    EVENT_KINDS,
    OUTCOMES,
    RowError,
    bool_field,
    choice_field,
    date_field,
    int_at_least_zero,
    number_at_least_zero,
    optional_text,
    read_rows,
    text_field,
)

FILE_ORDER = ("organizations", "workspaces", "workflows", "users", "events", "changes")
EVENT_BATCH = 20_000
"""Events per insert: large enough that per-statement costs vanish, small enough to keep memory flat."""
ROLLUP_EVERY = 50_000
"""New events summed in memory before they are added to the rollup tables."""

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
    ignored: list[Path] = field(default_factory=list)  # files of no known name, left out on request

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)


# --------------------------------------------------------------------------- discovery


def discover(path: Path, *, ignore_unknown: bool = False) -> tuple[list[tuple[str, Path]], list[Path]]:
    """The importable files under PATH (a folder or one file), in parent-first load order, and the files of
    the folder that match no known name (hidden files and Markdown notes such as a README aside: never data).

    Unrecognised files are refused (ImportFailed) unless `ignore_unknown`: `events (1).csv` or
    `organisations.csv` left out in silence would be data never imported.
    """
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    if path.is_file():
        kind = _kind_of(path)
        if kind is None:
            raise ImportFailed(
                f"{path}: not an import file; expected a .csv or .jsonl named after one of: " + ", ".join(FILE_ORDER)
            )
        return [(kind, path)], []
    found: list[tuple[str, Path]] = []
    unknown: list[Path] = []
    for candidate in sorted(p for p in path.iterdir() if p.is_file() and not _is_not_data(p)):
        kind = _kind_of(candidate)
        if kind is not None:
            found.append((kind, candidate))
        else:
            unknown.append(candidate)
    if unknown and not ignore_unknown:
        names = ", ".join(p.name for p in unknown)
        raise ImportFailed(
            f"{path}: files with no known name: {names} (expected a .csv or .jsonl named after one of: "
            f"{', '.join(FILE_ORDER)}); rename them, or pass --ignore-unknown to import the others"
        )
    if not found:
        raise ImportFailed(f"{path}: no import files found (expected e.g. organizations.csv, events.jsonl)")
    return sorted(found, key=lambda item: (FILE_ORDER.index(item[0]), item[1].name)), unknown


def _is_not_data(path: Path) -> bool:
    return path.name.startswith(".") or path.suffix.lower() == ".md"


def _kind_of(path: Path) -> str | None:
    if path.suffix.lower() not in (".csv", ".jsonl"):
        return None
    stem = path.stem.lower()
    for kind in FILE_ORDER:
        if stem == kind or (stem.startswith(kind) and stem[len(kind)] in "-_."):
            return kind
    return None


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
            orgs=set(conn.execute(select(tables.Organization.c.org_id)).scalars()),
            workspace_org=dict(conn.execute(select(tables.Workspace.c.workspace_id, tables.Workspace.c.org_id)).all()),
            workflow_org=dict(
                conn.execute(
                    select(tables.Workflow.c.workflow_id, tables.Workspace.c.org_id).join(
                        tables.Workspace, tables.Workspace.c.workspace_id == tables.Workflow.c.workspace_id
                    )
                ).all()
            ),
        )
        self.seen_ids: dict[str, dict[str, tuple[Path, int]]] = {}

    def load(self, kind: str, path: Path) -> FileResult:
        size = path.stat().st_size
        label = path.name

        def on_bytes(done: int) -> None:
            if self.progress is not None:
                self.progress(label, done, size)

        if kind == "events":
            loader = event_loader(self.conn)
            unknown, messages = open_event_stream(
                path, self.known.workflow_org, EVENT_BATCH, ROLLUP_EVERY, as_copy_text=loader.copy_text
            )
            result = FileResult(path=path, kind=kind, unknown_columns=unknown)
            self.size = size
            self._load_events(loader, messages, result)
            return result
        spec = _SPECS[kind]
        unknown, rows = read_rows(path, spec.required, spec.optional, on_bytes)
        result = FileResult(path=path, kind=kind, unknown_columns=unknown)
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
        table = spec.table
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

    def _load_events(self, loader: EventLoader, messages: Iterable[Message], result: FileResult) -> None:
        """Insert every batch, skipping event ids already stored, and add the new rows to the rollups.

        The reader sums each run of rows (`Totals`); those sums are added to the rollup tables when every
        row of the run was new. A run with skipped rows (an overlapping re-import) is rolled up in SQL from
        exactly the rows it added instead. Either way each rollup row equals a GROUP BY over the events.
        The pairs' first and last days (`PairDays`, after the file) go into `workflow_user` as the reader found
        them when every run was whole, else in SQL from every row the file added.
        """
        total = 0
        since = first = queries.last_event_seq(self.conn)  # the rows of the current run / file come after it
        whole = every_run_whole = True  # every row of the current run / file was new
        for message in messages:
            if isinstance(message, Rows):
                total += message.count
                whole &= loader.insert(message.batch) == message.count
                if self.progress is not None:
                    self.progress(result.path.name, message.done, self.size)
                continue
            if isinstance(message, PairDays):
                if every_run_whole:
                    loader.add_to("workflow_user", rows=message.rows, **_WORKFLOW_USER_MERGE)
                else:
                    sql = upsert_sql(self.conn.dialect.name, "workflow_user", source=_ROLLUP_WORKFLOW_USERS_SOURCE,
                                     **_WORKFLOW_USER_MERGE)
                    self.conn.execute(text(sql), {"since": first})
                continue
            every_run_whole &= whole
            if whole:
                rows = message.rows
                loader.add_to("daily_usage", USAGE_COLUMNS[:2], USAGE_COLUMNS[2:3], USAGE_COLUMNS[3:], rows.usage)
                loader.add_to("daily_user", USER_COLUMNS[:3], USER_COLUMNS[3:4], USER_COLUMNS[4:], rows.users)
                loader.add_to("daily_org_user", ORG_USER_COLUMNS[:3], (), ORG_USER_COLUMNS[3:], rows.org_users)
                loader.add_to("daily_org", ORG_COLUMNS[:2], (), ORG_COLUMNS[2:], rows.orgs)
            else:
                for sql in (_ROLLUP_USAGE_SQL, _ROLLUP_USERS_SQL, _ROLLUP_ORG_USERS_SQL, _ROLLUP_ORGS_SQL):
                    self.conn.execute(text(sql), {"since": since})
            since, whole = queries.last_event_seq(self.conn), True
        if self.progress is not None:
            self.progress(result.path.name, self.size, self.size)  # read to the end
        loader.close()
        result.added = loader.inserted
        result.skipped = total - loader.inserted


_ROLLUP_USAGE_SQL = (  # one SUM per count of COUNT_FIELDS: events, each kind, each outcome, credits
    f"INSERT INTO daily_usage (day, workflow_id, org_id, {', '.join(COUNT_FIELDS)})\n"
    "SELECT day, workflow_id, MIN(org_id), COUNT(*),\n"
    + "".join(f"       SUM(CASE WHEN kind = '{kind}' THEN 1 ELSE 0 END),\n" for kind in EVENT_KINDS)
    + "".join(f"       SUM(CASE WHEN outcome = '{outcome}' THEN 1 ELSE 0 END),\n" for outcome in OUTCOMES)
    + "       SUM(credits)\nFROM events WHERE seq > :since\nGROUP BY day, workflow_id\n"
    "ON CONFLICT (day, workflow_id) DO UPDATE SET\n"
    + ",\n".join(f"  {name} = daily_usage.{name} + excluded.{name}" for name in COUNT_FIELDS)
)

_ROLLUP_USERS_SQL = """
INSERT INTO daily_user (day, workflow_id, user_id, org_id, events)
SELECT day, workflow_id, user_id, MIN(org_id), COUNT(*)
FROM events WHERE seq > :since
GROUP BY day, workflow_id, user_id
ON CONFLICT (day, workflow_id, user_id) DO UPDATE SET events = daily_user.events + excluded.events
"""

_ROLLUP_ORG_USERS_SQL = """
INSERT INTO daily_org_user (day, org_id, user_id, events)
SELECT day, org_id, user_id, COUNT(*)
FROM events WHERE seq > :since
GROUP BY day, org_id, user_id
ON CONFLICT (day, org_id, user_id) DO UPDATE SET events = daily_org_user.events + excluded.events
"""

_WORKFLOW_USER_MERGE = dict(
    keys=WORKFLOW_USER_COLUMNS[:2], kept=WORKFLOW_USER_COLUMNS[2:3], added=(),
    earliest=WORKFLOW_USER_COLUMNS[3:4], latest=WORKFLOW_USER_COLUMNS[4:],
)

_ROLLUP_WORKFLOW_USERS_SOURCE = (
    "SELECT workflow_id, user_id, MIN(org_id), MIN(day), MAX(day) FROM events WHERE seq > :since "
    "GROUP BY workflow_id, user_id"
)

_ROLLUP_ORGS_SQL = """
INSERT INTO daily_org (day, org_id, events)
SELECT day, org_id, COUNT(*)
FROM events WHERE seq > :since
GROUP BY day, org_id
ON CONFLICT (day, org_id) DO UPDATE SET events = daily_org.events + excluded.events
"""


# --------------------------------------------------------------------------- per-file rules


def _parse_org(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {
        "org_id": text_field(row, "org_id"),
        "name": text_field(row, "name"),
        "plan": text_field(row, "plan"),
        "seats": int_at_least_zero(row, "seats"),
        "included_credits": number_at_least_zero(row, "included_credits"),
    }
    run.known.orgs.add(values["org_id"])
    return values


def _parse_workspace(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {
        "workspace_id": text_field(row, "workspace_id"),
        "org_id": text_field(row, "org_id"),
        "name": text_field(row, "name"),
    }
    if values["org_id"] not in run.known.orgs:
        raise RowError("org_id", f"unknown organization {values['org_id']!r}")
    _refuse_a_move("workspace", values["workspace_id"], run.known.workspace_org, values["org_id"], "org_id")
    run.known.workspace_org[values["workspace_id"]] = values["org_id"]
    return values


def _refuse_a_move(kind: str, key: str, org_of: dict[str, str], org_id: str, field_name: str) -> None:
    """A stored workspace or workflow stays in its org: its events and the per-org rollups (active users
    above all) were counted there, so a re-import that puts it in another org is refused, not half applied."""
    stored = org_of.get(key)
    if stored is not None and stored != org_id:
        raise RowError(
            field_name,
            f"{kind} {key!r} belongs to org {stored!r}; this row would move it to org {org_id!r}, which the "
            f"events already counted for {stored!r} cannot follow; import it under a new {kind}_id",
        )


def _parse_workflow(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {
        "workflow_id": text_field(row, "workflow_id"),
        "workspace_id": text_field(row, "workspace_id"),
        "name": text_field(row, "name"),
        "area": text_field(row, "area"),
        "owner": text_field(row, "owner"),
        "ai_assisted": bool_field(row, "ai_assisted"),
        "queue_backed": bool_field(row, "queue_backed"),
    }
    org_id = run.known.workspace_org.get(values["workspace_id"])
    if org_id is None:
        raise RowError("workspace_id", f"unknown workspace {values['workspace_id']!r}")
    _refuse_a_move("workflow", values["workflow_id"], run.known.workflow_org, org_id, "workspace_id")
    run.known.workflow_org[values["workflow_id"]] = org_id
    return values


def _parse_user(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {
        "user_id": text_field(row, "user_id"),
        "org_id": text_field(row, "org_id"),
        "role": text_field(row, "role"),
        "trained_on": date_field(row, "trained_on", optional=True),
    }
    if values["org_id"] not in run.known.orgs:
        raise RowError("org_id", f"unknown organization {values['org_id']!r}")
    return values


def _parse_change(run: _Run, row: dict[str, str]) -> dict[str, Any]:
    values = {
        "change_id": text_field(row, "change_id"),
        "date": date_field(row, "date"),
        "kind": choice_field(row, "kind", CHANGE_KINDS),
        "title": text_field(row, "title"),
        "org_id": optional_text(row, "org_id"),
        "workflow_id": optional_text(row, "workflow_id"),
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
    table: Table
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
    "changes": _Spec(
        tables.Change, "change_id", ("date", "kind", "title", "org_id", "workflow_id"),
        ("change_id", "date", "kind", "title", "org_id", "workflow_id"), (), _parse_change,
    ),
}


def import_path(
    store: Store, path: Path, progress: ProgressCallback | None = None, *, ignore_unknown: bool = False
) -> ImportReport:
    """Import every file under PATH in one transaction; on any invalid row nothing is written.

    Raises ImportFailed with `file:line: field: problem`. Ctrl-C (KeyboardInterrupt) rolls back too. A
    folder holding files of no known name is refused unless `ignore_unknown` (see `discover`).
    """
    files, ignored = discover(path, ignore_unknown=ignore_unknown)
    results: list[FileResult] = []
    with store.bulk_write() as conn:
        run = _Run(conn, progress)
        for kind, file_path in files:
            results.append(run.load(kind, file_path))
        refresh_statistics(conn)
    return ImportReport(results, ignored)
