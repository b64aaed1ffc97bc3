"""The store: SQL and nothing of screens."""

from .engine import Store

__all__ = ["Store"]
