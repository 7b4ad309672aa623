"""Time limits that enforce themselves: warnings, escalation and accountability flags.

``sweep.py`` finds, in set-based SQL over every township, the cases whose warning,
deadline, escalation or reporting moment has passed, and records what follows —
notifications, escalations, flags, timeline events — under unique keys, so that running it
twice, or twice at once, changes nothing more. ``operations.py`` holds what people do:
pause and resume the clock, acknowledge escalations, acknowledge, dispute and resolve flags.

The pages live in ``views.py`` (blueprint ``deadlines``), imported by ``create_app()`` only,
so that operations of other features can use ``clock`` without importing any view.
"""

from webapp.deadlines import labels  # noqa: E402,F401  (registers the names of alerts, flags and faults)
