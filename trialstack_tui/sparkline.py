"""Text sparklines: one block character per value, shared by table cells and the Markdown report."""

from __future__ import annotations

from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int | None = None) -> str:
    """The last `width` values (all when None) as blocks scaled to their maximum; '' for no values."""
    tail = list(values) if width is None else list(values)[-width:]
    top = max(tail, default=0)
    if top <= 0:
        return BLOCKS[0] * len(tail)
    return "".join(BLOCKS[min(7, int(v / top * 7.999))] for v in tail)
