from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from webapp.forms import OnceForm, optional_id
from webapp.cases.models import Case
from webapp.deadlines.labels import FAULTS
from webapp.deadlines.models import CalendarOverride
from webapp.input_rules import fits


class PauseForm(FlaskForm):
    reason = TextAreaField(_l("Why the clock stops"),
                           validators=[DataRequired(_l("Give the reason, e.g. waiting for an expert appraisal."))])


class ResumeForm(FlaskForm):
    note = TextAreaField(_l("Note"))


class DisputeForm(FlaskForm):
    reason = TextAreaField(_l("Why this flag is wrong"), validators=[DataRequired(_l("Give the reason."))])


class ResolveFlagForm(FlaskForm):
    resolution = TextAreaField(_l("Decision"), validators=[DataRequired(_l("Write down the decision."))])


class RaiseFlagForm(OnceForm, FlaskForm):
    fault = RadioField(_l("Fault"), coerce=int, choices=FAULTS, validators=[InputRequired(_l("Choose the fault."))])
    case_number = StringField(_l("Case number (if any)"), validators=[Optional(), fits(Case.number)],
                              description=_l("As you like: 42, 2026-42 or the full number; or pick from the list."),
                              render_kw={"list": "recent-cases", "autocomplete": "off"})
    responsible = SelectField(_l("Person responsible"), coerce=optional_id, validators=[Optional()])
    department = SelectField(_l("Or the department responsible"), coerce=optional_id, validators=[Optional()])
    evidence = TextAreaField(_l("Evidence"), validators=[DataRequired(_l("Describe the evidence."))])

    def setup(self, staff, departments):
        self.responsible.choices = [("", "—")] + [(u.id, u.name) for u in staff]
        self.department.choices = [("", "—")] + [(d.id, d.name) for d in departments]
        return self


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    is_workday = RadioField(_l("This day is"), choices=[("work", _l("a working day")), ("off", _l("a day off"))],
                            validators=[InputRequired(_l("Choose one."))])
    note = StringField(_l("Note"), validators=[fits(CalendarOverride.note)])


class InstructionForm(OnceForm, FlaskForm):
    text = TextAreaField(_l("Instruction"), validators=[DataRequired(_l("Write the instruction."))])
