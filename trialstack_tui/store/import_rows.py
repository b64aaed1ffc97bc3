"""Reading import files (CONTRACT §1): CSV / JSONL rows, the field rules, and the fast event stream.

Only the standard library is imported here, so the process that reads a large events file in parallel with
the database writer starts quickly and small.

Every rule has one precise implementation (`parse_event` and the field parsers), which produces the
`file:line: field: problem` messages. CSV events also have a fast path for the common shape of a row (plain
unquoted CSV, a naive `YYYY-MM-DDTHH:MM:SS` timestamp, exact lower-case kinds); any row the fast path does
not accept goes through the precise rules, so both paths accept and reject exactly the same rows.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from ..errors import ImportFailed
from ..limits import FIRST_DAY, LAST_DAY, MAX_ID_CHARS, MAX_NUMBER, MAX_TEXT_CHARS, MAX_WHOLE, date_problem

EVENT_KINDS = ("manual", "ai", "queue")
OUTCOMES = ("ok", "error", "accepted", "rejected")
CHANGE_KINDS = ("rollout", "process", "training", "plan")
REVIEW_OUTCOMES = ("accepted", "rejected")
EVENT_REQUIRED = ("event_id", "ts", "workflow_id", "user_id", "kind", "outcome")
EVENT_OPTIONAL = ("credits",)
EVENT_FIELDS = (*EVENT_REQUIRED, *EVENT_OPTIONAL)
PROGRESS_EVERY_LINES = 16_384
_WHOLE = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""Numbers as exports write them: ASCII digits, an optional minus (refused with "must be ≥ 0"), a decimal
point and exponent for credits. Python's int() and float() also take `١٢`, `1_000`, `+3` and `inf`: not here."""
CSV_FIELD_LIMIT = 1 << 20
"""The csv module's own limit (its default is 128 KB): above every field rule below, so the field rules, not
the reader, decide, and one rule holds for quoted and unquoted fields alike."""
csv.field_size_limit(CSV_FIELD_LIMIT)
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}

ParsedEvent = tuple[str, str, str, str, str, str, str, str, float]
"""An event as stored: event_id, ts ('YYYY-MM-DD HH:MM:SS[.ffffff]', UTC), day ('YYYY-MM-DD'), org_id,
workflow_id, user_id, kind, outcome, credits."""


class RowError(Exception):
    """One invalid field; turned into `file:line: field: problem` by the reader that saw it."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(problem)
        self.field_name = field_name
        self.problem = problem


# --------------------------------------------------------------------------- line and row readers


class _ByteCountingLines:
    """Iterates a binary file's lines as text, decoding each with its line number for error messages."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None], handle=None) -> None:
        self.path = path
        self.on_bytes = on_bytes
        self.line_no = 0
        self.handle = handle

    def __iter__(self) -> Iterator[str]:
        if self.handle is not None:
            yield from self._lines(self.handle)
            return
        with self.path.open("rb") as handle:
            yield from self._lines(handle)

    def _lines(self, handle) -> Iterator[str]:
        done = 0
        for raw in handle:
            self.line_no += 1
            done += len(raw)
            if self.line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            yield decode_line(self.path, self.line_no, raw)
            if self.line_no % 1024 == 0:
                self.on_bytes(done)
        self.on_bytes(done)


def decode_line(path: Path, line_no: int, raw: bytes) -> str:
    """One line as text, or `file:line: line: not valid UTF-8 …`."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"{path}:{line_no}: line: not valid UTF-8 (byte 0x{raw[exc.start]:02x} "
            f"at column {exc.start + 1}); save the export as UTF-8"
        ) from None


def read_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...], on_bytes: Callable[[int], None]
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Open one file; return its unknown columns and an iterator of (line number, row as strings)."""
    lines = _ByteCountingLines(path, on_bytes)
    if path.suffix.lower() == ".jsonl":
        return _jsonl_unknown_fields(path, required, optional), _jsonl_rows(path, lines, required)
    header, reader = _csv_header(path, lines, required, optional)
    return _unknown_columns(header, required, optional), _csv_records(path, lines, reader, header)


