"""Supervision from above: disputes the county bureau assigns to a township (交办), which the
township takes up as cases marked 上级交办, and supervision and warning notices (督办函, 预警函)
that the township answers in writing by a date.

The sweep (``webapp.deadlines.sweep``) warns before an assignment's time to take it up runs
out and flags one not taken up, or a notice not answered, in time (``sweep.py`` here). The
pages live in ``views.py``, imported by ``create_app()`` only.
"""

from webapp.supervision import labels  # noqa: E402,F401  (registers the names of sources, kinds and states)
