"""The events of one file as a stream of validated batches and rollup sums, read here or in a helper process.

A large events file is read by a second process, so parsing and validating rows (Python work) runs on one
core while the database writer runs on another. Both ways produce the same messages:

- `Rows(batch, count, done)`: validated EventRows (or, for PostgreSQL, those rows as COPY text), how many,
  and how many bytes of the file have been read;
- `Totals(rows)`: the rollup increments (`RollupRows`) of every row since the previous `Totals`;
- `PairDays(rows)`, last: each (workflow, user) pair of the file with its first and last day.

The writer adds a `Totals` to the rollup tables only if every row it covers was new (none skipped as
already stored); otherwise it rolls those rows up in SQL. Like `store.import_rows`, this module imports only the
standard library, so the helper process starts small and fast.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from ..errors import ImportFailed
from .import_rows import EVENT_KINDS, OUTCOMES, ParsedEvent, event_batches

PARALLEL_FROM_BYTES = 8 << 20
"""Files at least this big are read by a helper process (its start costs about a tenth of a second)."""

_USAGE_KEY = itemgetter(2, 4, 3, 6, 7, 8)  # day, workflow_id, org_id, kind, outcome, credits of an ParsedEvent
_USER_KEY = itemgetter(2, 4, 5, 3)  # day, workflow_id, user_id, org_id
_KIND_COLUMN = {kind: 4 + i for i, kind in enumerate(EVENT_KINDS)}  # index in a daily_usage row
_OUTCOME_COLUMN = {outcome: 7 + i for i, outcome in enumerate(OUTCOMES)}
USAGE_COLUMNS = ("day", "workflow_id", "org_id", "events", *EVENT_KINDS, *OUTCOMES, "credits")
USER_COLUMNS = ("day", "workflow_id", "user_id", "org_id", "events")
ORG_USER_COLUMNS = ("day", "org_id", "user_id", "events")
ORG_COLUMNS = ("day", "org_id", "events")
WORKFLOW_USER_COLUMNS = ("workflow_id", "user_id", "org_id", "first_day", "last_day")


class DailyTotals:
    """Sums a run of events into rollup increments, counting with C-level Counters."""

    def __init__(self) -> None:
        self.usage: Counter[tuple] = Counter()  # credits are part of the key: few distinct amounts per slice
        self.users: Counter[tuple] = Counter()
        self.rows = 0

    def add(self, batch: list[ParsedEvent]) -> None:
        self.usage.update(map(_USAGE_KEY, batch))
        self.users.update(map(_USER_KEY, batch))
        self.rows += len(batch)

    def rollup_rows(self) -> RollupRows:
        """The increments as rows of daily_usage, daily_user, daily_org_user and daily_org."""
        usage: dict[tuple[str, str], list] = {}
        for (day, workflow_id, org_id, kind, outcome, amount), n in self.usage.items():
            row = usage.get((day, workflow_id))
            if row is None:
                row = usage[(day, workflow_id)] = [day, workflow_id, org_id, 0, 0, 0, 0, 0, 0, 0, 0, 0.0]
            row[3] += n
            row[_KIND_COLUMN[kind]] += n
            row[_OUTCOME_COLUMN[outcome]] += n
            row[11] += amount * n
        orgs: Counter[tuple] = Counter()
        for day, _workflow_id, org_id, events, *_counts in usage.values():
            orgs[(day, org_id)] += events
        org_users: Counter[tuple] = Counter()
        for (day, _workflow_id, user_id, org_id), n in self.users.items():
            org_users[(day, org_id, user_id)] += n
        return RollupRows(
            usage=[tuple(row) for row in usage.values()],
            users=[(*key, n) for key, n in self.users.items()],
            org_users=[(*key, n) for key, n in org_users.items()],
            orgs=[(*key, n) for key, n in orgs.items()],
        )


@dataclass
class RollupRows:
    """Increments for the rollup tables, in USAGE_COLUMNS, USER_COLUMNS, ORG_USER_COLUMNS and ORG_COLUMNS order."""

    usage: list[tuple]
    users: list[tuple]
    org_users: list[tuple]
    orgs: list[tuple]


@dataclass
class Rows:
    batch: list[ParsedEvent] | bytes  # the rows, or the rows as COPY text (`copy_text`)
    count: int  # rows in the batch
    done: int  # bytes of the file read so far


@dataclass
class Totals:
    """The rollup increments of every row since the previous Totals."""

    rows: RollupRows


@dataclass
class PairDays:
    """Each (workflow, user) pair of the file with its first and last day, in WORKFLOW_USER_COLUMNS order, sent
    once after the file's last Totals: merged run by run (a run is about a day's events at ten million), most of
    a run's pairs were stored already and `workflow_user` got as many upserts as `daily_user`."""

    rows: list[tuple]


