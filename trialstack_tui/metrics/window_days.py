"""How many days the windows span: a module of its own, so the TUI's first frame knows them without the
metrics."""

DEFAULT_DAYS = 30  # the review window
COMPARISON_DAYS = 14  # a rollout comparison's before and after windows (§3)
WINDOW_CHOICES = (7, 30, 90)
