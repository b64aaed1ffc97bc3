"""How a share is written, in every report, export and screen."""

from __future__ import annotations


def pct(value: float | None, signed: bool = False) -> str:
    """A share as a whole percentage, '—' when unknown; signed, a change that rounds to nothing is '±0%'."""
    if value is None:
        return "—"
    if not signed:
        return f"{value:.0%}"
    text = f"{value:+.0%}"
    return "±0%" if text in ("+0%", "-0%") else text
