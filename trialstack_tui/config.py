"""Where the data lives: platformdirs paths and store URL resolution (flag > environment > default)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import platformdirs

from .errors import UserFacingError

APP_NAME = "trialstack-tui"
ENV_DB = "TRIALSTACK_DB"
DB_FILENAME = "usage.db"


@dataclass(frozen=True)
class StoreLocation:
    """A resolved store: a SQLAlchemy URL, and for SQLite the file path it points at."""

    url: str
    path: Path | None  # None for server databases (PostgreSQL)
    is_default: bool

    @property
    def display(self) -> str:
        """The location as shown to a person: a path, or a URL with any password hidden."""
        if self.path is not None:
            return str(self.path)
        # The standard library, not SQLAlchemy's URL: the TUI shows this before it imports the store.
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        userinfo, host = parts.netloc.rsplit("@", 1)
        return urlunsplit(parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{host}"))


def data_dir() -> Path:
    """The per-user data folder (created on demand by the store, owner-only)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_store(flag: str | None = None, configured: str | None = None) -> StoreLocation:
    """Pick the store: the `--db` flag, else `TRIALSTACK_DB`, else the config file's `store` (`configured`),
    else `<user data dir>/usage.db`.

    A value containing `://` is a SQLAlchemy URL (`postgresql+psycopg://…`, `sqlite:///…`);
    anything else is a file path.
    """
    if flag is not None and not flag.strip():
        # An empty --db (an unset shell variable, say) must not quietly mean the default store, which
        # would then be filled with the sample.
        raise UserFacingError("--db is empty; give a SQLite file path or a database URL")
    value = flag or os.environ.get(ENV_DB) or configured or None
    if value is None:
        path = data_dir() / DB_FILENAME
        return StoreLocation(url=f"sqlite:///{path}", path=path, is_default=True)
    if "://" in value:
        if value.startswith("sqlite:///"):
            raw = value[len("sqlite:///"):]
            path = Path(raw).expanduser() if raw and raw != ":memory:" else None
            return StoreLocation(url=value, path=path, is_default=False)
        return StoreLocation(url=value, path=None, is_default=False)
    path = Path(value).expanduser().absolute()
    return StoreLocation(url=f"sqlite:///{path}", path=path, is_default=False)


def bundled_sample_dir() -> Path:
    """The sample data set shipped with the program (the repository's `sample_data/`)."""
    source_tree = Path(__file__).resolve().parent.parent / "sample_data"
    if (source_tree / "organizations.csv").exists():
        return source_tree
    return Path(str(resources.files("trialstack_tui") / "sample_data"))


def make_private_folders(folder: Path) -> None:
    """Create the folder and any missing parent 0700 (`mkdir(parents=True, mode=…)` gives the parents the
    umask's mode, 0755 as a rule: the data folder readable by everyone)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by another process: its mode is its own
            continue
        os.chmod(created, 0o700)  # mkdir's mode is masked by the umask too
