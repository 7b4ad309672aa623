"""Forms of the investigation rounds."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from webapp.cases.models import Case
from webapp.forms import OnceForm
from webapp.input_rules import fits
from webapp.rounds.labels import KIND_LABELS
from webapp.rounds.models import Round, RoundKind


class RoundForm(OnceForm, FlaskForm):
    kind = RadioField(_l("Round"), default=RoundKind.MONTHLY.value,
                      choices=[(k.value, v) for k, v in KIND_LABELS.items()],
                      validators=[InputRequired(_l("Choose a monthly or a special round."))])
    due_on = DateField(_l("Reports due by"), validators=[Optional()],
                       description=_l("Leave empty: a monthly round is due at the end of the month, "
                                      "a special one in a week."))
    title = StringField(_l("Title"), description=_l("Leave empty for the usual title."),
                        validators=[Optional(), fits(Round.title)])
    note = TextAreaField(_l("What to look for"), validators=[Optional(), Length(max=2000)])


class FindingForm(OnceForm, FlaskForm):
    title = StringField(_l("What was found"), validators=[DataRequired(_l("Say in a few words what was found.")),
                                                         fits(Case.title)])
    narrative = TextAreaField(_l("Details"), validators=[Optional(), Length(max=4000)])


class NilReportForm(OnceForm, FlaskForm):
    """A nil report (零报告) asks nothing: its button, its CSRF token and its one-time token."""
