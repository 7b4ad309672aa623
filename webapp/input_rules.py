"""Input that no form or address of ours carries is refused at the edge, once, before any view
reads it: control characters (a NUL ends a string in PostgreSQL and answered 500 there) in
query arguments, form fields and file names, and days outside the years a record can have.
Whole numbers beyond what an id or a page number can be are refused where they are read as
numbers (``request.args.get(..., type=int)``, a select's ``coerce=record_id``). The answer is
400 with a message in the user's language, and nothing is written.

Lengths are each form's business, read from the columns they fill: ``fits(Model.column)``.
"""
import re

from flask import Request, request
from flask_babel import lazy_gettext as _l
from wtforms.validators import Length
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest

# Tab, line feed and carriage return are text (a textarea sends CR LF); other C0 controls and
# DEL are not. Query arguments take none at all.
_FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_QUERY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The database's integer: ids and page numbers beyond it are no record and no page.
INT_MAX = 2**31 - 1
# A whole value that is a day (a date field, ``?from=``): the years a record of ours can have.
# Beyond them, arithmetic on the day (the day after, the month's end) leaves the calendar.
_DAY = re.compile(r"\s*(\d{4})-\d{1,2}-\d{1,2}\s*")
DAY_YEARS = (1900, 2199)


class BadInput(BadRequest):
    """400 with a message of its own (``webapp.templating.render_error`` shows ``message``)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class _Arguments(ImmutableMultiDict):
    """Query arguments and form fields whose ``get(..., type=int)`` refuses a number no column
    can hold (``?page=`` or ``?village=`` with twenty digits)."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -INT_MAX - 1 <= value <= INT_MAX:
            raise BadInput(_l("A number given is out of range."))
        return value


class CheckedRequest(Request):
    parameter_storage_class = _Arguments


def init_app(app) -> None:
    app.request_class = CheckedRequest
    app.before_request(refuse_bad_input)


def refuse_bad_input() -> None:
    """Control characters anywhere, and days outside the years we keep, are refused."""
    for key, value in request.args.items(multi=True):
        if _QUERY_CONTROL.search(key) or _QUERY_CONTROL.search(value):
            raise BadInput(_l("The address contains characters that cannot be used. Remove them and try again."))
        _check_day(value)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for key, value in request.form.items(multi=True):
        if _FORM_CONTROL.search(key) or _FORM_CONTROL.search(value):
            raise BadInput(_l("The form contains invisible control characters. Remove them and try again."))
        _check_day(value)
    for upload in request.files.values():
        if upload.filename and _FORM_CONTROL.search(upload.filename):
            raise BadInput(_l("The file name contains invisible control characters. Rename the file and try again."))


def _check_day(value: str) -> None:
    found = _DAY.fullmatch(value)
    if found and not DAY_YEARS[0] <= int(found.group(1)) <= DAY_YEARS[1]:
        raise BadInput(_l("Enter a date between the years 1900 and 2199."))


def record_id(value) -> int:
    """A form's choice of a record by id (a select's ``coerce``): a number no id can be is no
    valid choice (WTForms reads the ValueError as one)."""
    number = int(value)
    if not -INT_MAX - 1 <= number <= INT_MAX:
        raise ValueError(value)
    return number


def column_length(column) -> int:
    """The length of a string column (``Case.title``): what a form may accept for it."""
    return column.property.columns[0].type.length


def fits(column) -> Length:
    """A form field's length check, read from the column it fills, so the two never disagree."""
    return Length(max=column_length(column))
