"""A refusal: a rule forbids what someone tried, and says why. Raised by operations (a case's
workflow, a council's size, a meeting's final minutes…) and answered in one place.

The answer: the transaction is rolled back (nothing half-made stays), then the view's own
page is drawn again, with the reason beside the field it concerns (422) or flashed above
it (409). A view says how its page is drawn with ``answer_refusals()`` before it operates;
HTMX pages show the flashed reason out of band, as every flash message.
"""
from flask import flash, redirect, request

from webapp.extensions import db


class Refused(Exception):
    """A rule forbids this; ``message`` says which, for the person who tried, and ``field``
    names the form field it concerns (None: the whole action)."""

    def __init__(self, message, field: str | None = None):
        # Kept lazy: translated when shown, so a job or the CLI (no request) can be refused too.
        super().__init__(message)
        self._message = message
        self.field = field

    @property
    def message(self):
        return self._message


def answer_refusals(render, form=None) -> None:
    """How this request answers a refusal, after the rollback: ``render(status, form)`` draws
    the page again (loading what it shows afresh); ``form()`` builds the form again, bound to
    what was posted, for a refusal about one of its fields."""
    # On the request, not on ``g``: an application context (a test's, a job's) can outlive
    # many requests, and one request's answer must never draw another's page.
    request.refusal_answer = (render, form)


def _answer(refusal: Refused):
    db.session.rollback()
    render, rebuild = getattr(request, "refusal_answer", (None, None))
    form = rebuild() if rebuild is not None and refusal.field else None
    target = getattr(form, refusal.field, None) if form is not None else None
    if target is not None:
        target.errors = [*target.errors, refusal.message]
        return render(422, form)
    flash(refusal.message, "error")
    if render is None:  # a view that did not say how: back where the person came from
        return redirect(request.referrer or "/", 303)
    return render(409, None)


def init_app(app) -> None:
    app.register_error_handler(Refused, _answer)

