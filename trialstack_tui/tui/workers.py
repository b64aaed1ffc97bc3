"""The one worker body of the TUI: a call to the review seam on a thread, its result back on the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from ..errors import UserFacingError

Built = TypeVar("Built")


def build_in_worker(
    node: DOMNode, build: Callable[[], Built], deliver: Callable[[Built], None], failed: Callable[[str], None],
    *, group: str, exclusive: bool = True,
) -> Worker[None]:
    """Run `build` (a call to the review seam) on a worker thread of `node` (the app or a screen), and hand its
    result to `deliver` on the UI thread, or a foreseen fault's one-line message to `failed`. Nothing reaches
    either once the worker is cancelled (a newer build of the same exclusive group, or the screen closed). An
    unforeseen error ends the worker in its ERROR state, which the app's `report_worker_failure` turns into one
    line."""
    app = node.app

    def run() -> None:
        worker = get_current_worker()
        try:
            result = build()
        except UserFacingError as exc:
            if not worker.is_cancelled:
                app.call_from_thread(failed, str(exc))
            return
        if not worker.is_cancelled:
            app.call_from_thread(deliver, result)

    return node.run_worker(run, thread=True, group=group, exclusive=exclusive, exit_on_error=False)
