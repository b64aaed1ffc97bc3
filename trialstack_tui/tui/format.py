"""Cell formatting shared by every screen: numbers, shares and trends as Rich Text (never markup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from ..figures import pct
from ..metrics.lifecycle import STATES
from ..safe_text import plain, visible
from ..sparkline import sparkline

if TYPE_CHECKING:
    from ..metrics.lifecycle import Lifecycle
    from ..metrics.windows import Trend

TREND_STYLE = {"growing": "green", "declining": "red", "new": "cyan", "none": "dim", "steady": ""}
TREND_ARROW = {"growing": "▲", "declining": "▼", "new": "✚", "none": "·", "steady": "▶"}


def num(value: float | int | None, spec: str = ",.0f") -> Text:
    """A right-aligned number; '—' when unknown."""
    return Text("—" if value is None else format(value, spec), justify="right")


def share(value: float | None, *, warn_below: float | None = None, warn_above: float | None = None) -> Text:
    """A whole percentage, in red when past a warning threshold."""
    if value is None:
        return Text("—", justify="right", style="dim")
    style = ""
    if (warn_below is not None and value < warn_below) or (warn_above is not None and value >= warn_above):
        style = "bold red"
    return Text(f"{value:.0%}", justify="right", style=style)


def trend(t: Trend) -> Text:
    """An arrow and the relative change, e.g. '▼ -22%', coloured by its label."""
    change = "" if t.change is None else signed_pct(t.change)
    label = change or t.label
    return Text(f"{TREND_ARROW[t.label]} {label}", style=TREND_STYLE[t.label], justify="right")


def signed_pct(value: float) -> str:
    """+12% / -3%, and ±0% for a change that rounds to nothing (never '-0%'), as the text commands print it."""
    return pct(value, signed=True)


def ratio_of(part: int, whole: int) -> Text:
    return Text(f"{part:,}/{whole:,}", justify="right")


def data(value: object, style: str = "") -> Text:
    """Any stored string (names, notes, ids): shown literally, controls made visible."""
    return plain("" if value is None else value, style)


def spark(values: list[int] | list[float], width: int = 14) -> Text:
    """A one-line sparkline of the last `width` values (for table cells)."""
    line = sparkline(values, width)
    return Text(line, style="cyan" if max(values[-width:], default=0) > 0 else "dim")


def fact_lines(lines: list[tuple[str, str | Text, bool]]) -> Table:
    """'Label  value' lines for a side panel; a True third item shows the value as a warning.

    A grid, so a value too long for the panel wraps under itself instead of being cut off.
    """
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True, min_width=9)
    grid.add_column(ratio=1)
    for label, value, warn in lines:
        grid.add_row(label, value if isinstance(value, Text) else Text(visible(value), style="bold red" if warn else ""))
    return grid


LIFECYCLE_STYLE = {"new": "cyan", "returning": "green", "resurrecting": "yellow", "dormant": "red"}
LIFECYCLE_BLOCK = {"new": "█", "returning": "▓", "resurrecting": "▒", "dormant": "░"}
LIFECYCLE_ABBR = {"new": "new", "returning": "ret", "resurrecting": "res", "dormant": "dorm"}
"""Each state has its own block as well as its colour, so the bar reads in 16 colours and with NO_COLOR."""


def lifecycle_state(state: str) -> Text:
    """A lifecycle state in its colour, with its block."""
    return Text(f"{LIFECYCLE_BLOCK[state]} {state}", style=LIFECYCLE_STYLE[state])


def lifecycle_bar(lc: Lifecycle | None, width: int = 10) -> Text:
    """One stacked bar of new / returning / resurrecting / dormant users and the stickiness beside it.

    Every state with users gets at least one cell, so a single new user is never rounded away.
    """
    if lc is None:
        return Text("—", style="dim")
    present = [s for s in STATES if lc.count(s)]
    if not present:
        return Text("no users", style="dim")
    total = sum(lc.count(s) for s in present)
    cells = {s: max(1, round(lc.count(s) / total * width)) for s in present}
    while sum(cells.values()) > max(width, len(present)):
        cells[max(present, key=lambda s: cells[s])] -= 1
    bar = Text()
    for s in present:
        bar.append(LIFECYCLE_BLOCK[s] * cells[s], style=LIFECYCLE_STYLE[s])
    sticky = "—" if lc.stickiness is None else f"{lc.stickiness:.0%}"
    bar.append(f" sticky {sticky}")
    return bar


def lifecycle_counts(lc: Lifecycle | None) -> Text:
    """'3 new 40 ret 2 res 5 dorm', each count in its state's colour."""
    text = Text()
    if lc is None:
        return text
    for i, s in enumerate(STATES):
        text.append(("" if i == 0 else " ") + f"{lc.count(s)} {LIFECYCLE_ABBR[s]}", style=LIFECYCLE_STYLE[s])
    return text