def _csv_header(
    path: Path, lines: _ByteCountingLines, required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[list[str], Any]:
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
    return header, reader


def _jsonl_unknown_fields(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    """JSONL has no header: the fields of the first object stand for it (reported, then ignored).

    A first line that is not a JSON object yields nothing here; the reading pass reports it with its line.
    """
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    first = json.loads(raw.decode("utf-8-sig"))
                except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                    return []
                return _unknown_columns(list(first), required, optional) if isinstance(first, dict) else []
    return []


def _unknown_columns(header: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    known = set(required) | set(optional)
    return [h for h in header if h not in known]


def _csv_records(
    path: Path, lines: _ByteCountingLines, reader: Any, header: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    start = lines.line_no + 1
    try:
        for record in reader:
            if not record or record == [""]:
                start = lines.line_no + 1
                continue
            _check_width(path, start, record, header)
            yield start, dict(zip(header, record, strict=True))
            start = lines.line_no + 1
    except csv.Error as exc:
        raise ImportFailed(f"{path}:{start}: row: {exc}") from None


def _check_width(path: Path, line_no: int, record: list[str], header: list[str]) -> None:
    if len(record) != len(header):
        raise ImportFailed(f"{path}:{line_no}: row: expected {len(header)} fields as in the header, got {len(record)}")


def _jsonl_rows(path: Path, lines: _ByteCountingLines, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    seen_any = False
    for line in lines:
        if not line.strip():
            continue
        seen_any = True
        try:
            obj = json.loads(line.lstrip("\ufeff"))  # a BOM where two exports were joined
        except json.JSONDecodeError as exc:
            raise ImportFailed(f"{path}:{lines.line_no}: line: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise ImportFailed(f"{path}:{lines.line_no}: line: nested too deeply to be an export row") from None
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


def _raw(row: dict[str, str], name: str) -> str:
    """A field's text without surrounding white space and without byte-order marks: a BOM in the middle of a
    file (two exports joined) must not make `e5` and `\ufeffe5` two ids."""
    return row.get(name, "").replace("\ufeff", "").strip()


def text_field(row: dict[str, str], name: str) -> str:
    value = optional_text(row, name)
    if not value:
        raise RowError(name, "must not be empty")
    return value


def optional_text(row: dict[str, str], name: str) -> str | None:
    value = _raw(row, name)
    if "\x00" in value:  # PostgreSQL text cannot hold it; refused on SQLite too, so both stores agree
        raise RowError(name, "contains a NUL character (\\x00)")
    limit = MAX_ID_CHARS if name.endswith("_id") else MAX_TEXT_CHARS
    if len(value) > limit:
        raise RowError(name, f"{len(value):,} characters; at most {limit:,} are allowed")
    return value or None


def int_at_least_zero(row: dict[str, str], name: str) -> int:
    raw = _raw(row, name)
    if not _WHOLE.fullmatch(raw):
        raise RowError(name, f"expected a whole number ≥ 0 in digits 0-9, got {raw[:40]!r}")
    value = int(raw)
    if value < 0:
        raise RowError(name, f"must be ≥ 0, got {value}")
    if value > MAX_WHOLE:
        raise RowError(name, f"must be at most {MAX_WHOLE:,}, got {raw[:40]}")
    return value


def number_at_least_zero(row: dict[str, str], name: str, *, empty_is_zero: bool = False) -> float:
    raw = _raw(row, name)
    if not raw and empty_is_zero:
        return 0.0
    if raw.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise RowError(name, f"expected a finite number ≥ 0, got {raw!r}")
    if not _NUMBER.fullmatch(raw):
        raise RowError(name, f"expected a number ≥ 0 in digits 0-9, got {raw[:40]!r}")
    value = float(raw)
    if value < 0:
        raise RowError(name, f"must be ≥ 0, got {raw}")
    if value > MAX_NUMBER:
        raise RowError(name, f"must be at most {MAX_NUMBER:,.0f}, got {raw[:40]}")
    return value


def bool_field(row: dict[str, str], name: str) -> bool:
    raw = _raw(row, name).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise RowError(name, f"expected true/false, 1/0 or yes/no, got {row.get(name, '')!r}")


def date_field(row: dict[str, str], name: str, *, optional: bool = False) -> date | None:
    raw = _raw(row, name)
    if not raw and optional:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise RowError(name, f"expected an ISO date like 2026-10-31, got {raw[:40]!r}") from None
    if problem := date_problem(value):
        raise RowError(name, problem)
    return value


def timestamp_field(row: dict[str, str], name: str) -> datetime:
    raw = _raw(row, name)
    try:
        value = datetime.fromisoformat(raw)
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: an offset that moves it past year 1 or 9999
        raise RowError(name, f"expected an ISO 8601 timestamp like 2026-10-31T14:05:00Z, got {raw[:40]!r}") from None
    if problem := date_problem(value.date()):
        raise RowError(name, problem)
    return value


def choice_field(row: dict[str, str], name: str, allowed: tuple[str, ...]) -> str:
    raw = _raw(row, name)
    value = raw.lower()
    if value not in allowed:
        raise RowError(name, f"expected one of {', '.join(allowed)}, got {raw[:40]!r}")
    return value


# --------------------------------------------------------------------------- events


def parse_event(workflow_org: dict[str, str], row: dict[str, str]) -> ParsedEvent:
    """The precise rules for one event row; raises RowError naming the first bad field."""
    event_id = text_field(row, "event_id")
    ts = timestamp_field(row, "ts")
    workflow_id = text_field(row, "workflow_id")
    org_id = workflow_org.get(workflow_id)
    if org_id is None:
        raise RowError("workflow_id", f"unknown workflow {workflow_id!r}")
    user_id = text_field(row, "user_id")
    kind = choice_field(row, "kind", EVENT_KINDS)
    outcome = choice_field(row, "outcome", OUTCOMES)
    if outcome in REVIEW_OUTCOMES and kind != "ai":
        raise RowError("outcome", f"{outcome!r} is the review outcome of an AI event; this event's kind is {kind!r}")
    credits = number_at_least_zero(row, "credits", empty_is_zero=True)
    return (event_id, ts.isoformat(" "), ts.date().isoformat(), org_id, workflow_id, user_id, kind, outcome, credits)


_KIND_OF = {kind: kind for kind in EVENT_KINDS}  # exact spelling → the one shared string object
_OUTCOME_OF = {outcome: outcome for outcome in OUTCOMES}
_REVIEWED = frozenset(REVIEW_OUTCOMES)


def event_batches(
    path: Path, workflow_org: dict[str, str], on_bytes: Callable[[int], None], batch_size: int
) -> tuple[list[str], Iterator[list[ParsedEvent]]]:
    """Open an events file; return its unknown columns and an iterator of validated batches.

    Raises ImportFailed with `file:line: field: problem` on the first invalid row; no batch after it is
    produced. Memory holds one batch at a time.
    """
    if path.suffix.lower() == ".jsonl":
        lines = _ByteCountingLines(path, on_bytes)
        unknown = _jsonl_unknown_fields(path, EVENT_REQUIRED, EVENT_OPTIONAL)
        return unknown, _jsonl_event_batches(path, lines, workflow_org, batch_size)
    handle = path.open("rb")
    try:
        lines = _ByteCountingLines(path, on_bytes, handle)
        header, _reader = _csv_header(path, lines, EVENT_REQUIRED, EVENT_OPTIONAL)
    except BaseException:
        handle.close()
        raise
    unknown = _unknown_columns(header, EVENT_REQUIRED, EVENT_OPTIONAL)
    return unknown, _csv_event_batches(path, handle, lines.line_no, header, workflow_org, on_bytes, batch_size)


def _jsonl_event_batches(
    path: Path, lines: _ByteCountingLines, workflow_org: dict[str, str], batch_size: int
) -> Iterator[list[ParsedEvent]]:
    batch: list[ParsedEvent] = []
    for line_no, row in _jsonl_rows(path, lines, EVENT_REQUIRED):
        batch.append(_precise_event(path, line_no, row, workflow_org))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _precise_event(path: Path, line_no: int, row: dict[str, str], workflow_org: dict[str, str]) -> ParsedEvent:
    try:
        return parse_event(workflow_org, row)
    except RowError as exc:
        raise ImportFailed(f"{path}:{line_no}: {exc.field_name}: {exc.problem}") from None


def _csv_event_batches(
    path: Path,
    handle,
    line_no: int,
    header: list[str],
    workflow_org: dict[str, str],
    on_bytes: Callable[[int], None],
    batch_size: int,
) -> Iterator[list[ParsedEvent]]:
    """The CSV events after the header: the fast path inline, the precise rules for any row it declines.

    The fast path takes a plain line (no quote, stray CR, NUL or BOM: those go through the csv module; no
    longer than an id may be, so no field of it is too long) split on commas, with no white space around
    the ids, the exact lower-case kind and outcome, a naive `YYYY-MM-DDTHH:MM:SS` timestamp in the usable
    years (stored as `YYYY-MM-DD HH:MM:SS`, as `parse_event` stores it) and credits written as plain
    digits with at most one decimal point, up to the limit. Anything else, valid or not, is decided by
    `parse_event`, so both paths accept and reject exactly the same rows. Repeated values (workflow, org, kind, outcome, day) come out
    as one shared string each, which keeps batches small in memory and quick to pickle.
    """
    width = len(header)
    if "credits" in header:
        pick = itemgetter(*(header.index(name) for name in EVENT_FIELDS))
    else:
        required = itemgetter(*(header.index(name) for name in EVENT_REQUIRED))

        def pick(record: list[str]) -> tuple[str, ...]:
            return (*required(record), "")

    workflows = {workflow_id: (workflow_id, org_id) for workflow_id, org_id in workflow_org.items()}
    workflow_of, kind_of, outcome_of = workflows.get, _KIND_OF.get, _OUTCOME_OF.get
    reviewed, fromisoformat, most = _REVIEWED, datetime.fromisoformat, MAX_NUMBER
    first_year, last_year = f"{FIRST_DAY.year:04d}", f"{LAST_DAY.year:04d}"  # the limits are whole years
    day_of = {}.setdefault
    batch: list[ParsedEvent] = []
    append = batch.append
    next_progress = line_no + PROGRESS_EVERY_LINES
    with handle:
        lines = iter(handle)
        for raw in lines:
            line_no += 1
            start = line_no
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                decode_line(path, line_no, raw)  # raises with the byte and column
            # the precise rules decide this row (they name the fault, strip a BOM, measure long fields)
            precise = "\x00" in line or "\ufeff" in line or len(line) > MAX_ID_CHARS
            if '"' in line or "\r" in line or precise:
                record, line_no = _quoted_record(path, line_no, raw, lines)
                if record is None:
                    continue
            elif not line:
                continue
            else:
                record = line.split(",")
            if len(record) != width:
                _check_width(path, start, record, header)
            event_id, ts, workflow_id, user_id, kind, outcome, credits = pick(record)
            workflow = workflow_of(workflow_id)
            kind = kind_of(kind)
            outcome = outcome_of(outcome)
            row = None
            if not (
                precise
                or workflow is None
                or kind is None
                or outcome is None
                or (outcome in reviewed and kind != "ai")
                or not event_id
                or not user_id
                or len(ts) != 19
                or ts[4::3] != "--T::"  # the separators of YYYY-MM-DDTHH:MM:SS
                or not first_year <= ts[:4] <= last_year
                or not (not credits or (credits.isascii() and credits.replace(".", "", 1).isdigit()))
                or event_id.strip() != event_id
                or user_id.strip() != user_id
            ):
                try:
                    fromisoformat(ts)  # 19 characters with those separators: naive, whole seconds
                    amount = float(credits) if credits else 0.0
                except ValueError:
                    amount = -1.0
                if 0.0 <= amount <= most:
                    day = ts[:10]
                    day = day_of(day, day)
                    row = (event_id, day + " " + ts[11:], day, workflow[1], workflow[0], user_id, kind, outcome, amount)
            append(row or _precise_event(path, start, dict(zip(header, record)), workflow_org))
            if len(batch) >= batch_size:
                yield batch
                batch = []
                append = batch.append
            if line_no >= next_progress:
                on_bytes(handle.tell())
                next_progress = line_no + PROGRESS_EVERY_LINES
        if batch:
            yield batch
        on_bytes(handle.tell())


def _quoted_record(path: Path, line_no: int, raw: bytes, lines: Iterator[bytes]) -> tuple[list[str] | None, int]:
    """One CSV record that needs the csv module (quotes, stray CR or NUL), spanning lines while a quote is open.

    Returns the record (None for a blank one) and the number of the last line it used.
    """
    start = line_no
    parts = [decode_line(path, line_no, raw)]
    while sum(part.count('"') for part in parts) % 2:
        more = next(lines, None)
        if more is None:
            break
        line_no += 1
        parts.append(decode_line(path, line_no, more))
    try:
        records = list(csv.reader(parts, strict=True))
    except csv.Error as exc:
        raise ImportFailed(f"{path}:{start}: row: {exc}") from None
    records = [r for r in records if r and r != [""]]
    if not records:
        return None, line_no
    if len(records) > 1:
        raise ImportFailed(f"{path}:{start}: row: more than one record on one line (a stray carriage return?)")
    return records[0], line_no
