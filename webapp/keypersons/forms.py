from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp import timelimits
from webapp.cases.models import KeyPerson
from webapp.forms import ID_NUMBER_KEYBOARD, PHONE_KEYBOARD, OnceForm, optional_id, valid_id_number, valid_phone
from webapp.input_rules import fits
from webapp.keypersons.labels import KIND_LABELS, KINDS
from webapp.keypersons.models import KeyPersonVisit


class KeyPersonForm(OnceForm, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), fits(KeyPerson.name)])
    kind = SelectField(_l("Kind"), choices=lambda: [(k, KIND_LABELS[k]) for k in KINDS])
    village = SelectField(_l("Village"), coerce=optional_id, validators=[Optional()])
    measures = TextAreaField(_l("Control measures"),
                             validators=[DataRequired(_l("Describe the control measures."))])
    responsible = StringField(
        _l("Responsible person"),
        description=_l("Who answers for this person: the territorial principle, whoever is in charge is responsible."),
        validators=[DataRequired(_l("Name the responsible person.")), fits(KeyPerson.responsible)],
    )
    id_number = StringField(_l("ID number"), validators=[Optional(), valid_id_number], render_kw=ID_NUMBER_KEYBOARD)
    phone = StringField(_l("Phone"), validators=[Optional(), valid_phone], render_kw=PHONE_KEYBOARD)

    def setup(self, villages):
        self.village.choices = [("", "—")] + [(v.id, v.name) for v in villages]
        return self


class VisitForm(OnceForm, FlaskForm):
    """One visit of the control log: when, who went, what was done, and when the next is due."""

    visited_on = DateField(_l("Visited on"), validators=[InputRequired(_l("Enter the date of the visit."))])
    visitors = StringField(_l("Who went"), validators=[DataRequired(_l("Name who went.")),
                                                      fits(KeyPersonVisit.visitors)])
    done = TextAreaField(_l("What was done"), validators=[DataRequired(_l("Describe what was done.")),
                                                         Length(max=4000)])
    next_due_on = DateField(_l("Next visit due"), validators=[Optional()],
                            description=_l("Leave empty when no further visit is planned."))

    def validate_visited_on(self, field):
        if field.data and field.data > timelimits.today():
            raise ValidationError(_l("A visit is recorded once it has taken place: the date cannot be in the future."))

    def validate_next_due_on(self, field):
        if field.data and self.visited_on.data and field.data <= self.visited_on.data:
            raise ValidationError(_l("The next visit is due after this one."))
