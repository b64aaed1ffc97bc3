"""The kinds of finding a summary flags: a module of their own, so a mark's vocabulary (`marks.REASONS`) is
known without importing the metrics that find them."""

FLAG_KINDS = (
    "data_gap", "declining", "narrow_adoption", "concentrated", "spike", "ai_surge", "ai_low_acceptance",
    "high_error_rate", "overage", "untrained_users", "budget_warning",
)
