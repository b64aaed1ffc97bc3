"""The screens' own keys, always on screen: a tab bar under the header (the footer keeps this screen's keys)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.binding import Binding
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


def keys_in_force(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The keys that reach `binding` now: the keymap's when it remaps the binding's id, else its own."""
    keystring = keymap.get(binding.id, binding.key) if binding.id else binding.key
    return [key.strip() for key in keystring.split(",") if key.strip()]
