"""An administrator's own defaults: `<user config dir>/config.toml`, or the file `--config PATH` names.

```toml
theme = "textual-light"    # any Textual theme
window = 90                # the TUI's starting window: 7, 30 or 90 days
store = "~/reviews/usage.db"   # a path (relative to this file's folder) or a SQLAlchemy URL

[keys]                     # binding id = key(s), comma-separated: Textual keymaps
quit = "ctrl+q"
row-down = "n,j"
```

This module reads and checks the file's shape; the TUI checks the binding ids, keys and theme against its own
bindings and themes (`tui.keys`). Every fault is one `file:line: field: problem` line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from .config import APP_NAME
from .errors import UserFacingError
from .metrics.window_days import WINDOW_CHOICES

CONFIG_FILENAME = "config.toml"
SETTINGS = ("theme", "window", "store", "keys")


class PreferencesError(UserFacingError):
    """A fault in the config file, located: `file:line: field: problem`."""

    def __init__(self, path: Path, line: int | None, field_name: str, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)  # no line for a file that cannot be read
        super().__init__(f"{where}: {field_name}: {problem}")


@dataclass(frozen=True)
class Preferences:
    """What the file set; None (or empty keys) where it set nothing."""

    path: Path | None = None  # the file read; None when there is none
    theme: str | None = None
    window: int | None = None
    store: str | None = None
    keys: dict[str, str] = field(default_factory=dict)  # binding id → key string, as written
    lines: dict[str, int] = field(default_factory=dict)  # "theme", "keys.quit", … → line in the file

    def fault(self, name: str, problem: str) -> PreferencesError:
        """A located error about setting `name` ("theme", "keys.quit", …) of this file."""
        assert self.path is not None
        return PreferencesError(self.path, self.lines.get(name, 1), name, problem)


def default_config_path() -> Path:
    """`<platformdirs user config dir>/config.toml` (on Linux `~/.config/trialstack-tui/config.toml`)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILENAME


def load_preferences(flag: Path | None = None) -> Preferences:
    """Read `--config PATH`, else the default file; no default file means no preferences.

    Raises PreferencesError for a missing `--config` file, bad TOML, an unknown setting or a bad value.
    """
    path = flag if flag is not None else default_config_path()
    if flag is None and not path.exists():
        return Preferences()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PreferencesError(path, None, "config", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PreferencesError(path, None, "config", f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts the place at the end of its message: "... (at line 3, column 7)".
        where = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", str(exc))
        line = int(where.group(1)) if where else len(text.splitlines())
        column = f" (column {where.group(2)})" if where else ""
        raise PreferencesError(path, line, "toml", f"{message}{column}") from None
    lines = _setting_lines(text)
    prefs = Preferences(path=path, lines=lines)
    for name in data:
        if name not in SETTINGS:
            raise prefs.fault(name, f"unknown setting (known: {', '.join(SETTINGS)})")
    theme, window, store, keys = (data.get(name) for name in SETTINGS)
    if theme is not None and not isinstance(theme, str):
        raise prefs.fault("theme", "expected the name of a theme in quotes")
    if window is not None and (isinstance(window, bool) or window not in WINDOW_CHOICES):
        raise prefs.fault("window", f"expected one of {', '.join(map(str, WINDOW_CHOICES))}, got {window!r}")
    if store is not None and (not isinstance(store, str) or not store.strip()):
        raise prefs.fault("store", "expected a path or a URL in quotes")
    if keys is not None and not isinstance(keys, dict):
        raise prefs.fault("keys", "expected a table: [keys] then one `binding-id = \"key\"` a line")
    for binding_id, keystring in (keys or {}).items():
        if not isinstance(keystring, str) or not keystring.strip():
            raise prefs.fault(f"keys.{binding_id}", 'expected keys in quotes, such as "ctrl+q" or "n,j"')
    return Preferences(
        path=path, theme=theme, window=window, store=_store_value(store, path) if store else None,
        keys=dict(keys or {}), lines=lines,
    )


def _store_value(store: str, path: Path) -> str:
    """A URL as written; a path with `~` expanded and, when relative, taken from the config file's folder."""
    if "://" in store:
        return store
    return str((path.parent / Path(store).expanduser()).absolute())


_TABLE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_ASSIGNMENT = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")


def _setting_lines(text: str) -> dict[str, int]:
    """Where each setting is written: "theme" → 2, "keys.quit" → 7 (tomllib keeps no positions)."""
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        if header := _TABLE.match(line):
            table = header.group(1).strip("\"'")
            lines.setdefault(table, number)
        elif assignment := _ASSIGNMENT.match(line):
            key = assignment.group(1).strip("\"'")
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines
