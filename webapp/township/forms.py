from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from webapp.forms import OnceForm
from webapp.labels import choices

_DAYS = NumberRange(min=1, max=365, message=_l("A number of days from 1 to 365."))


def _days(label):
    return IntegerField(label, validators=[InputRequired(_l("Enter a number of days.")), _DAYS])


class LimitsForm(FlaskForm):
    limit_ordinary = _days(_l("Ordinary cases: days to finish"))
    limit_complex = _days(_l("Complex cases: days to finish"))
    limit_major = _days(_l("Major cases: days to finish"))
    yellow_days = IntegerField(_l("Warn (yellow light) when fewer days are left than"),
                               validators=[InputRequired(_l("Enter a number of days.")),
                                           NumberRange(min=0, max=60, message=_l("A number of days from 0 to 60."))])
    follow_up_days = StringField(_l("Follow-up visits, days after the agreement"),
                                 description=_l("Separate several with commas, e.g. 7,30."),
                                 validators=[DataRequired(_l("Enter at least one day."))])

    def validate_follow_up_days(self, field):
        parts = [p.strip() for p in field.data.replace("，", ",").split(",") if p.strip()]
        if not parts or not all(p.isdigit() and 0 < int(p) <= 365 for p in parts):
            raise ValidationError(_l("Whole numbers of days from 1 to 365, separated by commas."))
        field.data = ",".join(str(n) for n in sorted({int(p) for p in parts}))

    def validate_limit_major(self, field):
        if (self.limit_ordinary.data and self.limit_complex.data and field.data
                and not self.limit_ordinary.data <= self.limit_complex.data <= field.data):
            raise ValidationError(_l("Harder cases cannot have less time than easier ones."))


class CategoryForm(OnceForm, FlaskForm):
    name = StringField(_l("Category"), validators=[DataRequired(_l("Enter a name.")), Length(max=40)])
    active = BooleanField(_l("In use"), default=True)


class DepartmentForm(OnceForm, FlaskForm):
    name = StringField(_l("Department"), validators=[DataRequired(_l("Enter a name.")), Length(max=64)])
    kind = SelectField(_l("Kind"))

    def setup(self):
        self.kind.choices = choices("department_kind")
        return self


def _hour(label):
    return IntegerField(label, validators=[InputRequired(_l("Enter an hour from 0 to 23.")),
                                           NumberRange(min=0, max=23, message=_l("An hour from 0 to 23."))])


def _few_days(label):
    return IntegerField(label, validators=[InputRequired(_l("Enter a number of days.")),
                                           NumberRange(min=1, max=30, message=_l("A number of days from 1 to 30."))])


class ClockForm(FlaskForm):
    """How the township's clock counts, when it escalates, and when it keeps quiet."""
    counting = RadioField(_l("Time limits count"), choices=[
        ("calendar", _l("Calendar days (every day)")),
        ("working", _l("Working days (China's published calendar, with the township's own days)"))],
        validators=[InputRequired(_l("Choose how time limits count."))])
    escalate_after_days = _few_days(_l("Escalate to the county after this many days overdue"))
    referral_accept_days = _few_days(_l("Days a department has to accept a referral"))
    assigned_handle_days = _few_days(_l("Days to take up a case assigned from above"))
    follow_up_grace_days = _few_days(_l("Days of grace for a follow-up visit"))
    quiet_start_hour = _hour(_l("Quiet hours for pushed messages: from (hour)"))
    quiet_end_hour = _hour(_l("Quiet hours: until (hour)"))
