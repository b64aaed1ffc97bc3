"""The prefetcher builds one drill-down at a time and drops the ones the cursor has left before they start."""

from __future__ import annotations

import threading

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


def test_moving_on_cancels_the_builds_still_waiting_and_keeps_the_running_one() -> None:
    review = SlowReview()
    prefetcher = OrgPrefetcher(lambda: review)
    window = ReviewWindow()
    try:
        prefetcher.prefetch("org-a", window)
        assert review.started.wait(10)  # org-a is being built on the thread
        prefetcher.prefetch("org-b", window)  # waits for the thread...
        prefetcher.prefetch("org-c", window)  # ...and is dropped when the cursor moves on to org-c
        assert prefetcher.requested("org-a", window)
        assert not prefetcher.requested("org-b", window)
        assert prefetcher.requested("org-c", window)
        review.release.set()
        assert prefetcher.get("org-c", window) == "detail of org-c"
        assert prefetcher.get("org-a", window) == "detail of org-a"
        assert review.asked == ["org-a", "org-c"]  # org-b was never built
    finally:
        review.release.set()
        prefetcher.close()
