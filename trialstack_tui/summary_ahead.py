"""The first summary, read ahead by a helper process while the terminal UI starts.

Before its first query the app spends 0.5–0.8 s importing the store's libraries (SQLAlchemy, SQLModel,
pydantic), after the 0.4–0.5 s Textual takes to draw the first frame: one interpreter does both in turn. On a
machine with two cores `trialstack-tui` starts this helper before it imports Textual, so that the helper's
imports and the summary's read run beside the first frame instead of after it.

The app still opens the store itself (every other read, every write is its own). It takes the helper's
summary once, for the window the helper read, and reads the store itself whenever the helper cannot answer:
any fault of the helper, or another window asked first. A store without events is one such fault, so the
default store that a first run fills before its summary is read is never summarised ahead. The helper only
reads: it opens the store read-only, and is stopped when the app ends before taking its answer.

The store's location reaches the helper on its standard input, never its command line (`ps` shows that to
every user of the host, password and all).
"""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import threading
from datetime import date
from typing import TYPE_CHECKING

from .config import StoreLocation

if TYPE_CHECKING:
    from .metrics.summary import Summary


class SummaryAhead:
    """A helper process reading the summary of `days` days up to `as_of` (None: the store's last day)."""

    def __init__(self, location: StoreLocation, days: int, as_of: date | None) -> None:
        self.location, self.days, self.as_of = location, days, as_of
        self._taking = threading.Lock()
        self.settled = threading.Event()  # set once the helper has answered, failed or been stopped
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self._process.stdin is not None  # stdin=PIPE
        try:
            with self._process.stdin as request:
                request.write(pickle.dumps((location, days, as_of)))
        except BrokenPipeError:
            pass  # the helper has ended already: `take` finds its status and reads the store instead

    @classmethod
    def start(cls, location: StoreLocation, days: int, as_of: date | None) -> SummaryAhead | None:
        """A helper, where it can run beside the app: on one core it would only slow the first frame down."""
        if _cores() < 2:
            return None
        try:
            return cls(location, days, as_of)
        except OSError:  # no process could be started (a process limit): the app reads the store itself
            return None

    def take(self, days: int, as_of: date | None) -> Summary | None:
        """The helper's summary if it read this window; None otherwise, or when it cannot answer (the caller
        then reads the store). Answers once: every later call is None. Waits for the helper to finish."""
        process = self._claim()
        if process is None:
            return None
        try:
            if (days, as_of) != (self.days, self.as_of):
                _stop(process)
                return None
            assert process.stdout is not None  # stdout=PIPE
            with process.stdout as answer:
                found = answer.read()
            if process.wait() != 0:
                return None
            return pickle.loads(found)
        finally:
            self.settled.set()

    def close(self) -> None:
        """Stop the helper if its answer was never taken (the app ended first, or asked for another window)."""
        process = self._claim()
        if process is not None:
            _stop(process)
        self.settled.set()

    def _claim(self) -> subprocess.Popen[bytes] | None:
        """The helper for this one caller (`take` or `close`): None once another has it."""
        with self._taking:
            process, self._process = self._process, None
        return process


def _cores() -> int:
    """The cores this process may run on (all of the machine's where the system cannot say: macOS)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _read_summary() -> None:
    """The helper: the summary of the window asked for on standard input, pickled to standard output.

    Any fault ends it with a non-zero status (and its traceback to /dev/null): the app then reads the store
    itself and reports the fault the way it reports every other.

    It ends without tearing the interpreter down (0.3–0.4 s of freeing SQLAlchemy's modules and objects,
    with the app waiting for its end), and runs without the cyclic garbage collector: its imports and its one
    read leave next to no cycles to collect (its peak RSS is the same, 70 MB at 10M events), while collecting
    walked them some 200 times, about 60 ms of its answer at 10M (helper alone: median 730 -> 630 ms)."""
    gc.disable()
    location, days, as_of = pickle.load(sys.stdin.buffer)
    from .review import Review
    from .store import Store

    with Store(location, read_only=True) as store:
        summary = Review(store).summary(days=days, as_of=as_of)
    sys.stdout.buffer.write(pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    _read_summary()
