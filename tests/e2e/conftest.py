"""The end-to-end tests run one after another on one worker: a headless Chromium beside a tmux session on a
two-core machine starves the keys the tmux test types (`--dist loadgroup` in pyproject.toml)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent.name == "e2e":
            item.add_marker(pytest.mark.xdist_group("e2e"))
