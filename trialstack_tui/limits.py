"""The documented limits on imported and typed values (README, "Limits").

Beyond them a value is refused where it enters (`file:line: field: problem` at import, a one-line usage error
on the command line, a message in a dialog), so no figure overflows to infinity, no store refuses a row half
way through a transaction, and no window arithmetic leaves the calendar. Standard library only: the import
reader process imports this.
"""

from __future__ import annotations

from datetime import date

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
"""Dates and timestamps outside these are refused: windows, placebo windows and month ends are computed
around every stored day, and Python's calendar ends at year 1 and 9999."""
MAX_DAYS = 3_660
"""The longest window (`--days`): ten years."""
MAX_ID_CHARS = 256
"""Ids (every `*_id` field): at most 1 KB in UTF-8, well inside PostgreSQL's index entry limit (2,704 bytes)."""
MAX_TEXT_CHARS = 2_000
"""Names, titles, owners, areas, plans; and the length of a follow-up note."""
MAX_WHOLE = 1_000_000_000
"""Seats; inside both stores' integer columns."""
MAX_NUMBER = 1e12
"""Credits (of an event, or included per month): sums of millions of events stay finite and exact enough."""


def date_problem(value: date) -> str | None:
    """Why a date cannot be used (None when it can)."""
    if FIRST_DAY <= value <= LAST_DAY:
        return None
    return f"{value.isoformat()} is outside the dates trialstack-tui works with ({FIRST_DAY} to {LAST_DAY})"
