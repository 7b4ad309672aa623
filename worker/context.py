"""Jobs run inside an app context that the worker process creates once, lazily."""
from functools import wraps

from flask import current_app

_app = None


def get_app():
    global _app
    if _app is None:
        # Here, not at the top: the app is built once, when the first job needs it, not when RQ
        # imports the jobs.
        from webapp import create_app

        _app = create_app()
    return _app


def with_app(job):
    """Run ``job`` in an app context; the tenant scope is for the job to open."""

    @wraps(job)
    def wrapped(*args, **kwargs):
        try:
            current_app._get_current_object()
        except RuntimeError:
            with get_app().app_context():
                return job(*args, **kwargs)
        return job(*args, **kwargs)

    return wrapped
