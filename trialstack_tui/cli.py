"""The `trialstack-tui` command: the TUI by default, and headless sub-commands (CONTRACT §4).

No business logic lives here: arguments in, `review` / `store` calls, `report` shapes out.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from . import __version__
from .config import StoreLocation, bundled_sample_dir, resolve_store
from .exports import FOLLOWUP_FORMAT_NAMES
from .errors import UserFacingError, unexpected_error_line
from .limits import MAX_DAYS, date_problem
from .safe_text import terminal_text, visible
from .preferences import Preferences, load_preferences
from .serve import DEFAULT_PORT, LOOPBACK
from .summary_ahead import SummaryAhead
from .metrics.window_days import COMPARISON_DAYS, DEFAULT_DAYS

EXIT_OK, EXIT_UNFORESEEN, EXIT_USAGE = 0, 1, 2


def _iso_date(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO date like 2026-10-31, got {value!r}") from None
    if problem := date_problem(day):
        raise argparse.ArgumentTypeError(problem)
    return day


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def say(text: str, *, error: bool = False) -> None:
    """Print a line (or lines) of command output or an error: every word the commands print passes here,
    so stored or typed text can never send a control sequence to the terminal (`safe_text`)."""
    print(terminal_text(text), file=sys.stderr if error else sys.stdout)


def _days(value: str) -> int:
    """A window length: windows are dated, so one cannot reach past the calendar's ends."""
    number = _positive_int(value)
    if number > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"at most {MAX_DAYS:,} days, got {number:,}")
    return number


