"""The headless commands give the same answers on PostgreSQL as on SQLite, for the bundled sample (CONTRACT §4).

The store is chosen by `--db` with a SQLAlchemy URL, and by TRIALSTACK_DB.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialstack_tui import cli
from trialstack_tui.config import StoreLocation, resolve_store
from trialstack_tui.review import Review
from trialstack_tui.store import Store
from trialstack_tui.marks import MarkRequest

CHANGES = ("chg-plan-summit", "chg-training-q3", "chg-rollout-aster", "chg-rollout-granite",
           "chg-rollout-dashboard", "chg-process-lumen")
MARK_TIMES = ("created_at", "closed_at", "created_by")  # when and by whom: the only fields that may differ


def run(capsys, *argv: str) -> str:
    capsys.readouterr()
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert (status, err) == (0, ""), err
    return out


def answers(capsys, db: str) -> dict[str, object]:
    """Everything the commands say about one store: import counts, summaries, comparisons, follow-ups."""
    found: dict[str, object] = {"import": run(capsys, "import", "--db", db, "--sample")}
    found["import again"] = run(capsys, "import", "--db", db, "--sample")  # all skipped or unchanged
    found["summary"] = json.loads(run(capsys, "summary", "--db", db, "--json"))
    found["summary 7 days to 2026-10-01"] = json.loads(
        run(capsys, "summary", "--db", db, "--json", "--days", "7", "--as-of", "2026-10-01")
    )
    found["summary text"] = run(capsys, "summary", "--db", db)
    # An org's users per workflow and workspace: from workflow_user for a window ending on the org's newest day,
    # from daily_user for one ending before it (tests/unit/test_org_users.py checks both against the events).
    for org_id in ("org-hx", "org-lm"):
        for as_of in ((), ("--as-of", "2026-10-01")):
            found[f"org {org_id} {as_of}"] = json.loads(run(capsys, "org", org_id, "--db", db, "--json", *as_of))
    for change in CHANGES:
        found[f"compare {change}"] = json.loads(run(capsys, "compare", change, "--db", db, "--json"))
    found["compare text"] = run(capsys, "compare", "chg-rollout-granite", "--db", db)
    with Store(resolve_store(db)) as store:
        review = Review(store)
        review.mark(MarkRequest(target_type="workflow", reason="spike", org_id="org-hx", workflow_id="wf-hx-1b", note="look"))
        closed = review.mark(MarkRequest(target_type="org", reason="overage", owner="Finance", org_id="org-sm"))
        review.set_followup_status(closed.id, "done")
    marks = json.loads(run(capsys, "followups", "--db", db, "--status", "all", "--format", "json"))
    found["followups"] = [{k: v for k, v in m.items() if k not in MARK_TIMES} for m in marks]
    found["followups csv header"] = run(capsys, "followups", "--db", db, "--format", "csv").splitlines()[0]
    return found


def test_every_command_answers_the_same_on_postgresql_and_sqlite(capsys, sqlite_location, pg_location):
    on_sqlite = answers(capsys, str(sqlite_location.path))
    on_postgres = answers(capsys, pg_location.url)
    assert on_sqlite["summary"]["orgs"], "the sample was imported"
    assert on_sqlite["import"].splitlines()[-1].startswith("total: added ")
    assert on_sqlite.keys() == on_postgres.keys()
    for key in on_sqlite:
        assert on_postgres[key] == on_sqlite[key], key


def test_trialstack_db_selects_a_postgresql_store(capsys, monkeypatch, pg_location: StoreLocation, tmp_path: Path):
    monkeypatch.setenv("TRIALSTACK_DB", pg_location.url)
    out = run(capsys, "import", "--sample")
    assert out.splitlines()[-1].startswith("total: added ")
    doc = json.loads(run(capsys, "summary", "--json"))
    with Store(pg_location) as store:
        assert doc["as_of"] == Review(store).data_range()[1].isoformat()
    assert not (tmp_path / "usage.db").exists()


@pytest.mark.parametrize("argv", [["summary", "--json"], ["followups"]])
def test_an_unreachable_postgresql_is_one_line_and_exit_2(capsys, argv):
    capsys.readouterr()
    status = cli.main([*argv, "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"])
    err = capsys.readouterr().err
    assert status == 2 and len(err.splitlines()) == 1 and err.startswith("trialstack-tui: "), err


def test_an_import_leaves_postgresql_statistics_of_what_it_wrote(pg_location: StoreLocation, tmp_path: Path):
    """The planner knows the rollups an import filled (they held 46 rows for it where an org's window held
    47,582, and it sorted where it should hash); the statistics follow a second import too."""
    from sqlalchemy import text

    from trialstack_tui.store.importer import import_path

    from .helpers import write_tiny

    def planned_and_stored(store: Store) -> tuple[tuple[float, int], ...]:
        with store.read() as conn:
            return tuple(
                (conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}).scalar_one(),
                 conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in ("daily_user", "daily_org_user", "daily_usage", "workflows")
            )

    with Store(pg_location) as store:
        import_path(store, write_tiny(tmp_path / "first"))
        first = planned_and_stored(store)
        import_path(store, write_tiny(tmp_path / "more", {
            "events": [("e7", "2026-03-03T09:00:00", "wf-a2", "u-a2", "manual", "ok", "1")]}))
        second = planned_and_stored(store)
    assert all(planned == stored > 0 for planned, stored in first), first
    assert all(planned == stored for planned, stored in second) and second != first, second


def test_an_import_vacuums_what_the_review_reads_once_it_has_committed(pg_location: StoreLocation, tmp_path: Path):
    """Once an import commits, the tables the review reads are vacuumed (their rows marked visible to every
    transaction, so a covering index answers without visiting the table), after each import; a failed
    import vacuums nothing. (Autovacuum's runs are counted apart; the events are never vacuumed by it.)"""
    from sqlalchemy import text

    from trialstack_tui.errors import ImportFailed
    from trialstack_tui.store.bulk_load import READ_TABLES
    from trialstack_tui.store.importer import import_path

    from .helpers import write_tiny

    def vacuums(store: Store) -> dict[str, int]:
        with store.read() as conn:
            return dict(conn.execute(text(
                "SELECT relname, vacuum_count FROM pg_stat_user_tables WHERE schemaname = current_schema()")).all())

    with Store(pg_location) as store:
        import_path(store, write_tiny(tmp_path / "first"))
        first = vacuums(store)
        with pytest.raises(ImportFailed):
            import_path(store, write_tiny(tmp_path / "bad", {
                "events": [("e8", "not a time", "wf-a2", "u-a2", "manual", "ok", "1")]}))
        after_failure = vacuums(store)
        import_path(store, write_tiny(tmp_path / "more", {
            "events": [("e7", "2026-03-03T09:00:00", "wf-a2", "u-a2", "manual", "ok", "1")]}))
        second = vacuums(store)
    assert {table: first[table] for table in READ_TABLES} == dict.fromkeys(READ_TABLES, 1)
    assert after_failure == first
    assert {table: second[table] for table in READ_TABLES} == dict.fromkeys(READ_TABLES, 2)
    assert first["events"] == second["events"] == 0


@pytest.mark.parametrize("version", [3, 4])
def test_a_postgresql_store_upgraded_from_an_older_schema_gets_planner_statistics(
    pg_location: StoreLocation, tmp_path: Path, monkeypatch, version: int
):
    """A store an older version imported never had its statistics refreshed (autovacuum may be off): the
    upgrade (to schema 4's org indexes, to schema 5's workflow_user) analyses the tables the review reads,
    the one it fills included."""
    from sqlalchemy import text

    from trialstack_tui.store.importer import import_path

    from .helpers import write_tiny

    def planned(store: Store, table: str) -> float:
        with store.read() as conn:
            return conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}).scalar_one()

    with monkeypatch.context() as old:  # as the older version left it: no statistics, no vacuum, no workflow_user
        old.setattr("trialstack_tui.store.importer.refresh_statistics", lambda conn: None)
        old.setattr("trialstack_tui.store.engine.mark_rollups_visible", lambda conn: None)
        with Store(pg_location) as store:
            import_path(store, write_tiny(tmp_path / "in"))
            with store.write() as conn:
                conn.execute(text("DROP TABLE workflow_user"))
                if version == 3:
                    for index in ("ix_daily_usage_org_day", "ix_daily_org_org_day", "ix_daily_org_user_org_day_user"):
                        conn.execute(text(f"DROP INDEX {index}"))
                conn.execute(text(f"UPDATE meta SET value = '{version}' WHERE key = 'schema_version'"))
            assert planned(store, "daily_user") < 0  # never analysed
    with Store(pg_location) as store:
        assert store.upgrade_note and f"from schema {version} to" in store.upgrade_note
        with store.read() as conn:
            stored = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                      for table in ("daily_user", "workflow_user")}
        assert {table: planned(store, table) for table in stored} == stored
        assert all(n > 0 for n in stored.values()), stored
