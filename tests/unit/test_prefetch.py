"""The prefetcher builds drill-downs on two threads and drops the ones the cursor has left before they start."""

from __future__ import annotations

import threading
import time

import pytest

from trialstack_tui.tui.prefetch import OrgPrefetcher
from trialstack_tui.tui.review_window import ReviewWindow


class SlowReview:
    """A seam whose org_detail waits until released, noting which orgs it was asked for."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.asked: list[str] = []

    def org_detail(self, org_id: str, days: int, as_of) -> str:
        self.asked.append(org_id)
        self.started.set()
        assert self.release.wait(10)
        return f"detail of {org_id}"


def test_moving_on_cancels_the_builds_still_waiting_and_keeps_the_running_ones() -> None:
    review = SlowReview()
    prefetcher = OrgPrefetcher(lambda: review)
    window = ReviewWindow()
    try:
        prefetcher.prefetch("org-a", window)
        prefetcher.prefetch("org-b", window)
        deadline = time.monotonic() + 10
        while len(review.asked) < 2 and time.monotonic() < deadline:  # both threads are building
            time.sleep(0.01)
        assert sorted(review.asked) == ["org-a", "org-b"]
        prefetcher.prefetch("org-c", window)  # waits for a thread...
        prefetcher.prefetch("org-d", window)  # ...and is dropped when the cursor moves on to org-d
        assert prefetcher.requested("org-a", window) and prefetcher.requested("org-b", window)
        assert not prefetcher.requested("org-c", window)
        assert prefetcher.requested("org-d", window)
        review.release.set()
        assert prefetcher.get("org-d", window) == "detail of org-d"
        assert prefetcher.get("org-a", window) == "detail of org-a"
        assert sorted(review.asked) == ["org-a", "org-b", "org-d"]  # org-c was never built
    finally:
        review.release.set()
        prefetcher.close()


def test_a_drill_down_built_after_enter_is_not_built_again_by_a_late_prefetch() -> None:
    review = SlowReview()
    prefetcher = OrgPrefetcher(lambda: review)
    window = ReviewWindow()
    got: list[str] = []
    try:
        worker = threading.Thread(target=lambda: got.append(prefetcher.get("org-a", window)))
        worker.start()  # Enter on an org nothing has prefetched: built on the screen's worker
        assert review.started.wait(10)
        assert prefetcher.requested("org-a", window)
        prefetcher.prefetch("org-a", window)  # the summary's timer fires after Enter: nothing new is built
        review.release.set()
        worker.join(10)
        assert got == ["detail of org-a"]
        assert prefetcher.ready("org-a", window) == "detail of org-a"
        assert review.asked == ["org-a"]
    finally:
        review.release.set()
        prefetcher.close()


def test_a_failed_build_is_forgotten_so_the_next_enter_tries_again() -> None:
    calls: list[str] = []

    class Flaky:
        def org_detail(self, org_id: str, days: int, as_of) -> str:
            calls.append(org_id)
            if len(calls) == 1:
                raise RuntimeError("the store went away")
            return f"detail of {org_id}"

    prefetcher = OrgPrefetcher(lambda: Flaky())
    window = ReviewWindow()
    try:
        with pytest.raises(RuntimeError):
            prefetcher.get("org-a", window)
        assert not prefetcher.requested("org-a", window)
        assert prefetcher.get("org-a", window) == "detail of org-a"
        assert calls == ["org-a", "org-a"]
    finally:
        prefetcher.close()
