"""Fetch the highlighted org's drill-down while the administrator is still reading the summary.

Enter then shows a model that is already built (or waits for the one being built) instead of starting the
queries only after the key press.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from .review_window import ReviewWindow

if TYPE_CHECKING:
    from ..view_models import OrgDetail
    from ..review import Review

KEEP = 16


class OrgPrefetcher:
    """Builds org drill-downs on two threads of its own, keyed by (org, window), keeping the last KEEP.

    `prefetch` starts a build for the highlighted org and cancels the builds still waiting for the thread;
    `ready` hands over a finished one without waiting (the screen then paints its first frame complete);
    `get` waits for it on a screen's worker. `close` ends the thread with the app."""

    def __init__(self, review: Callable[[], Review]) -> None:
        self.review = review  # the seam, asked for when a build starts (the store may still be opening)
        # Two threads: the org Enter opens starts at once even while the one the cursor left is still building.
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="prefetch")
        self._futures: OrderedDict[tuple[str, ReviewWindow], Future[OrgDetail]] = OrderedDict()
        self._lock = threading.Lock()  # the futures are touched by the UI thread and by screens' workers

    def _fetch(self, org_id: str, window: ReviewWindow) -> OrgDetail:
        return self.review().org_detail(org_id, days=window.days, as_of=window.as_of)

    def prefetch(self, org_id: str, window: ReviewWindow) -> None:
        """Start building the org's detail for this window unless it is built or being built."""
        key = (org_id, window)
        with self._lock:
            if key in self._futures:
                self._futures.move_to_end(key)
                return
            # The cursor has moved on: builds still waiting for the thread are for orgs it has left.
            for waiting in [k for k, future in self._futures.items() if future.cancel()]:
                del self._futures[waiting]
            self._futures[key] = self._executor.submit(self._fetch, org_id, window)
            while len(self._futures) > KEEP:
                self._futures.popitem(last=False)[1].cancel()

    def requested(self, org_id: str, window: ReviewWindow) -> bool:
        """Whether the org's detail for this window is built or being built."""
        with self._lock:
            return (org_id, window) in self._futures

    def ready(self, org_id: str, window: ReviewWindow) -> OrgDetail | None:
        """The detail if it is already built (and built without error), else None."""
        with self._lock:
            future = self._futures.get((org_id, window))
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return None
        return future.result()

    def get(self, org_id: str, window: ReviewWindow) -> OrgDetail:
        """The detail: the prefetched one (waiting for it if it is being built), else built now in the
        caller's thread (a screen's worker), noted as under way so that a prefetch does not build it twice."""
        key = (org_id, window)
        with self._lock:
            future = self._futures.get(key)
            if future is None or future.cancelled():
                future = None
                here: Future[OrgDetail] = Future()
                here.set_running_or_notify_cancel()
                self._futures[key] = here
        if future is not None:
            try:
                return future.result()
            except Exception:  # noqa: BLE001 - build it again in this thread; its error will surface there
                return self._fetch(org_id, window)
        try:
            detail = self._fetch(org_id, window)
        except BaseException as exc:
            with self._lock:
                if self._futures.get(key) is here:
                    del self._futures[key]  # a later Enter or prefetch tries again
            here.set_exception(exc)
            raise
        here.set_result(detail)
        return detail

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
