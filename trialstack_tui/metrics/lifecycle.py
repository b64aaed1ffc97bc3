"""User lifecycle and stickiness of an org or a workflow: the window against the previous one.

The store classifies each user with SQL over the per-day user rollups (grouped counts, `store.queries.lifecycle`,
or one row per user, `store.queries.user_states`); this module holds the counts and what is derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .counts import ratio

STATES = ("new", "returning", "resurrecting", "dormant")
"""A user's state in a scope (an org or one workflow), checked in this order:

- `new`: the user's first event in the scope falls in the window;
- `returning`: active in the window and in the previous window;
- `resurrecting`: active in the window, not in the previous window, active before it;
- `dormant`: active in the previous window, not in the window.

The first three partition the window's active users; dormant users are not active now."""


@dataclass(frozen=True)
class Lifecycle:
    """Users of one scope by lifecycle state, and the user-days behind its stickiness."""

    new: int = 0
    returning: int = 0
    resurrecting: int = 0
    dormant: int = 0
    user_days: int = 0  # (user, day) pairs with an event in the window: the sum of daily active users
    days: int = 0  # days in the window

    @property
    def active(self) -> int:
        """Users active in the window (new + returning + resurrecting)."""
        return self.new + self.returning + self.resurrecting

    @property
    def stickiness(self) -> float | None:
        """Mean daily active users / active users in the window; None without active users."""
        return ratio(self.user_days, self.days * self.active) if self.days else None

    def count(self, state: str) -> int:
        """The users in one of `STATES`."""
        return getattr(self, state)


def lifecycle_from_counts(counts: dict[str, int], user_days: int, days: int) -> Lifecycle:
    """A Lifecycle from per-state user counts (states missing count 0)."""
    return Lifecycle(**{state: counts.get(state, 0) for state in STATES}, user_days=user_days, days=days)


@dataclass(frozen=True)
class UserState:
    """One user of one scope (an org or a workflow) active in the window or the previous one."""

    key: str  # the org's or the workflow's id
    user_id: str
    user_days: int  # days with an event in the window
    state: str  # one of STATES
    role: str  # '' when the user is not in the users file
    trained_on: date | None

    @property
    def active(self) -> bool:
        """Active in the window (not dormant)."""
        return self.state != "dormant"

    def trained_by(self, as_of: date) -> bool:
        return self.trained_on is not None and self.trained_on <= as_of


def lifecycles_from_states(states: list[UserState], keys: list[str], days: int) -> dict[str, Lifecycle]:
    """The Lifecycle of every key asked for, counted from its users' states (a key without users: empty)."""
    counts: dict[str, dict[str, int]] = {key: {} for key in keys}
    user_days: dict[str, int] = dict.fromkeys(keys, 0)
    for user in states:
        if user.key in counts:
            counts[user.key][user.state] = counts[user.key].get(user.state, 0) + 1
            user_days[user.key] += user.user_days
    return {key: lifecycle_from_counts(counts[key], user_days[key], days) for key in keys}
