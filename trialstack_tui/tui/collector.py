"""When Python's cyclic garbage collector may run: never in the middle of a held key.

A full collection walks every tracked object: ~100k after a few drill-downs (each painted line, a Strip, carries
seven small caches), 50-100 ms at a time, and one that falls inside a held `j` is a frame that much late. While
keys keep arriving the collector waits; REST seconds after the last key it runs as usual. Reference counting
frees almost everything in the meantime: only reference cycles wait for it.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

REST = 0.5  # seconds without a key after which the collector runs again


class KeyPaced:
    """`key()` on every key event; the collector is held off until REST seconds pass without one."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._resume: Timer | None = None  # set while this object holds the collector off

    def key(self) -> None:
        if self._resume is not None:
            self._resume.reset()
        elif gc.isenabled():  # (never re-enable a collector someone else turned off)
            gc.disable()
            self._resume = self.app.set_timer(REST, self.release, name="collector")

    def release(self) -> None:
        """Let the collector run again (after the rest, and when the app ends)."""
        if self._resume is not None:
            self._resume.stop()
            self._resume = None
            gc.enable()

    @staticmethod
    def freeze_startup_objects() -> None:
        """What exists once the store is open (modules, classes, the summary's widgets) lives as long as the app.
        Frozen, it is not walked again on every full collection (~120k objects: 50-130 ms a time)."""
        gc.freeze()
