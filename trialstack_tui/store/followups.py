"""Follow-up marks: each one committed the moment it is made (CONTRACT §5)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, update

from ..errors import NotFound
from ..records import FollowUpRecord
from .tables import FollowUp

if TYPE_CHECKING:
    from ..marks import MarkRequest


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


_TABLE = FollowUp


def _record(row) -> FollowUpRecord:
    return FollowUpRecord(**row._mapping)


def add(conn: Connection, request: MarkRequest, *, created_by: str) -> FollowUpRecord:
    """Insert one open mark, as the seam checked it, and return it with its id."""
    values = dict(
        target_type=request.target_type, org_id=request.org_id, workspace_id=request.workspace_id,
        workflow_id=request.workflow_id, target_ref=request.target_ref, reason=request.reason, note=request.note,
        owner=request.owner, status="open", created_by=created_by, created_at=_now(), closed_at=None,
    )
    new_id = conn.execute(_TABLE.insert().values(values).returning(_TABLE.c.id)).scalar_one()
    return FollowUpRecord(id=new_id, **values)


def list_marks(conn: Connection, *, status: str = "all", owner: str | None = None) -> list[FollowUpRecord]:
    """Marks, newest first, filtered by status (`open`, `done` or `all`) and owner.

    `owner` is a search: marks whose owner contains it, in any case ("dana" finds "Dana Okafor"). It is
    matched here rather than in SQL, where SQLite's lower() folds ASCII only and "élodie" would miss "ÉLODIE".
    """
    query = select(_TABLE)
    if status != "all":
        query = query.where(_TABLE.c.status == status)
    marks = [_record(r) for r in conn.execute(query.order_by(_TABLE.c.created_at.desc(), _TABLE.c.id.desc()))]
    needle = (owner or "").strip().casefold()
    return [m for m in marks if needle in m.owner.casefold()] if needle else marks


def set_status(conn: Connection, mark_id: int, status: str) -> FollowUpRecord:
    """Mark one follow-up done (stamping closed_at) or open again (`status`, as the seam checked it)."""
    closed_at = _now() if status == "done" else None
    result = conn.execute(update(_TABLE).where(_TABLE.c.id == mark_id).values(status=status, closed_at=closed_at))
    if result.rowcount == 0:
        raise NotFound(f"no follow-up with id {mark_id}")
    return _record(conn.execute(select(_TABLE).where(_TABLE.c.id == mark_id)).one())
