"""The store: SQL and nothing of screens."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Store

__all__ = ["Store"]


def __getattr__(name: str):
    # Store is imported on first use, so the import's reader process (store.event_stream, standard library
    # only) starts without loading SQLAlchemy.
    if name == "Store":
        from .engine import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
