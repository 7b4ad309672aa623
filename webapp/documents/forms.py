from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired, ValidationError

from webapp.forms import OnceForm
from webapp.timelimits import today


def _year_start():
    return date(today().year, 1, 1)


class ArchiveZipForm(OnceForm, FlaskForm):
    """The county's request: one township, one period of archive dates."""

    township = SelectField(_l("Township"), coerce=int, validators=[InputRequired(_l("Choose a township."))])
    start = DateField(_l("Archived from"), default=_year_start,
                      validators=[InputRequired(_l("Enter the first day of the period."))])
    end = DateField(_l("Archived until"), default=today,
                    validators=[InputRequired(_l("Enter the last day of the period."))])

    def setup(self, townships):
        self.township.choices = [(t.id, t.name) for t in townships]
        return self

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:

            raise ValidationError(_l("The period ends before it starts."))
