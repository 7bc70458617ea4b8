"""The verdicts of a source run that count as failures; shared by health (which gives them), runstore
(which stores them and counts failed runs in a row) and the runner (which sets the exit status)."""

FAILED_STATUSES = frozenset({"failed", "blocked", "drift", "empty"})
