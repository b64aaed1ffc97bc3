"""Keep the layers honest (as Harlequin does): the data layer never imports Textual, metrics never import SQL.

The rules are import-linter contracts in pyproject.toml; the probes below check the same at run time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(*config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *map(str, config)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_the_import_linter_contracts_in_pyproject_are_kept():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_lint_imports_reports_a_broken_contract(tmp_path):
    """The checker really reads the code: a rule the seam breaks (it imports the store) is reported."""
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "trialstack_tui"\n'
        '[[tool.importlinter.contracts]]\nname = "seam without store"\ntype = "forbidden"\n'
        'source_modules = ["trialstack_tui.review"]\nforbidden_modules = ["trialstack_tui.store"]\n'
    )
    result = lint_imports(config)
    assert result.returncode == 1
    assert "seam without store BROKEN" in result.stdout and "trialstack_tui.review -> trialstack_tui.store" in result.stdout


def modules_after_import(*names: str, whole: bool = False) -> set[str]:
    """The top-level packages (`whole`: the modules) loaded by importing `names` in a fresh interpreter."""
    shown = "m" if whole else "m.split('.')[0]"
    script = (
        "import importlib, json, sys\n"
        f"for name in {list(names)!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted({{{shown} for m in sys.modules}})))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(result.stdout))


@pytest.mark.parametrize(
    "module",
    ["trialstack_tui.store", "trialstack_tui.metrics", "trialstack_tui.review", "trialstack_tui.report",
     "trialstack_tui.cli"],
)
def test_the_headless_layers_do_not_import_textual(module):
    loaded = modules_after_import(module)
    assert "trialstack_tui" in loaded  # the probe really imported something
    assert "textual" not in loaded
    assert "textual_plotext" not in loaded and "plotext" not in loaded


def test_metrics_import_no_sql():
    loaded = modules_after_import(
        "trialstack_tui.metrics.summary", "trialstack_tui.metrics.rollout", "trialstack_tui.metrics.spikes",
        "trialstack_tui.metrics.billing", "trialstack_tui.records",
    )
    assert "trialstack_tui" in loaded
    assert not loaded & {"sqlalchemy", "sqlmodel", "sqlite3", "psycopg", "textual"}


def test_the_tui_draws_without_importing_the_store():
    """The app factory, the app and its screens import no SQL library: the store opens on a worker after the
    first frame."""
    loaded = modules_after_import("trialstack_tui.tui.launch")
    assert "textual" in loaded  # the probe really imported the app
    assert not loaded & {"sqlalchemy", "sqlmodel", "pydantic", "psycopg"}


def test_the_first_frame_imports_neither_the_metrics_nor_plotext():
    """What the summary's first frame does not draw loads later: the metrics, records and view models with
    the store (on the worker), plotext with the first chart, the other screens when opened. The command itself
    (`trialstack-tui`, the CLI that parses its arguments and starts the app) is part of that path: it had
    imported the reports, and with them the metrics and view models, before starting the summary's helper."""
    loaded = modules_after_import("trialstack_tui.cli", "trialstack_tui.tui.launch", whole=True)
    assert "trialstack_tui.tui.screens.summary" in loaded  # the probe really imported the first screen
    later = {
        "plotext", "textual_plotext", "trialstack_tui.records", "trialstack_tui.view_models", "trialstack_tui.report",
        "trialstack_tui.metrics.summary", "trialstack_tui.metrics.rollout", "trialstack_tui.metrics.spikes",
        "trialstack_tui.metrics.evidence", "trialstack_tui.tui.screens.org", "trialstack_tui.tui.widgets.plots",
    }
    assert not loaded & later


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://ana:s3cr%40t@db.example:5432/usage",
         "postgresql+psycopg://ana:***@db.example:5432/usage"),
        ("postgresql+psycopg://ana@db.example/usage?sslmode=require",
         "postgresql+psycopg://ana@db.example/usage?sslmode=require"),
    ],
)
def test_a_server_store_is_shown_without_its_password_and_without_importing_sqlalchemy(url, shown):
    script = (
        "import sys\n"
        "from trialstack_tui.config import resolve_store\n"
        f"print(resolve_store({url!r}).display)\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.splitlines() == [shown, "False"]
