"""Writing export files: owner-only (0600) in an owner-only folder, never overwriting unless asked."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from .config import data_dir, make_private_folders
from .errors import UserFacingError

FOLLOWUP_FORMAT_NAMES = ("table", "csv", "json", "markdown")
"""The formats `followups --format` writes (`report.FOLLOWUP_FORMATS`), named here so that the command line is
parsed without importing the reports and the metrics they format (the app's first frame waits for that parse)."""

def default_export_path(stem: str, extension: str, now: datetime | None = None) -> Path:
    """`<user data dir>/exports/<stem>-YYYYmmdd-HHMMSS.<ext>`."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return data_dir() / "exports" / f"{stem}-{stamp}.{extension}"


def write_export(path: Path, content: str, *, overwrite: bool = False) -> Path:
    """Write content to path (every folder it creates 0700, the file 0600). Refuses to replace a file unless
    overwrite, and never writes through a symbolic link: one planted at the path would send the export
    (or its truncation) to a file of the link's choosing."""
    try:
        make_private_folders(path.parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_TRUNC if overwrite else os.O_EXCL)
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise UserFacingError(f"{path} already exists") from None
    except OSError as exc:
        if path.is_symlink():
            raise UserFacingError(f"{path} is a symbolic link; exports are never written through one") from None
        raise UserFacingError(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(content)
    return path

