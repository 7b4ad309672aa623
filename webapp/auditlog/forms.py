from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError


class AuditFilterForm(FlaskForm):
    """The filters of the audit pages, read from the query string."""

    class Meta:
        csrf = False

    person = StringField(_l("Person (username)"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("Action"), choices=[], validate_choice=False, validators=[Optional(), Length(max=40)])
    case = StringField(_l("Case number"), validators=[Optional(), Length(max=40)])
    since = DateField(_l("From"), validators=[Optional()],
                      render_kw={"type": "date"})
    until = DateField(_l("To"), validators=[Optional()], render_kw={"type": "date"})

    def setup(self, actions):
        self.action.choices = [("", _l("Every action"))] + [(a, a) for a in actions]
        return self

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end of the period is before its start."))
