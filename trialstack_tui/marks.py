"""The follow-up vocabulary (CONTRACT §5) and the one request that carries a mark from the dialog to the store.

A screen offers a `MarkRequest` for what is highlighted; the seam fills its defaults (`Review.mark_defaults`:
the owner is the workflow's), the dialog lets the administrator change reason, owner and note, and the seam
checks it against the vocabulary below before `store.followups.add` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .metrics.flag_kinds import FLAG_KINDS

TARGET_TYPES = ("org", "workspace", "workflow", "spike", "flag", "change")
REASONS = (*FLAG_KINDS, "rollout", "other")
STATUSES = ("open", "done")
STATUS_FILTERS = (*STATUSES, "all")


@dataclass(frozen=True)
class MarkRequest:
    """One mark to be made: what it points at, why, for whom, and the note."""

    target_type: str  # one of TARGET_TYPES
    reason: str = "other"  # one of REASONS
    note: str = ""  # the dialog's note; the finding's detail when the administrator types none
    owner: str = ""  # '' until the seam fills the default (the workflow's owner) or the administrator types one
    org_id: str | None = None
    workspace_id: str | None = None
    workflow_id: str | None = None
    target_ref: str | None = None  # the spike's date, the flag's kind or the change's id
    description: str = ""  # what is marked, in words, for the dialog's heading (not stored)
