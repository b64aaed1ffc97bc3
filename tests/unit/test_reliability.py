"""Faults an administrator can cause: Ctrl-C in a big import, two processes marking at once."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trialstack_tui.config import resolve_store
from trialstack_tui.review import Review
from trialstack_tui.sample import SampleSpec, write_sample
from trialstack_tui.store import Store
from trialstack_tui.store.importer import import_path

COMMAND = Path(sys.executable).with_name("trialstack-tui")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def big_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 300k events: big enough that an import is still running when it is interrupted."""
    folder = tmp_path_factory.mktemp("big")
    write_sample(SampleSpec(target_events=300_000), folder)
    return folder


def test_ctrl_c_in_the_middle_of_an_import_leaves_the_store_as_it_was(tmp_path: Path, sample_dir: Path) -> None:
    db = tmp_path / "store.db"
    with Store(resolve_store(str(db))) as store:
        import_path(store, sample_dir / "organizations.csv")
    before = _digest(db)
    calls = 0

    def interrupt(label: str, done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if label == "events.csv" and 0 < done < total:
            raise KeyboardInterrupt

    with Store(resolve_store(str(db))) as store, pytest.raises(KeyboardInterrupt):
        import_path(store, sample_dir, progress=interrupt)
    assert calls > 0
    assert _digest(db) == before
    with Store(resolve_store(str(db))) as store:
        review = Review(store)
        assert review.data_range() is None and len(review.catalog().orgs) == 16
        assert review.catalog().workflows == {}


def test_sigint_to_a_running_import_command_exits_and_writes_nothing(tmp_path: Path, big_sample: Path) -> None:
    db = tmp_path / "store.db"
    with Store(resolve_store(str(db))):
        pass
    before = _digest(db)
    process = subprocess.Popen([str(COMMAND), "--db", str(db), "import", str(big_sample)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wal = db.with_name(db.name + "-wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 1_000_000:  # events are being written
            break
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "interrupted; nothing was written" in err and "Traceback" not in err
    with Store(resolve_store(str(db))) as store:
        assert Review(store).catalog().orgs == {}
    assert _digest(db) == before


MARKER = """
import sys
from trialstack_tui.config import resolve_store
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.marks import MarkRequest
db, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Store(resolve_store(db)) as store:
    review = Review(store)
    for i in range(n):
        review.mark(MarkRequest(target_type="org", reason="other", owner=who, org_id="org-nw", note=f"{who} {i}"))
"""


def test_two_processes_marking_at_once_keep_every_mark(sample_db: Path) -> None:
    env = {**os.environ}
    procs = [
        subprocess.Popen([sys.executable, "-c", MARKER, str(sample_db), who, "40"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for who in ("alice", "bob")
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert "locked" not in err
    with Store(resolve_store(str(sample_db))) as store:
        marks = Review(store).followups(status="all")
    assert sorted({m.note for m in marks}) == sorted({f"{w} {i}" for w in ("alice", "bob") for i in range(40)})
    assert len({m.id for m in marks}) == 80
