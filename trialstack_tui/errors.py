"""Errors the user can act on. Each carries a one-line message and never needs a traceback."""


def unexpected_error_line(exc: BaseException) -> str:
    """The one line shown for a fault nobody foresaw (TRIALSTACK_DEBUG=1 lets the traceback through)."""
    return f"trialstack-tui: unexpected error: {type(exc).__name__}: {exc} (TRIALSTACK_DEBUG=1 shows details)"


class UserFacingError(Exception):
    """A foreseeable fault: bad input, bad usage or an unusable store. Exit status 2."""

    exit_status = 2


class StoreError(UserFacingError):
    """The store cannot be opened or used as asked (missing folder rights, newer schema, not a database)."""


class ImportFailed(UserFacingError):
    """An import row was invalid; the message is `file:line: field: problem`. Nothing was written."""


class NotFound(UserFacingError):
    """An id named on the command line or in the UI does not exist in the store."""


class ReadOnlyStore(UserFacingError):
    """A write was asked of a store opened read-only."""
