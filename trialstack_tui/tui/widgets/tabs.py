"""The screens' own keys, always on screen: a tab bar under the header (the footer keeps this screen's keys)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static


class ScreenTabs(Static):
    """`h Summary  c Rollouts  b Billing  f Follow-ups │ ? Help  q Quit`, the current screen's tab reversed.

    The current tab is marked by reverse video and brackets, not by colour alone, so it reads in NO_COLOR.
    """

    def __init__(self, tabs: Sequence[tuple[str, str, str]], current: str, extra: Sequence[tuple[str, str]]) -> None:
        """`tabs`: (action, key, label) per screen; `current`: this screen's action; `extra`: (key, label)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for action, key, label in tabs:
            if action == current:
                text.append(f"[{key} {label}]", style="reverse bold")
            else:
                text.append(f" {key}", style="bold")
                text.append(f" {label} ")
            text.append(" ")
        text.append("│", style="dim")
        for key, label in extra:
            text.append(f" {key}", style="bold")
            text.append(f" {label} ")
        super().__init__(text, classes="screen-tabs")
