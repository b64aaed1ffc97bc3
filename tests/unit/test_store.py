"""The store: schema version, follow-up marks (CONTRACT §5), concurrency, file rights and the queries metrics rely on."""

from __future__ import annotations

import getpass
import stat
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from trialstack_tui import cli
from trialstack_tui.config import resolve_store
from trialstack_tui.errors import NotFound, ReadOnlyStore, StoreError, UserFacingError
from trialstack_tui.review import Review
from trialstack_tui.store import Store, queries
from trialstack_tui.store.importer import import_path
from trialstack_tui.store.tables import SCHEMA_VERSION
from trialstack_tui.marks import MarkRequest

from .helpers import write_tiny


def stored_version(store: Store) -> str:
    with store.read() as conn:
        return conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one()


def test_the_schema_version_is_stored(store):
    assert stored_version(store) == str(SCHEMA_VERSION)


def test_reopening_keeps_one_schema_version_row(location):
    for _ in range(2):
        with Store(location) as s:
            with s.read() as conn:
                assert conn.execute(text("SELECT COUNT(*) FROM meta")).scalar_one() == 1


def test_a_store_of_a_newer_schema_is_refused(location):
    with Store(location) as s, s.write() as conn:
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(SCHEMA_VERSION + 1)})
    with pytest.raises(StoreError) as refused:
        Store(location)
    message = str(refused.value)
    assert "newer" in message and f"schema {SCHEMA_VERSION + 1}" in message and "upgrade" in message
    assert "\n" not in message


