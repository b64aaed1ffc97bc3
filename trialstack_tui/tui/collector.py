"""When Python's cyclic garbage collector may walk everything: never in the middle of a held key.

A full (generation 2) collection walks every tracked object: ~100k after a few drill-downs (each painted line,
a Strip, carries seven small caches), 50-100 ms at a time, and one that falls inside a held `j` is a frame that
much late. While keys keep arriving only the young generations are collected (a millisecond or two, and the
garbage of a screen just closed goes with them); REST seconds after the last key full collections run as usual.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

REST = 0.5  # seconds without a key after which full collections run again
NEVER = 1 << 30  # a generation-2 threshold no run of keys reaches


class KeyPaced:
    """`key()` on every key event; full collections are held off until REST seconds pass without one."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._resume: Timer | None = None  # set while this object holds full collections off
        self._thresholds: tuple[int, int, int] | None = None

    def key(self) -> None:
        if self._resume is not None:
            self._resume.reset()
            return
        self._thresholds = gc.get_threshold()
        young, middle, _full = self._thresholds
        gc.set_threshold(young, middle, NEVER)
        self._resume = self.app.set_timer(REST, self.release, name="collector")

    def release(self) -> None:
        """Let full collections run again (after the rest, and when the app ends)."""
        if self._resume is not None:
            self._resume.stop()
            self._resume = None
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None


def hold_during_startup() -> None:
    """No collection from the command's start until the store is open (`startup_done`, at most a few seconds):
    the imports, the first frame and the summary's paint make ~100k long-lived objects and next to no
    garbage cycles, and collecting walked them again and again (the command's imports alone: 84 collections,
    16 ms before the first frame)."""
    gc.disable()


def startup_done() -> None:
    """What exists once the store is open (modules, classes, the summary's widgets) lives as long as the app.
    Frozen, it is not walked again on every full collection (~120k objects: 50-130 ms a time); then the
    collector runs again (`hold_during_startup`)."""
    gc.freeze()
    gc.enable()