Message = Rows | Totals | PairDays

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(batch: list[ParsedEvent]) -> bytes:
    """The rows in PostgreSQL's COPY text format: one line per row, fields separated by tabs.

    Formatted here, in the reader, so that the database writer only hands the bytes on. Ids rarely hold a
    tab, a line break or a backslash; when one does, the batch is formatted again with those escaped.
    """
    text = "".join([
        f"{event_id}\t{ts}\t{day}\t{org_id}\t{workflow_id}\t{user_id}\t{kind}\t{outcome}\t{credits!r}\n"
        for event_id, ts, day, org_id, workflow_id, user_id, kind, outcome, credits in batch
    ])
    if "\\" in text or "\r" in text or text.count("\t") != 8 * len(batch) or text.count("\n") != len(batch):
        text = "".join([
            "\t".join([field.translate(_COPY_ESCAPES) for field in row[:8]]) + f"\t{row[8]!r}\n" for row in batch
        ])
    return text.encode()


def event_stream(
    path: Path, workflow_org: dict[str, str], batch_size: int, window: int, as_copy_text: bool
) -> tuple[list[str], Iterator[Message]]:
    """The file's unknown columns and its messages, read in this process; `window` rows per Totals, the
    batches as COPY text if `as_copy_text`."""
    progress = _Progress()
    unknown, batches = event_batches(path, workflow_org, progress, batch_size)
    return unknown, _messages(batches, progress, window, as_copy_text)


class _Progress:
    def __init__(self) -> None:
        self.done = 0

    def __call__(self, done: int) -> None:
        self.done = done


def _messages(
    batches: Iterator[list[ParsedEvent]], progress: _Progress, window: int, as_copy_text: bool
) -> Iterator[Message]:
    sums = DailyTotals()
    pair_days: dict[tuple[str, str], list] = {}

    def totals() -> Totals:
        for day, workflow_id, user_id, org_id in sums.users:
            known = pair_days.get((workflow_id, user_id))
            if known is None:
                pair_days[(workflow_id, user_id)] = [workflow_id, user_id, org_id, day, day]
            elif day < known[3]:  # ISO dates: their text sorts as the days do
                known[3] = day
            elif day > known[4]:
                known[4] = day
        return Totals(sums.rollup_rows())

    for batch in batches:
        sums.add(batch)
        yield Rows(copy_text(batch) if as_copy_text else batch, len(batch), progress.done)
        if sums.rows >= window:
            yield totals()
            sums = DailyTotals()
    if sums.rows:
        yield totals()
    yield PairDays([tuple(days) for days in pair_days.values()])


def parallel_event_stream(
    path: Path, workflow_org: dict[str, str], batch_size: int, window: int, as_copy_text: bool
) -> tuple[list[str], Iterator[Message]]:
    """As `event_stream`, with the reading done by a helper process; invalid rows raise ImportFailed here.

    The helper is a plain `python -c` child talking over its stdin / stdout (not multiprocessing, which
    would re-run the caller's main script). It is stopped when the iterator is closed or garbage-collected,
    also after an exception in the consumer (Ctrl-C included).
    """
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    try:
        helper = subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import helper_main; helper_main()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )
    except OSError as exc:  # no usable interpreter (a frozen build, say)
        raise HelperUnavailable(str(exc)) from exc
    frames = _Frames(helper)
    try:
        try:
            _write_frame(helper.stdin, (str(path), workflow_org, batch_size, window, as_copy_text))
            helper.stdin.close()
        except BrokenPipeError:
            pass  # it died at once: receive() says so
        first = frames.receive(starting=True)
    except BaseException:
        frames.stop()
        raise
    return first, _relay(frames)