def test_the_cli_refuses_a_newer_store_with_exit_2(sqlite_location, capsys):
    with Store(sqlite_location) as s, s.write() as conn:
        conn.execute(text("UPDATE meta SET value = '999' WHERE key = 'schema_version'"))
    assert cli.main(["summary", "--db", str(sqlite_location.path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "schema 999" in err


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite at all, just some text " * 50)
    with pytest.raises(StoreError, match="not a trialstack store"):
        Store(resolve_store(str(path)))


def test_a_missing_folder_is_created_owner_only(sqlite_location):
    path = sqlite_location.path
    assert not path.parent.exists()
    with Store(sqlite_location):
        pass
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_read_only_store_refuses_writes(sqlite_location):
    Store(sqlite_location).close()
    with Store(sqlite_location, read_only=True) as s, pytest.raises(ReadOnlyStore):
        Review(s).mark(MarkRequest(target_type="org", reason="other", org_id="org-a"))


# ----------------------------------------------------------------------------- follow-ups


def test_follow_ups_round_trip(store, tmp_path):
    import_path(store, write_tiny(tmp_path / "in"))
    review = Review(store)
    first = review.mark(MarkRequest(target_type="workflow", reason="high_error_rate", note="check the form",
                        org_id="org-a", workflow_id="wf-a2"))
    second = review.mark(MarkRequest(target_type="org", reason="other", owner="  Grace Moreau ", org_id="org-b"))
    assert first.owner == "Omar Shah"  # the workflow's owner by default
    assert second.owner == "Grace Moreau"
    assert first.created_by == second.created_by == getpass.getuser()
    assert (first.status, first.closed_at) == ("open", None)

    closed = review.set_followup_status(first.id, "done")
    assert closed.status == "done" and closed.closed_at is not None
    assert closed.closed_at >= closed.created_at

    assert [m.id for m in review.followups("open")] == [second.id]
    assert [m.id for m in review.followups("done")] == [first.id]
    assert {m.id for m in review.followups("all")} == {first.id, second.id}
    assert [m.id for m in review.followups("all", owner="Omar Shah")] == [first.id]
    stored = next(m for m in review.followups("all") if m.id == first.id)
    assert (stored.target_type, stored.reason, stored.note, stored.workflow_id) == (
        "workflow", "high_error_rate", "check the form", "wf-a2"
    )
    assert stored.created_at == first.created_at and stored.closed_at == closed.closed_at

    reopened = review.set_followup_status(first.id, "open")
    assert (reopened.status, reopened.closed_at) == ("open", None)
    with pytest.raises(NotFound):
        review.set_followup_status(9999, "done")


def test_two_admins_marking_at_once_both_keep_their_marks(sqlite_location):
    Store(sqlite_location).close()
    per_admin = 15
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def admin(name: str) -> None:
        try:
            with Store(sqlite_location) as own:
                review = Review(own)
                start.wait()
                for i in range(per_admin):
                    review.mark(MarkRequest(target_type="org", reason="other", note=f"{name}-{i}", owner=name, org_id="org-a"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=admin, args=(n,)) for n in ("ann", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(sqlite_location) as s:
        notes = {m.note for m in Review(s).followups("all")}
    assert notes == {f"{n}-{i}" for n in ("ann", "bob") for i in range(per_admin)}


def test_a_mark_survives_a_killed_process(sqlite_location):
    Store(sqlite_location).close()
    script = (
        "import os, signal\n"
        "from trialstack_tui.config import resolve_store\n"
        "from trialstack_tui.marks import MarkRequest\n"
        "from trialstack_tui.review import Review\n"
        "from trialstack_tui.store import Store\n"
        f"s = Store(resolve_store({str(sqlite_location.path)!r}))\n"
        "Review(s).mark(MarkRequest(target_type='org', reason='other', note='kept', org_id='org-a'))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -9
    with Store(sqlite_location) as s:
        assert [m.note for m in Review(s).followups("all")] == ["kept"]


# ----------------------------------------------------------------------------- queries


def test_active_users_per_org_count_each_user_once_and_training_on_or_before_as_of(store, tmp_path):
    """Per org, each user active in the window once, however many days and workflows they were active on; a user
    active only outside the window is left out. With `trained_by`, only users trained on or before that day
    (not one untrained, nor one missing from the users file)."""
    users = [("u-a1", "org-a", "r", "2026-03-02"), ("u-a2", "org-a", "r", "2026-03-03"), ("u-b1", "org-b", "r", "")]
    events = [
        ("e1", "2026-03-01T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1"),
        ("e2", "2026-03-02T09:00:00", "wf-a2", "u-a1", "manual", "ok", "1"),  # another day, another workflow
        ("e3", "2026-03-02T10:00:00", "wf-a1", "u-a2", "ai", "accepted", "1"),
        ("e4", "2026-03-02T11:00:00", "wf-b1", "u-b1", "manual", "ok", "1"),
        ("e5", "2026-03-02T12:00:00", "wf-b1", "u-x", "manual", "ok", "1"),  # not in the users file
        ("e6", "2026-03-05T09:00:00", "wf-b1", "u-b2", "manual", "ok", "1"),  # after the window
    ]
    import_path(store, write_tiny(tmp_path / "in", {"users": users, "events": events}))
    window = (date(2026, 3, 1), date(2026, 3, 2))
    with store.read() as conn:
        assert queries.active_users_per_org(conn, *window) == {"org-a": 2, "org-b": 2}
        assert queries.active_users(conn, *window) == 4
        assert queries.active_users_per_org(conn, *window, trained_by=date(2026, 3, 2)) == {"org-a": 1}
        assert queries.active_users_per_org(conn, *window, trained_by=date(2026, 3, 3)) == {"org-a": 2}
        assert queries.orgs_with_user_data(conn) == {"org-a", "org-b"}


def test_the_summarys_trained_users_count_training_on_or_before_as_of(store, tmp_path):
    """Trained active users per org count a user trained on the as-of day and not one trained after it."""
    users = [("u-a1", "org-a", "r", "2026-03-02"), ("u-a2", "org-a", "r", "2026-03-03"), ("u-b1", "org-b", "r", "")]
    events = [
        ("e1", "2026-03-02T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1"),
        ("e2", "2026-03-02T10:00:00", "wf-a1", "u-a2", "manual", "ok", "1"),
        ("e3", "2026-03-02T11:00:00", "wf-b1", "u-b1", "manual", "ok", "1"),
    ]
    import_path(store, write_tiny(tmp_path / "in", {"users": users, "events": events}))

    def trained(as_of: date) -> dict[str, int | None]:
        return {o.org.org_id: o.trained_users for o in Review(store).summary(days=2, as_of=as_of).orgs}

    assert trained(date(2026, 3, 2))["org-a"] == 1
    assert trained(date(2026, 3, 3))["org-a"] == 2
    assert trained(date(2026, 3, 3))["org-b"] == 0


def test_active_users_are_distinct_per_org_workflow_and_overall(store, tmp_path):
    import_path(store, write_tiny(tmp_path / "in"))
    with store.read() as conn:
        first, last = date(2026, 3, 1), date(2026, 3, 2)
        assert queries.active_users(conn, first, last) == 3
        assert queries.active_users_per_org(conn, first, last) == {"org-a": 2, "org-b": 1}
        per_workflow = [queries.active_users(conn, first, last, workflow_ids=[w]) for w in ("wf-a1", "wf-a2", "wf-b1")]
        assert per_workflow == [2, 1, 1]
        assert queries.active_users(conn, first, last, org_ids=["org-a"]) == 2
        assert queries.active_users(conn, first, first, exclude_org_ids=["org-a"]) == 0
        assert queries.data_range(conn) == (first, last)


@pytest.mark.parametrize(
    ("request_fields", "message"),
    [
        ({"target_type": "team"}, "unknown follow-up target 'team'; expected one of org, workspace, workflow"),
        ({"target_type": "org", "org_id": "org-hx", "reason": "hunch"}, "unknown follow-up reason 'hunch'"),
        ({"target_type": "org", "org_id": "org-hx", "note": "x" * 100_000}, "a note keeps up to"),
    ],
)
def test_the_seam_refuses_a_mark_outside_the_vocabulary_and_writes_nothing(sqlite_location, sample_dir,
                                                                            request_fields, message):
    with Store(sqlite_location) as store:
        import_path(store, sample_dir)
        review = Review(store)
        with pytest.raises(UserFacingError, match=message.replace("(", r"\(").replace(")", r"\)")):
            review.mark(MarkRequest(**request_fields))
        assert review.followups(status="all") == []


def test_the_seam_decides_the_owner_of_a_workflow_mark_and_checks_a_status(sqlite_location, sample_dir):
    with Store(sqlite_location) as store:
        import_path(store, sample_dir)
        review = Review(store)
        owner = review.catalog().workflows["wf-hx-1b"].owner
        request = MarkRequest(target_type="workflow", org_id="org-hx", workflow_id="wf-hx-1b")
        assert review.mark_defaults(request).owner == owner
        assert review.mark_defaults(MarkRequest(target_type="workflow", workflow_id="wf-hx-1b", owner="Ana")).owner == "Ana"
        mark = review.mark(request)
        assert mark.owner == owner and mark.reason == "other"
        with pytest.raises(UserFacingError, match="unknown follow-up status 'closed'; expected one of open, done"):
            review.set_followup_status(mark.id, "closed")
        assert review.followups(status="all")[0].status == "open"


def test_a_drill_down_reads_in_one_transaction_and_the_catalog_once(sample_store, monkeypatch):
    """One transaction for all of a drill-down's reads but its costliest (an org's users' states, and its users
    per workflow and workspace; a workflow's lifecycle; the summary's and a comparison's user counts), read beside it on
    connections of their own (checked against it: see the next test)."""
    review = Review(sample_store)
    reads = []
    catalogs = []
    real_read, real_catalog = sample_store.read, queries.catalog

    def counted_read():
        reads.append(threading.current_thread().name)
        return real_read()

    def counted_catalog(conn, **scope):
        catalogs.append(scope.get("org_id"))
        return real_catalog(conn, **scope)

    monkeypatch.setattr(sample_store, "read", counted_read)
    monkeypatch.setattr(queries, "catalog", counted_catalog)
    detail = review.org_detail("org-hx")
    assert detail.workspaces and catalogs == ["org-hx"]  # its org's reference rows only
    assert {w.org_id for w in detail.summary.catalog.workflows.values()} == {"org-hx"}
    # Beside: the org's users' states, and its users per workflow and workspace, each on a connection of its own.
    assert sorted(reads) == sorted([threading.current_thread().name, "review-beside", "review-beside"])
    reads.clear(), catalogs.clear()
    wf = review.workflow_detail("wf-hx-1b")
    assert wf.workflow.workflow_id == "wf-hx-1b" and catalogs == ["org-hx"]
    # Beside its own reads only its lifecycle: the org's user figures, which the workflow screen does not show,
    # are not read (`test_a_workflows_drill_down_reads_none_of_its_orgs_user_rollup`).
    assert sorted(reads) == sorted([threading.current_thread().name, "review-beside"])
    reads.clear(), catalogs.clear()
    assert review.summary().orgs and len(catalogs) == 1
    assert sorted(reads) == sorted([threading.current_thread().name, "review-beside"])
    reads.clear(), catalogs.clear()
    assert review.compare("chg-rollout-aster").control_after is not None and len(catalogs) == 1
    assert sorted(reads) == sorted([threading.current_thread().name, "review-beside"])


@pytest.mark.parametrize("drill_down", ["org", "workflow", "summary", "comparison"])
def test_a_read_beside_an_import_shows_one_state_of_the_store(location, tmp_path, monkeypatch, drill_down):
    """An import that commits between a read's two transactions (here: just before the read beside) is not
    mixed into it: what was read beside (an org's users per workflow and workspace, a workflow's lifecycle,
    the summary's active users per org and in all, a comparison's users) is read again in the main
    transaction."""
    events = [
        ("e1", "2026-03-05T09:00:00", "wf-a1", "u-a1", "ai", "accepted", "2"),
        ("e2", "2026-03-06T10:00:00", "wf-a2", "u-a1", "manual", "ok", "1"),
    ]
    new_user = [("e7", "2026-03-06T11:00:00", "wf-a1", "u-a2", "manual", "ok", "1")]
    with Store(location) as store, Store(location) as importer:
        import_path(store, write_tiny(tmp_path / "first", {"events": events}))
        review = Review(store)

        def users() -> tuple[object, int]:  # the figures read beside, and the events read in the main transaction
            if drill_down == "workflow":
                wf = review.workflow_detail("wf-a1", as_of=date(2026, 3, 31))
                return (wf.summary.active_users, wf.summary.lifecycle.new), wf.summary.activity.events
            if drill_down == "comparison":  # chg-1: org-a on 03-02; the events are after it
                comparison = review.compare("chg-1")
                return (comparison.after.active_users, comparison.control_after.active_users), comparison.after.counts.events
            if drill_down == "summary":
                summary = review.summary(as_of=date(2026, 3, 31))
                org = next(o for o in summary.orgs if o.org.org_id == "org-a")
                return (summary.totals.active_users, org.active_users), org.activity.events
            org = review.org_detail("org-a", as_of=date(2026, 3, 31))
            return ({w.workflow.workflow_id: w.active_users for w in org.workflows},
                    {w.workspace.workspace_id: w.active_users for w in org.workspaces}), org.org.activity.events

        before = users()
        real_read = store.read

        more = write_tiny(tmp_path / "more", {"events": new_user})
        importing, imported = threading.Lock(), []

        def import_first():  # every read beside begins after another import committed
            if threading.current_thread().name == "review-beside":
                with importing:
                    if not imported:
                        import_path(importer, more)
                        imported.append(more)
            return real_read()

        monkeypatch.setattr(store, "read", import_first)
        during = users()
        monkeypatch.setattr(store, "read", real_read)
        after = users()
    if drill_down == "workflow":
        assert during == before == ((1, 1), 1) and after == ((2, 2), 2)
    elif drill_down == "summary":
        assert during == before == ((1, 1), 2) and after == ((2, 2), 3)
    elif drill_down == "comparison":
        assert during == before == ((1, 0), 2) and after == ((2, 0), 3)
    else:
        assert during == before == (({"wf-a1": 1, "wf-a2": 1}, {"ws-a": 1}), 2)
        assert after == (({"wf-a1": 2, "wf-a2": 1}, {"ws-a": 2}), 3)


def test_the_nine_counts_are_one_tuple_that_the_record_the_table_the_metrics_and_the_rollup_follow(
    sample_store,
):
    from dataclasses import fields

    from trialstack_tui.metrics.counts import Counts
    from trialstack_tui.records import COUNT_FIELDS, DailyCounts
    from trialstack_tui.store import tables
    from trialstack_tui.store.import_rows import EVENT_KINDS, OUTCOMES

    assert COUNT_FIELDS == ("events", *EVENT_KINDS, *OUTCOMES, "credits")  # the rollup SQL's SUMs in this order
    assert tuple(f.name for f in fields(DailyCounts))[3:] == COUNT_FIELDS
    assert tuple(f.name for f in fields(Counts)) == COUNT_FIELDS
    assert tuple(tables.DailyUsageRow.__table__.columns.keys())[3:] == COUNT_FIELDS
    # The generated rollup adds up: every count of the sample's rollup equals the sum over its events.
    with sample_store.read() as conn:
        rollup = conn.execute(text(f"SELECT {', '.join(f'SUM({n})' for n in COUNT_FIELDS)} FROM daily_usage")).one()
        raw = conn.execute(text(
            "SELECT COUNT(*), " + ", ".join(f"SUM(kind = '{k}')" for k in EVENT_KINDS) + ", "
            + ", ".join(f"SUM(outcome = '{o}')" for o in OUTCOMES) + ", SUM(credits) FROM events"
        )).one()
    assert rollup[:-1] == raw[:-1] and abs(rollup[-1] - raw[-1]) < 1e-6
    assert Counts.total([DailyCounts.empty(date(2026, 1, 1), "o", "w")] * 2) == Counts()


def test_a_read_sees_one_state_of_the_store_while_an_import_commits(location, tmp_path):
    """`Store.read` promises one snapshot for its block: an import committed between two of its queries is not
    seen by the second (on PostgreSQL a read in READ COMMITTED saw it, so a drill-down could mix the rows of
    two states of the store)."""
    first = write_tiny(tmp_path / "first")
    more = write_tiny(tmp_path / "more", {"events": [("e7", "2026-03-03T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1")]})
    with Store(location) as store, Store(location) as importer:
        import_path(store, first)
        with store.read() as conn:
            before = queries.daily_events(conn, date(2026, 3, 1), date(2026, 3, 31))
            import_path(importer, more)
            during = queries.daily_events(conn, date(2026, 3, 1), date(2026, 3, 31))
        with store.read() as conn:
            after = queries.daily_events(conn, date(2026, 3, 1), date(2026, 3, 31))
    assert during == before == {date(2026, 3, 1): 4, date(2026, 3, 2): 2}
    assert after == {**before, date(2026, 3, 3): 1}


def test_no_read_beside_outlives_a_drill_down_that_failed(sample_store, monkeypatch):
    """A fault in the main transaction waits for the read beside to end before it is raised: a read left
    running held its locks past the call (a test's DROP SCHEMA deadlocked with one on PostgreSQL)."""
    ended = []
    real_users = queries.active_users_by_workflow_and_workspace

    def slow_users(*args):
        time.sleep(0.3)
        found = real_users(*args)
        ended.append("beside")
        return found

    def failing_rows(*args, **kwargs):
        raise StoreError("the store went away")

    monkeypatch.setattr(queries, "active_users_by_workflow_and_workspace", slow_users)
    monkeypatch.setattr(queries, "daily_counts", failing_rows)
    with pytest.raises(StoreError):
        try:
            Review(sample_store).org_detail("org-hx")
        finally:
            ended.append("call")
    assert ended == ["beside", "call"]


def _rollup_reads(store, reads) -> list[tuple[object, str, str]]:
    """(parameters, table, plan line) of every read of a rollup table that `reads()` made on SQLite, from
    EXPLAIN QUERY PLAN of each statement with a WHERE (reads beside on their own connections included)."""
    from sqlalchemy import event

    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        reads()
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    found = []
    with store.read() as conn:
        raw = conn.connection.dbapi_connection
        for statement, parameters in statements:
            if "WHERE" not in statement.upper().split():
                continue
            for *_, detail in raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall():
                words = detail.split()
                if len(words) > 1 and words[0] in ("SCAN", "SEARCH") and words[1].startswith(("daily_", "workflow_user")):
                    found.append((parameters, words[1], detail))
    return found


def test_one_orgs_drill_down_reads_only_that_orgs_rollup_rows(sample_store):
    """Every read of the per-org rollups' rows in an org's and a workflow's drill-down seeks the org's own rows
    by index (schema 4's (org_id, day) indexes): they scanned every org's rows of the window before. (The
    store's first and last day, a MIN and a MAX with no WHERE, read one end of the primary key.)"""
    review = Review(sample_store)
    reads = _rollup_reads(sample_store, lambda: (review.org_detail("org-hx"), review.workflow_detail("wf-hx-1b")))
    searches = [detail for _, table, detail in reads if table in ("daily_usage", "daily_org", "daily_org_user")]
    assert len(searches) >= 6, searches
    assert all("(org_id=?" in detail for detail in searches), searches


def test_a_workflows_drill_down_reads_none_of_its_orgs_user_rollup(sample_store, monkeypatch):
    """A workflow's screen shows its own users (its lifecycle, its daily active users), never its org's: it reads
    no row of the per-org user rollup, which five queries beside its build read (a third of it at 10M events).
    The figures it shows still equal the org screen's (tests/unit/test_org_users.py)."""
    review = Review(sample_store)
    users_files = []
    real_orgs_with_user_data = queries.orgs_with_user_data

    def orgs_with_user_data(conn):  # which orgs have a users file: the org's trained share, not shown there
        users_files.append(1)
        return real_orgs_with_user_data(conn)

    monkeypatch.setattr(queries, "orgs_with_user_data", orgs_with_user_data)
    reads = _rollup_reads(sample_store, lambda: review.workflow_detail("wf-hx-1b"))
    assert {table for _, table, _ in reads} >= {"daily_usage", "daily_user", "workflow_user"}, reads
    assert not [detail for _, table, detail in reads if table == "daily_org_user"], reads
    assert users_files == []
    org = _rollup_reads(sample_store, lambda: review.org_detail("org-hx", as_of=review.data_range()[1]))
    assert any(table == "daily_org_user" for _, table, _ in org), org  # the org's screen does read it
    assert users_files == [1]  # and which orgs have a users file (its trained share)


def test_an_orgs_users_per_workflow_and_workspace_are_read_one_row_a_pair(sample_store):
    """A window ending on the org's newest day (the default as-of) holds the pairs whose last day is in it: the
    org's drill-down reads them from workflow_user by index, and not one row of daily_user (a row per pair and
    day). A window ending before the org's newest day reads its days' pairs from daily_user. (Both paths' counts
    are checked against the raw events in tests/unit/test_org_users.py.)"""
    review = Review(sample_store)
    newest = review.data_range()[1]
    reads = _rollup_reads(sample_store, lambda: review.org_detail("org-hx"))
    assert not [detail for _, table, detail in reads if table == "daily_user"], reads
    pairs = [detail for _, table, detail in reads if table == "workflow_user"]
    assert any("(org_id=? AND last_day>?)" in detail for detail in pairs), pairs
    earlier = _rollup_reads(sample_store, lambda: review.org_detail("org-hx", as_of=newest - timedelta(days=1)))
    assert any("daily_user" == table for _, table, _ in earlier), earlier


def test_who_was_seen_before_the_previous_window_is_read_one_row_a_pair(sample_store):
    """The lifecycle's "seen before the previous window" comes from workflow_user's first days (one row a pair),
    not from the history of the per-day rollups before that window (every user-day of it, or every day the org
    had events, growing with each stored day): an org's and a workflow's drill-down and every org's lifecycle
    (`summary --json`) read no rollup's days open-ended below."""
    review = Review(sample_store)
    reads = _rollup_reads(sample_store, lambda: (
        review.org_detail("org-hx"), review.workflow_detail("wf-hx-1b"), review.summary(lifecycle=True)))
    history = [detail for _, table, detail in reads if "day<?" in detail and "day>?" not in detail]
    assert not history, history
    assert sum(table == "workflow_user" for _, table, _ in reads) >= 3, reads
    # A named workflow's pairs are sought by the key, not found among every pair of its org.
    named = [detail for parameters, table, detail in reads
             if table == "workflow_user" and any(str(v).startswith("wf-") for v in _values(parameters))]
    assert named and all("(workflow_id=?)" in detail for detail in named), named


def test_a_named_workflows_users_are_read_day_by_day(sample_store):
    """Where workflows are named, every read of `daily_user` seeks each (day, workflow): a range of days read
    every workflow's users of those days (in the org's index, or the whole table's) to keep the one asked
    about. A workflow's drill-down (its daily active users, its lifecycle and the history before it), a
    workflow's change compared, and an owner's report (their workflows' lifecycle and untrained users)."""
    review = Review(sample_store)
    owner = review.catalog().workflows["wf-hx-1b"].owner

    def reads() -> None:
        review.workflow_detail("wf-hx-1b")
        review.compare("chg-process-lumen")  # org-lm's wf-lm-1a
        review.owner_report(owner)

    named = [
        detail for parameters, table, detail in _rollup_reads(sample_store, reads)
        if table == "daily_user" and any(str(v).startswith("wf-") for v in _values(parameters))
    ]
    assert len(named) >= 6, named
    assert all("day=?" in detail and "day>" not in detail and "day<" not in detail for detail in named), named


def _values(parameters) -> list[object]:
    return list(parameters.values()) if isinstance(parameters, dict) else list(parameters or ())
