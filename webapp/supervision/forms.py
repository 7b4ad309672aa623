from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from webapp.cases.models import Case
from webapp.forms import OnceForm, optional_id
from webapp.input_rules import fits
from webapp.labels import choices
from webapp.supervision.models import Assignment, SupervisionNotice


class _ToTownship(FlaskForm):
    township = SelectField(_l("Township"), coerce=optional_id, validators=[InputRequired(_l("Choose the township."))])

    def setup(self, townships):
        self.township.choices = [("", "—")] + [(t.id, t.name) for t in townships]
        return self


class AssignmentForm(OnceForm, _ToTownship):
    title = StringField(_l("Dispute"), validators=[DataRequired(_l("Name the dispute.")), fits(Assignment.title)])
    parties = TextAreaField(_l("Parties"), validators=[DataRequired(_l("Name the parties."))])
    source = RadioField(_l("Reached the county through"), validators=[InputRequired(_l("Choose where it came from."))])
    narrative = TextAreaField(_l("What it is about"), validators=[Optional()])
    take_up_on = DateField(_l("To be taken up by"), validators=[InputRequired(_l("Enter the day to take it up by."))])
    settle_on = DateField(_l("To be settled by"), validators=[InputRequired(_l("Enter the day to settle it by."))])

    def setup(self, townships):
        self.source.choices = choices("assignment_source")
        return super().setup(townships)


class NoticeForm(OnceForm, _ToTownship):
    kind = RadioField(_l("Kind of notice"), validators=[InputRequired(_l("Choose the kind of notice."))])
    case_number = StringField(_l("Case number (if any)"), validators=[Optional(), fits(Case.number)],
                              description=_l("Leave empty for a figure below target."))
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Give the subject.")),
                                                     fits(SupervisionNotice.subject)])
    body = TextAreaField(_l("Notice"), validators=[DataRequired(_l("Write the notice."))])
    answer_by = DateField(_l("Written answer by"), validators=[InputRequired(_l("Enter the day to answer by."))])

    def setup(self, townships):
        self.kind.choices = choices("notice_kind")
        return super().setup(townships)


class AnswerForm(FlaskForm):
    text = TextAreaField(_l("Written answer"), validators=[DataRequired(_l("Write the answer."))])
