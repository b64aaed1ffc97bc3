"""Keep the layers honest (as Harlequin does): the data layer never imports Textual, metrics never import SQL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def modules_after_import(*names: str) -> set[str]:
    """The top-level packages loaded by importing `names` in a fresh interpreter."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {list(names)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
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
    """The app and its screens import no SQL library: the store opens on a worker after the first frame."""
    loaded = modules_after_import("trialstack_tui.tui.app")
    assert "textual" in loaded  # the probe really imported the app
    assert not loaded & {"sqlalchemy", "sqlmodel", "pydantic", "psycopg"}


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
