"""A form that creates something is made once, however often it is sent.

Every such form carries a one-time token (``form_token``, a fresh random value each time the
form is drawn: ``webapp.forms.OnceForm`` or ``{{ once_token() }}``). The view that receives it
is decorated with ``@once_per_form``: the first submission claims the token in the same
transaction as the record it makes (a row of ``form_submissions``, unique on the token), and
then keeps its answer (the redirect, or the partial it drew) on that row. A second submission
of the same drawn form does not run the view again: it gets the first one's answer.

Two submissions at the same moment: the second one's claim waits for the first transaction
(the unique key on PostgreSQL, the write lock on SQLite) and then fails; it waits for the
first one's answer, which follows a few milliseconds after its commit. A submission that
failed (422, 409, an error) releases its token: the person corrects the form and sends it
again. A token is kept only once used, for a day; an unknown token is simply a new form.

The rows belong to a person's browser, like a sign-in session, and not to a township: the
county's forms use them too. Only the sender may replay an answer, and its token is stored
hashed.
"""
import hashlib
import re
import secrets
import time
from datetime import datetime, timedelta
from functools import wraps

from flask import Response, abort, make_response, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.types import UTCDateTime, utcnow

FIELD = "form_token"
_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEPT_FOR = timedelta(days=1)
# How long a second submission waits for the first one's answer: its commit is already done
# when it gets here, only the answer is still being written.
WAIT_SECONDS = 10
# The headers of an answer that HTMX reads, kept with it.
_KEPT_HEADERS = ("Content-Type", "HX-Trigger", "HX-Redirect", "HX-Location", "HX-Retarget", "HX-Reswap",
                 "HX-Push-Url", "HX-Refresh")


class FormSubmission(db.Model):
    """One drawn form that was sent and made something, and the answer it got."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the form's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    status: Mapped[int | None] = mapped_column(Integer)  # None: the first submission is still being made
    location: Mapped[str | None] = mapped_column(String(2000))
    headers: Mapped[dict | None] = mapped_column(JSON)
    body: Mapped[str | None] = mapped_column(Text)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def posted_token() -> str | None:
    """The form's token, also of a form drawn with a prefix (``d1-form_token``)."""
    if request.method != "POST":
        return None
    token = request.form.get(FIELD) or next(
        (value for name, value in request.form.items() if name.endswith("-" + FIELD)), None)
    return token if token and _SHAPE.fullmatch(token) else None


def once_per_form(view):
    """The view makes something from a form: a second submission of the same drawn form is
    answered with the first one's answer instead of making it again."""

    @wraps(view)
    def once(*args, **kwargs):
        token = posted_token()
        if token is None or not current_user.is_authenticated:
            return view(*args, **kwargs)  # a form drawn before tokens, or a script: as before
        key = _key(token)
        earlier = db.session.get(FormSubmission, key)
        if earlier is not None:
            if earlier.status is None:  # committed a moment ago; its answer is being written
                db.session.rollback()
                return _wait_for(key)
            return _replay(earlier)
        db.session.add(FormSubmission(token=key, user_id=current_user.id))
        try:
            db.session.flush()
        except IntegrityError:  # the same form, sent a moment earlier, is being made
            db.session.rollback()
            return _wait_for(key)
        response = make_response(view(*args, **kwargs))
        if 200 <= response.status_code < 400:
            _keep(key, response)
        else:
            _release(key)
        return response

    once.once_per_form = True
    return once


def _keep(key: str, response: Response) -> None:
    """The answer, on the claim the view committed with what it made. A view that committed
    nothing (its claim is gone with the rollback) made nothing: the token stays free."""
    db.session.rollback()  # anything the view did not commit was not meant to be kept
    redirecting = 300 <= response.status_code < 400
    body = None if redirecting else response.get_data(as_text=True)
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    db.session.execute(update(FormSubmission).where(FormSubmission.token == key).values(
        status=response.status_code, location=response.headers.get("Location"), headers=headers, body=body))
    db.session.execute(delete(FormSubmission).where(FormSubmission.user_id == current_user.id,
                                                    FormSubmission.created_at < utcnow() - KEPT_FOR))
    db.session.commit()


def _release(key: str) -> None:
    """A refused or failed submission made nothing; the same form may be sent again."""
    db.session.rollback()
    db.session.execute(delete(FormSubmission).where(FormSubmission.token == key, FormSubmission.status.is_(None)))
    db.session.commit()


def _wait_for(key: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        earlier = db.session.scalar(select(FormSubmission).where(FormSubmission.token == key)
                                    .execution_options(populate_existing=True))
        if earlier is not None and earlier.status is not None:
            return _replay(earlier)
        # End the transaction while waiting: on SQLite it holds the write lock the first
        # submission needs to write its answer.
        db.session.rollback()
        if earlier is None or time.monotonic() > deadline:  # the first one failed, or never answered
            return _("This form was just sent and could not be saved. Please try again."), 409
        time.sleep(0.05)


def _replay(earlier: FormSubmission):
    if earlier.user_id != current_user.id:
        abort(400)
    if earlier.status is None:  # made, but its answer lost (the process died in between)
        return _("This form has already been sent."), 409
    if earlier.location and 300 <= earlier.status < 400:
        return redirect(earlier.location, earlier.status)
    return Response(earlier.body or "", earlier.status, headers=earlier.headers or {})
