"""Data is never markup and never terminal control: make any stored string safe to print or render."""

from __future__ import annotations

import re

from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0/C1 controls (ESC, OSC, BEL, newlines…) and the bidi overrides that reorder what follows them."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object) -> str:
    """The string with every control character replaced by a visible escape such as `\\x1b`."""
    return _CONTROL.sub(_escape, str(value))


def plain(value: object, style: str = "") -> Text:
    """A Rich Text of the value, never parsed as markup, with controls made visible."""
    return Text(visible(value), style=style, no_wrap=True, overflow="ellipsis")
