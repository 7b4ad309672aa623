"""What the forms of every feature share: saving a form with a refusal beside its field, the
status a redrawn form answers with, and the rules of fields that many forms carry (a record
picked from a list, a phone number, an ID number)."""
from babel import support
from flask import flash, redirect, request
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import HiddenField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

from webapp.errors import Refused
from webapp.extensions import db
from webapp.input_rules import record_id
from webapp.personal_data import id_number_problem, phone_problem
from webapp.submissions import new_token


class _WTFormsMessages:
    """WTForms' own messages (a choice that was not offered, a number that is none) in the
    request's language. Flask-WTF reads their catalogue from disk again for every request that
    draws a form (it looks for it on the request first): read once per language and kept."""

    _catalogues: dict = {}

    def _catalogue(self):
        locale = str(get_locale())
        if locale not in self._catalogues:
            self._catalogues[locale] = support.Translations.load(messages_path(), [locale], domain="wtforms")
        return self._catalogues[locale]

    def ugettext(self, string):
        return self._catalogue().ugettext(string)

    def ungettext(self, singular, plural, n):
        return self._catalogue().ungettext(singular, plural, n)


_MESSAGES = _WTFormsMessages()


def keep_wtforms_messages() -> None:
    """Before each request: WTForms' messages from the catalogues kept in this process."""
    request.wtforms_translations = _MESSAGES


class OnceTokenField(HiddenField):
    """The form's one-time token (``webapp.submissions``): a fresh one each time the form is
    drawn, also when it is drawn again with its errors (a refused submission made nothing)."""

    def _value(self):
        return new_token()


class OnceForm:
    """Mixed into a form that creates something: sent twice, it is made once (the view says
    ``@once_per_form``). ``fields(form)`` draws the token; a template that draws its fields one
    by one adds ``{{ form.form_token }}``."""

    form_token = OnceTokenField()


def optional_id(value):
    """A select's coercer for an optional record: its id, or None for "—"."""
    return record_id(value) if value not in (None, "", "0") else None


# What a phone's keyboard should be for these fields (``render_kw``). The numbers are other
# people's (a party's, a council member's), so the browser offers none of the user's own
# (autocomplete off). An ID number may end in X, which a numeric keypad lacks: it keeps the
# letters, in capitals, and nothing corrects it.
PHONE_KEYBOARD = {"type": "tel", "inputmode": "tel", "autocomplete": "off"}
ID_NUMBER_KEYBOARD = {"inputmode": "text", "autocapitalize": "characters", "autocorrect": "off",
                      "spellcheck": "false", "autocomplete": "off"}


def valid_id_number(form, field):
    if field.data:
        problem = id_number_problem(field.data)
        if problem:
            raise ValidationError(problem)


def valid_phone(form, field):
    if field.data:
        problem = phone_problem(field.data)
        if problem:
            raise ValidationError(problem)


def refusal_beside(form, refusal):
    """Put a refusal beside its field, or return it for the top of the form."""
    db.session.rollback()
    field = getattr(form, refusal.field, None) if refusal.field else None
    if field is not None:
        field.errors = list(field.errors) + [refusal.message]
        return None
    return refusal.message


def saved(form, save, done):
    """A submitted and valid ``form`` saved by ``save()``: committed, "Saved." and a redirect
    to ``done(what save returned)``. Else None, and the view draws the form again with what
    was typed (``form_status``): a refusal is rolled back and shown beside its field, or above
    the form when it names none."""
    if not form.validate_on_submit():
        return None
    try:
        result = save()
    except Refused as refusal:
        message = refusal_beside(form, refusal)
        if message:
            flash(message, "error")
        return None
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(done(result))


def form_status(form) -> int:
    return 422 if form.is_submitted() else 200
