"""Data is never markup and never terminal control: make any stored string safe to print, render or export.

Every place that writes stored or typed text where a person reads it goes through this module: TUI cells,
titles and notifications (`plain`, `visible`), command output and error lines (`terminal_text`), JSON
(`json_safe`), CSV and Markdown exports (`csv_cell`, `visible`). One rule, one implementation.
"""

from __future__ import annotations

import re

from rich.text import Text

_BEYOND_C0 = r"\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
"""DEL, C1 controls (0x9b is a one-byte CSI, 0x9d a one-byte OSC), the line and paragraph separators, and
every bidi control (marks, embeddings, overrides, isolates) that would reorder what follows it on screen."""
_CONTROL = re.compile(f"[\\x00-\\x1f{_BEYOND_C0}]")
"""C0 controls (ESC, BEL, CR, LF, TAB…) and the rest."""
_CONTROL_BUT_NEWLINE = re.compile(f"[\\x00-\\x09\\x0b-\\x1f{_BEYOND_C0}]")
_NOT_ESCAPED_BY_JSON = re.compile(f"[{_BEYOND_C0}]")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection")."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object) -> str:
    """The string with every control character replaced by a visible escape such as `\\x1b`."""
    return _CONTROL.sub(_escape, str(value))


def terminal_text(value: object) -> str:
    """Text for a terminal that may span lines: as `visible`, but its line breaks stay line breaks."""
    return _CONTROL_BUT_NEWLINE.sub(_escape, str(value))


def plain(value: object, style: str = "") -> Text:
    """A Rich Text of the value, never parsed as markup, with controls made visible."""
    return Text(visible(value), style=style, no_wrap=True, overflow="ellipsis")


def csv_cell(value: object) -> str:
    """A cell for a CSV a person opens in a spreadsheet: controls made visible (a line break stays: the CSV
    writer quotes it, while a bare CR it would not quote), and a formula made text.

    Following OWASP's advice on CSV injection, a cell starting with `=`, `+`, `-`, `@`, TAB or CR gets a
    leading `'`, which spreadsheets show as text and never evaluate (`=HYPERLINK(…)` → `'=HYPERLINK(…)`).
    """
    text = str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return terminal_text(text)


def tsv_cell(value: object) -> str:
    """A cell of tab-separated text for the clipboard: as the screen shows it (`visible`: a tab or line break
    would split the cell or the row, so it becomes `\\x09` / `\\x0a`), and a formula made text as in
    `csv_cell`, since the paste usually lands in a spreadsheet."""
    text = visible(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def json_safe(document: str) -> str:
    """JSON text whose strings carry no raw control characters: JSON escapes C0 itself; C1 controls, the
    line separators and bidi controls become `\\uXXXX` escapes too, which decode to the same data."""
    return _NOT_ESCAPED_BY_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
