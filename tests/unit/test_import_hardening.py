"""Hostile imports (issue 11): nothing lost in silence, nothing counted twice, nothing out of range stored.

Each runs on SQLite and on PostgreSQL; event files are read in this process and in the helper process.
"""

from __future__ import annotations

import json

import pytest

from trialstack_tui import cli
from trialstack_tui.errors import ImportFailed
from trialstack_tui.review import Review
from trialstack_tui.store import event_stream
from trialstack_tui.store.importer import import_path

from trialstack_tui.report import summary_json, to_json

from .helpers import AS_OF, HEADERS, TINY, d, summarize, write_csv, write_tiny
from .helpers import row as daily_row
from .test_importer import rows_of, snapshot


@pytest.fixture(params=["in this process", "in a helper process"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "in a helper process":
        monkeypatch.setattr(event_stream, "PARALLEL_FROM_BYTES", 0)
    return request.param


def test_a_bom_in_the_middle_of_a_file_is_not_part_of_an_id(store, tmp_path, reader) -> None:
    import_path(store, write_tiny(tmp_path / "first"))
    again = tmp_path / "again"
    again.mkdir()
    # Two exports joined: the second one's BOM lands before an id in the middle of the file.
    (again / "organizations.csv").write_text(
        "org_id,name,plan,seats,included_credits\norg-a,Alpha Trials,Team,10,100\n"
        "\ufefforg-b,Beta Bio,Starter,4,50.5\n", encoding="utf-8")
    (again / "events.csv").write_text(
        ",".join(HEADERS["events"]) + "\n" + ",".join(TINY["events"][0]) + "\n"
        + "\ufeff" + ",".join(TINY["events"][1]) + "\n", encoding="utf-8")
    (again / "events.jsonl").write_text(
        "\ufeff" + json.dumps(dict(zip(HEADERS["events"], TINY["events"][2], strict=True))) + "\n", encoding="utf-8")
    report = import_path(store, again)
    assert [(f.path.name, f.added, f.skipped) for f in report.files] == [
        ("organizations.csv", 0, 2), ("events.csv", 0, 2), ("events.jsonl", 0, 1),
    ]
    assert rows_of(store, "SELECT COUNT(*) FROM organizations") == [(2,)]
    assert rows_of(store, "SELECT COUNT(*) FROM events") == [(6,)]


def test_files_of_no_known_name_are_refused_unless_ignore_unknown(capsys, tmp_path) -> None:
    folder = write_tiny(tmp_path / "in")
    extra = [("e9", "2026-03-03T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1")]
    write_csv(folder, "events (1)", HEADERS["events"], extra)
    write_csv(folder, "organisations", HEADERS["organizations"], TINY["organizations"])
    (folder / "events.txt").write_text("event_id\n")
    (folder / "README.md").write_text("notes are not data\n")
    db = str(tmp_path / "store.db")
    assert cli.main(["import", str(folder), "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "files with no known name: events (1).csv, events.txt, organisations.csv" in err
    assert "--ignore-unknown" in err
    assert cli.main(["summary", "--db", db]) == 2  # nothing was written: the store is still empty
    capsys.readouterr()
    assert cli.main(["import", str(folder), "--db", db, "--ignore-unknown"]) == 0
    out = capsys.readouterr().out
    assert "ignored (no known name): events (1).csv, events.txt, organisations.csv" in out
    assert "total: added 18" in out


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("99999999999999999999", "must be at most 1,000,000,000"),
        ("2147483648", "must be at most 1,000,000,000"),  # past PostgreSQL's integer
        ("\u0661\u0662", "in digits 0-9"),
        ("1_000", "in digits 0-9"),
        ("+3", "in digits 0-9"),
    ],
)
def test_seats_out_of_range_or_not_plain_digits_are_refused_with_their_place(store, tmp_path, value, problem):
    orgs = [TINY["organizations"][0], ("org-b", "Beta Bio", "Starter", value, "50.5")]
    folder = write_tiny(tmp_path / "in", {"organizations": orgs})
    with pytest.raises(ImportFailed) as failure:
        import_path(store, folder)
    assert str(failure.value).startswith(f"{folder / 'organizations.csv'}:3: seats: ") and problem in str(failure.value)
    assert Review(store).catalog().orgs == {}


def test_credits_beyond_the_limit_and_huge_ids_are_refused(store, tmp_path) -> None:
    orgs = [TINY["organizations"][0], ("org-b", "Beta Bio", "Starter", "4", "1e308")]
    folder = write_tiny(tmp_path / "credits", {"organizations": orgs})
    with pytest.raises(ImportFailed, match=r"organizations\.csv:3: included_credits: must be at most 1,000,000,000,000"):
        import_path(store, folder)
    orgs = [TINY["organizations"][0], ("o" * (1 << 20), "Beta Bio", "Starter", "4", "1")]
    folder = write_tiny(tmp_path / "id", {"organizations": orgs})
    with pytest.raises(ImportFailed, match=r"organizations\.csv:3: org_id: 1,048,576 characters; at most 256"):
        import_path(store, folder)
    assert Review(store).catalog().orgs == {}


def test_credits_at_the_limit_keep_every_figure_finite_in_json(capsys, tmp_path) -> None:
    events = [(f"e{i}", f"2026-03-{1 + i:02d}T09:00:00", "wf-a1", "u-a1", "manual", "ok", "1e12") for i in range(20)]
    orgs = [("org-a", "Alpha", "Team", "10", "1e12"), TINY["organizations"][1]]
    db = str(tmp_path / "store.db")
    assert cli.main(["import", str(write_tiny(tmp_path / "in", {"events": events, "organizations": orgs})),
                     "--db", db]) == 0
    capsys.readouterr()
    assert cli.main(["summary", "--db", db, "--json"]) == 0
    out = capsys.readouterr().out
    document = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
    assert document["orgs"][0]["projected_credits"] > 1e12


def test_a_figure_that_is_not_finite_is_null_in_json_never_infinity() -> None:
    summary = summarize([daily_row(d(i), events=5, credits=float("inf")) for i in range(3)], as_of=AS_OF)
    out = to_json(summary_json(summary))
    assert "Infinity" not in out and "NaN" not in out
    assert json.loads(out)["totals"]["credits"] is None


@pytest.mark.parametrize(
    ("file", "row", "field"),
    [
        ("changes", ("chg-9", "9999-12-31", "rollout", "Far", "org-a", ""), "date"),
        ("changes", ("chg-9", "0001-01-01", "rollout", "Early", "org-a", ""), "date"),
        ("users", ("u-9", "org-a", "monitor", "9999-12-31"), "trained_on"),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused_at_import(store, tmp_path, file, row, field) -> None:
    folder = write_tiny(tmp_path / "in", {file: [*TINY[file], row]})
    with pytest.raises(ImportFailed) as failure:
        import_path(store, folder)
    line = len(TINY[file]) + 2
    assert str(failure.value).startswith(f"{folder / (file + '.csv')}:{line}: {field}: ")
    assert "outside the dates trialstack-tui works with (1900-01-01 to 2999-12-31)" in str(failure.value)


def test_a_jsonl_line_nested_100000_deep_is_one_line_with_its_place(store, tmp_path, reader) -> None:
    folder = write_tiny(tmp_path / "in")
    (folder / "events.csv").unlink()
    good = json.dumps(dict(zip(HEADERS["events"], TINY["events"][0], strict=True)))
    (folder / "events.jsonl").write_text(good + "\n" + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ImportFailed) as failure:
        import_path(store, folder)
    assert str(failure.value) == f"{folder / 'events.jsonl'}:2: line: nested too deeply to be an export row"


@pytest.mark.parametrize("moved", ["workflow", "workspace"])
def test_moving_a_workflow_or_workspace_to_another_org_is_refused(store, tmp_path, moved) -> None:
    import_path(store, write_tiny(tmp_path / "first"))
    before = snapshot(store)
    if moved == "workflow":  # wf-a1 of org-a re-imported into org-b's workspace
        overrides = {"workflows": [("wf-a1", "ws-b", "Screening", "Enrollment", "Dana Ruiz", "true", "false")]}
        where, problem = "workflows.csv:2: workspace_id: workflow 'wf-a1' belongs to org 'org-a'", "org 'org-b'"
    else:
        overrides = {"workspaces": [("ws-a", "org-b", "Oncology")]}
        where, problem = "workspaces.csv:2: org_id: workspace 'ws-a' belongs to org 'org-a'", "org 'org-b'"
    folder = tmp_path / "again"
    for name in ("organizations", "workspaces", "workflows"):
        write_csv(folder, name, HEADERS[name], overrides.get(name, TINY[name]))
    with pytest.raises(ImportFailed) as failure:
        import_path(store, folder)
    assert str(failure.value).startswith(f"{folder}/{where}") and problem in str(failure.value)
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["summary", "--as-of", "0001-01-01"],
        ["summary", "--as-of", "9999-12-31"],
        ["summary", "--days", "999999999"],
        ["compare", "chg-1", "--days", "99999999"],
        ["--as-of", "0001-01-01"],  # the TUI's starting date
    ],
)
def test_dates_and_windows_beyond_the_calendar_are_one_line_usage_errors(capsys, tmp_path, argv) -> None:
    db = str(tmp_path / "store.db")
    assert cli.main(["import", str(write_tiny(tmp_path / "in")), "--db", db]) == 0
    capsys.readouterr()
    assert cli.main([*argv, "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ("outside the dates trialstack-tui works with" in err or "at most 3,660 days" in err)