class HelperUnavailable(RuntimeError):
    """The reader process could not start; the file can still be read in this process."""


def _relay(frames: _Frames) -> Iterator[Message]:
    try:
        while (message := frames.receive()) is not None:
            yield message
    finally:
        frames.stop()


FRAMES_AHEAD = 8
"""Messages the importer may hold unread: enough that neither process waits out the other's pauses (the
pipe alone holds less than one batch), few enough to keep memory flat (a batch is about a megabyte)."""


class _Frames:
    """The helper's messages, read off its stdout by a thread into a short queue as raw bytes."""

    def __init__(self, helper: subprocess.Popen) -> None:
        self.helper = helper
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=FRAMES_AHEAD)
        self.thread = threading.Thread(target=self._pump, name="import-reader-frames", daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        try:
            while (data := _read_raw_frame(self.helper.stdout)) is not None:
                self.queue.put(data)
        except (OSError, ValueError):
            pass  # the stream was closed: the importer is stopping
        finally:
            self.queue.put(None)

    def receive(self, *, starting: bool = False):
        """The next message's payload (None at the end); the helper's errors are raised here."""
        data = self.queue.get()
        if data is None:
            problem = f"the import's reader process ended without a word (exit status {self.helper.wait()})"
            raise HelperUnavailable(problem) if starting else RuntimeError(problem)
        kind, payload = pickle.loads(data)
        if kind == "failed":
            raise ImportFailed(payload)
        if kind == "crashed":  # one line, as every unforeseen fault is shown; the traceback as a note
            error = RuntimeError(f"the import's reader process failed: {payload.strip().splitlines()[-1]}")
            error.add_note(payload)
            raise error
        return payload

    def stop(self) -> None:
        if self.helper.poll() is None:
            self.helper.kill()
        self.helper.wait()
        while self.thread.is_alive():  # let the pump see the end and finish
            try:
                self.queue.get(timeout=0.1)
            except queue.Empty:
                pass
        self.thread.join()
        self.helper.stdout.close()


_LENGTH = struct.Struct("!Q")


def _write_frame(stream, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)


def _read_raw_frame(stream) -> bytes | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


def _read_frame(stream):
    data = _read_raw_frame(stream)
    return None if data is None else pickle.loads(data)


def helper_main() -> None:
    """The helper process: read the job from stdin; write ("ok", unknown columns), ("ok", message)…,
    ("ok", None) to stdout — or ("failed", `file:line: field: problem`)."""
    # Ctrl-C in a terminal reaches the whole process group: the importer handles it (rolls back and stops
    # this process); here it would only race the importer's own KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the message stream
    gc.disable()  # millions of short-lived tuples and no reference cycles: the collector would only cost time

    def send(kind: str, payload: object) -> None:
        _write_frame(out, (kind, payload))

    try:
        path, workflow_org, batch_size, window, as_copy_text = _read_frame(sys.stdin.buffer)
        unknown, messages = event_stream(Path(path), workflow_org, batch_size, window, as_copy_text)
        send("ok", unknown)
        for message in messages:
            send("ok", message)
        send("ok", None)
        out.flush()
    except ImportFailed as exc:
        send("failed", str(exc))
        out.flush()
    except BrokenPipeError:
        pass  # the importer went away: nobody to report to
    except BaseException:  # noqa: BLE001 - reported to the importer, which raises it
        send("crashed", traceback.format_exc())
        out.flush()


def open_event_stream(
    path: Path, workflow_org: dict[str, str], batch_size: int, window: int, as_copy_text: bool
) -> tuple[list[str], Iterator[Message]]:
    """Read in a helper process when the file is big enough to repay starting one (and one starts), else here."""
    if path.stat().st_size >= PARALLEL_FROM_BYTES:
        try:
            return parallel_event_stream(path, workflow_org, batch_size, window, as_copy_text)
        except HelperUnavailable:
            pass
    return event_stream(path, workflow_org, batch_size, window, as_copy_text)
