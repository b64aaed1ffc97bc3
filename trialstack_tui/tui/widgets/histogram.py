"""The placebo histogram: how the scope's earlier windows moved, and where the change under review falls."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

BLOCKS = " ▁▂▃▄▅▆▇█"


def placebo_histogram(placebos: Sequence[float], observed: float, usual: float, width: int = 32) -> Text:
    """Two lines: a bar per bin of the placebo differences, and a ▲ under the bin of the observed one.

    Glyphs, not colour, carry the meaning, so it reads the same in NO_COLOR and 16 colours.
    """
    if not placebos:
        return Text("no earlier windows of this length inside the data", style="dim")
    low, high = min(*placebos, observed, usual), max(*placebos, observed, usual)
    span = (high - low) or 1.0
    bins = [0] * width

    def slot(value: float) -> int:
        return min(width - 1, int((value - low) / span * width))

    for value in placebos:
        bins[slot(value)] += 1
    tallest = max(bins)
    bars = "".join(BLOCKS[0 if n == 0 else max(1, round(n / tallest * 8))] for n in bins)
    marks = [" "] * width
    marks[slot(usual)] = "┴"
    marks[slot(observed)] = "▲"
    text = Text()
    text.append(f"{low:+.0%} ", style="dim")
    text.append(bars, style="cyan")
    text.append(f" {high:+.0%}", style="dim")
    text.append("\n" + " " * len(f"{low:+.0%} "))
    text.append("".join(marks), style="bold")
    text.append(f"\n▲ this change {observed:+.0%} · ┴ usual {usual:+.0%} · {len(placebos)} earlier windows", style="dim")
    return text