def _port(value: str) -> int:
    number = _positive_int(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, got {number}")
    return number


class _Parser(argparse.ArgumentParser):
    """argparse with a usage error as one line (CONTRACT §4: exit 2 with a one-line reason), not usage + error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, terminal_text(f"{self.prog}: {message} (see --help)\n"))


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", default=argparse.SUPPRESS, metavar="PATH_OR_URL",
        help="store: a SQLite file path or a SQLAlchemy URL (default: $TRIALSTACK_DB, else the config file's "
        "store, else the user data dir)",
    )
    common.add_argument(
        "--read-only", action="store_true", default=argparse.SUPPRESS,
        help="open the store for browsing only; nothing is written",
    )
    common.add_argument(
        "--config", type=Path, default=argparse.SUPPRESS, metavar="PATH",
        help="the config file (keys, theme, window, store; default: <user config dir>/config.toml)",
    )
    parser = _Parser(
        prog="trialstack-tui",
        description="Review TrialStack usage, adoption, rollouts and billing. Without a command, opens the TUI.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"trialstack-tui {__version__}")
    parser.add_argument(
        "--days", type=_days, default=None, help="TUI: the starting window in days (default: the config's, else 30)"
    )
    parser.add_argument("--as-of", type=_iso_date, default=None, help="TUI: the starting as-of date")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("serve", parents=[common], help="serve the TUI to a browser (textual-serve), on 127.0.0.1")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT})")
    p.add_argument(
        "--host", default=LOOPBACK,
        help="the address to listen on (default 127.0.0.1; the app has no login, so any other is exposed)",
    )
    p.add_argument("--days", type=_days, default=None, help="the starting window in days")
    p.add_argument("--as-of", type=_iso_date, default=None, help="the starting as-of date")

    p = sub.add_parser("import", parents=[common], help="import CSV/JSONL exports (a folder or one file)")
    p.add_argument("path", nargs="?", type=Path, help="a folder of export files, or one file")
    p.add_argument("--sample", action="store_true", help="import the bundled sample data set")
    p.add_argument(
        "--ignore-unknown", action="store_true",
        help="import the known files of a folder holding others too (by default such a folder is refused)",
    )

    p = sub.add_parser("summary", parents=[common], help="the quick summary as a table or JSON")
    p.add_argument("--days", type=_days, default=DEFAULT_DAYS)
    p.add_argument("--as-of", type=_iso_date, default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--workflows", action="store_true",
        help="with --json: every workflow's figures, active users and lifecycle (costlier on large stores)",
    )

    p = sub.add_parser("compare", parents=[common], help="before/after/control comparison of one change")
    p.add_argument("change_id", help="a change id, as `changes` lists them")
    p.add_argument("--days", type=_days, default=COMPARISON_DAYS)
    p.add_argument("--as-of", type=_iso_date, default=None, help="compare with the data up to this date only")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("changes", parents=[common], help="list the changes with the ids `compare` takes")
    p.add_argument("--as-of", type=_iso_date, default=None, help="only changes on or before this date")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("org", parents=[common], help="one org's drill-down (the org screen) as text or JSON")
    p.add_argument("org_id")
    _window_arguments(p)
    p = sub.add_parser("workflow", parents=[common], help="one workflow (the workflow screen) as text or JSON")
    p.add_argument("workflow_id")
    _window_arguments(p)
    p = sub.add_parser("billing", parents=[common], help="credits, projections and crossing dates (the billing screen)")
    _window_arguments(p)

    p = sub.add_parser("report", parents=[common], help="an owner's report: one Markdown file to hand them")
    p.add_argument("--owner", required=True, help="the owner, as named on workflows and marks")
    p.add_argument("--out", type=Path, default=None, help="the file to write (default: in the exports folder)")
    p.add_argument("--days", type=_days, default=DEFAULT_DAYS)
    p.add_argument("--as-of", type=_iso_date, default=None)

    p = sub.add_parser("followups", parents=[common], help="list or export follow-up marks")
    p.add_argument("--status", choices=("open", "done", "all"), default="open")
    p.add_argument("--owner", default=None)
    p.add_argument("--format", choices=FOLLOWUP_FORMAT_NAMES, default="table")

    p = sub.add_parser("sample", help="write a synthetic data set in the import format")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--orgs", type=_positive_int, default=None)
    p.add_argument("--days", type=_days, default=180)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end", type=_iso_date, default=None, help="the last day of the data (default 2026-11-20)")
    p.add_argument(
        "--events", type=_positive_int, default=None,
        help="scale the data set to about this many events (for benchmarks); stories stay planted",
    )
    return parser


def _window_arguments(p: argparse.ArgumentParser) -> None:
    """--days, --as-of and --json, as every screen's command takes them."""
    p.add_argument("--days", type=_days, default=DEFAULT_DAYS)
    p.add_argument("--as-of", type=_iso_date, default=None)
    p.add_argument("--json", action="store_true")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already reported on one line
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _dispatch(args)
    except UserFacingError as exc:
        say(f"trialstack-tui: {exc}", error=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        say("trialstack-tui: interrupted; nothing was written", error=True)
        return 130
    except BrokenPipeError:
        # `trialstack-tui summary | head`: the reader went away; not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if os.environ.get("TRIALSTACK_DEBUG"):
            raise
        say(unexpected_error_line(exc), error=True)
        return EXIT_UNFORESEEN


def _tui_preferences(prefs: Preferences) -> tuple[dict[str, str] | None, str | None]:
    """The keymap and theme, checked here so a bad file ends the command before any screen. Checking loads
    every screen's bindings, so a start without keys or theme in its file skips it (the first frame is sooner)."""
    if not prefs.keys and prefs.theme is None:
        return None, None
    from .tui.keys import check_preferences

    tui = check_preferences(prefs)
    return tui.keymap, tui.theme


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "sample":
        return _cmd_sample(args)
    prefs = load_preferences(getattr(args, "config", None))
    location = resolve_store(getattr(args, "db", None), prefs.store)
    read_only = getattr(args, "read_only", False)
    if args.command in (None, "serve"):
        keymap, theme = _tui_preferences(prefs)
        if args.command == "serve":
            return _cmd_serve(args, location)
        days = args.days or prefs.window or DEFAULT_DAYS
        from .tui.collector import hold_during_startup

        hold_during_startup()
        # Started before Textual is imported, so that the summary is read beside the app's start.
        ahead = SummaryAhead.start(location, days, args.as_of)
        from .tui.launch import run_tui  # the app opens the store itself, behind its first frame

        return run_tui(
            location, read_only=read_only, days=days, as_of=args.as_of,
            prepare=lambda store: _fill_default_store(store, location, progress=False),
            keymap=keymap, theme=theme, ahead=ahead,
        )
    from .store import Store

    with Store(location, read_only=read_only) as store:
        if store.upgrade_note:
            say(f"trialstack-tui: {store.upgrade_note}", error=True)
        if args.command == "import":
            return _cmd_import(store, args)
        notice = _fill_default_store(store, location, progress=True)
        if notice:
            say(f"trialstack-tui: {notice}", error=True)
        if args.command == "summary":
            return _cmd_summary(store, args)
        if args.command == "compare":
            return _cmd_compare(store, args)
        if args.command == "changes":
            return _cmd_changes(store, args)
        if args.command in SCREEN_COMMANDS:
            return _cmd_screen(store, args)
        if args.command == "report":
            return _cmd_report(store, args)
        return _cmd_followups(store, args)


def _fill_default_store(store, location: StoreLocation, *, progress: bool) -> str | None:
    """First run on the default, empty store: load the bundled sample so there is something to review.

    Returns a notice saying so (None when there was nothing to do); `progress` shows a progress bar on an
    interactive stderr (not under the TUI, which owns the terminal).
    """
    if not location.is_default or store.read_only or not _store_is_empty(store):
        return None
    result = _import_with_progress(store, bundled_sample_dir(), progress=progress)
    return f"First run: loaded the bundled sample data ({result.added:,} rows) into {location.display}"


def _store_is_empty(store) -> bool:
    from .review import Review

    return not Review(store).catalog().orgs


class _ImportProgress:
    """A Rich progress bar per file on an interactive stderr (transient: gone when the import ends)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("{task.description}", markup=False), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
            console=Console(stderr=True), transient=True,
        )
        self._tasks: dict[str, int] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        if label not in self._tasks:
            if not self._tasks:
                self._progress.start()
            self._tasks[label] = self._progress.add_task(visible(label), total=total)
        self._progress.update(self._tasks[label], completed=done)

    def stop(self) -> None:
        self._progress.stop()


def _import_with_progress(store, path: Path, *, progress: bool = True, ignore_unknown: bool = False):
    """Import PATH, with a progress bar when stderr is a terminal (none when piped or redirected)."""
    from .store.importer import import_path

    bar = _ImportProgress() if progress and sys.stderr.isatty() else None
    try:
        return import_path(store, path, progress=bar, ignore_unknown=ignore_unknown)
    finally:
        if bar is not None:
            bar.stop()


def _cmd_import(store, args: argparse.Namespace) -> int:
    if args.sample == (args.path is not None):
        raise UserFacingError("import takes a PATH or --sample (exactly one)")
    result = _import_with_progress(
        store, bundled_sample_dir() if args.sample else args.path, ignore_unknown=args.ignore_unknown
    )
    if result.ignored:
        say(f"ignored (no known name): {', '.join(p.name for p in result.ignored)}")
    for f in result.files:
        extra = f"; unknown columns ignored: {', '.join(f.unknown_columns)}" if f.unknown_columns else ""
        say(f"{f.path.name}: added {f.added:,}, updated {f.updated:,}, skipped {f.skipped:,}{extra}")
    say(f"total: added {result.added:,}, updated {result.updated:,}, skipped {result.skipped:,}")
    return EXIT_OK


def _cmd_summary(store, args: argparse.Namespace) -> int:
    from . import report
    from .review import Review

    if args.workflows and not args.json:
        raise UserFacingError("--workflows goes with --json")
    # Lifecycle only for JSON: the text summary has no place for it; per workflow only when asked, as it is
    # the costliest query of all (seconds at ten million events, see benchmarks/README.md).
    summary = Review(store).summary(
        days=args.days, as_of=args.as_of, lifecycle=args.json, workflow_lifecycle=args.workflows
    )
    say(report.to_json(report.summary_json(summary)) if args.json else report.summary_text(summary))
    return EXIT_OK


def _cmd_compare(store, args: argparse.Namespace) -> int:
    from . import report
    from .review import Review

    review = Review(store)
    comparison = review.compare(args.change_id, days=args.days, as_of=args.as_of)
    say(report.to_json(report.comparison_json(comparison)) if args.json
        else report.comparison_text(comparison, review.names()))
    return EXIT_OK


def _cmd_changes(store, args: argparse.Namespace) -> int:
    from . import report
    from .review import Review

    review = Review(store)
    listed = review.change_list(as_of=args.as_of)
    say(report.to_json(report.changes_json(listed.changes)) if args.json
        else report.changes_text(listed.changes, listed.names))
    return EXIT_OK


SCREEN_COMMANDS = ("org", "workflow", "billing")


def _cmd_screen(store, args: argparse.Namespace) -> int:
    """`org`, `workflow` and `billing`: the screen's own view model, as text or JSON."""
    from . import report
    from .review import Review

    review = Review(store)
    if args.command == "org":
        model = review.org_detail(args.org_id, days=args.days, as_of=args.as_of)
        document, text = report.org_detail_json, report.org_detail_text
    elif args.command == "workflow":
        model = review.workflow_detail(args.workflow_id, days=args.days, as_of=args.as_of)
        document, text = report.workflow_detail_json, report.workflow_detail_text
    else:
        model = review.billing(as_of=args.as_of, days=args.days)
        document, text = report.billing_json, report.billing_text
    say(report.to_json(document(model)) if args.json else text(model))
    return EXIT_OK


def _cmd_report(store, args: argparse.Namespace) -> int:
    from . import report
    from .exports import default_export_path, write_export
    from .review import Review

    owner_report = Review(store).owner_report(args.owner, days=args.days, as_of=args.as_of)
    path = args.out or default_export_path(report.owner_report_stem(args.owner), "md")
    try:
        written = write_export(path, report.owner_report_markdown(owner_report))
    except UserFacingError:
        if path.exists():  # never over an existing file: the command cannot ask, so it says what to do
            raise UserFacingError(f"{path} already exists; nothing was written (choose another --out)") from None
        raise
    say(f"wrote the report for {args.owner} to {written}")
    return EXIT_OK


def _cmd_followups(store, args: argparse.Namespace) -> int:
    from . import report
    from .review import Review

    review = Review(store)
    marks = review.followups(status=args.status, owner=args.owner)
    say(report.FOLLOWUP_FORMATS[args.format](marks, review.names()).rstrip("\n"))
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace, location: StoreLocation) -> int:
    from .serve import is_loopback, serve

    host, port = args.host, args.port
    if not is_loopback(host):
        say(f"trialstack-tui: warning: serving on {host}: anyone who can reach {host}:{port} gets the app and its "
            "store, with no login; prefer the default 127.0.0.1 and an SSH tunnel", error=True)
    say(f"trialstack-tui: serving the TUI at http://{host}:{port} (Ctrl+C stops); from another machine: "
        f"ssh -L {port}:{host}:{port} this-host, then open http://{host}:{port}", error=True)

    tui_args = ["--read-only"] if getattr(args, "read_only", False) else []
    if getattr(args, "config", None) is not None:
        tui_args += ["--config", str(args.config.absolute())]
    if args.days is not None:
        tui_args += ["--days", str(args.days)]
    if args.as_of is not None:
        tui_args += ["--as-of", args.as_of.isoformat()]
    # The store goes to each app process by environment, not argument: a URL's password stays out of `ps`.
    store = None if getattr(args, "db", None) is None else location.url
    serve(host, port, tui_args, store=store)
    return EXIT_OK


def _cmd_sample(args: argparse.Namespace) -> int:
    from .sample import DEFAULT_END, SampleSpec, write_sample

    spec = SampleSpec(
        orgs=args.orgs, days=args.days, seed=args.seed, end=args.end or DEFAULT_END, target_events=args.events
    )
    counts = write_sample(spec, args.out)
    say(", ".join(f"{name}: {n:,}" for name, n in counts.items()) + f" → {args.out}")
    return EXIT_OK
