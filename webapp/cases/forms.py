"""Forms of the case pages. Choices that depend on the township are filled by ``setup()``."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, DecimalField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from webapp import timelimits
from webapp.cases.models import Attachment, Case, CaseTag, MediationSession, Party
from webapp.forms import ID_NUMBER_KEYBOARD, PHONE_KEYBOARD, OnceForm, optional_id, valid_id_number, valid_phone
from webapp.input_rules import column_length, fits, record_id
from webapp.labels import choices, label
from webapp.villages.forms import CaseLinkFields

_REQUIRED = _l("This field is required.")


def _not_in_future(form, field):
    if field.data and field.data > timelimits.today():
        raise ValidationError(_l("This date is in the future."))


def group_choices(villages):
    return [("", "—")] + [(g.id, f"{v.name} {g.name}") for v in villages for g in v.groups]


class _CaseFields(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the dispute a short title.")), fits(Case.title)])
    source = SelectField(_l("Source"), validators=[DataRequired(_REQUIRED)])
    category = SelectField(_l("Category"), coerce=optional_id, validators=[Optional()])
    village = SelectField(_l("Village"), coerce=optional_id, validators=[Optional()])
    group = SelectField(_l("Villager group"), coerce=optional_id, validators=[Optional()])
    level = SelectField(_l("Handled at"), default="township")
    narrative = TextAreaField(_l("What happened"), validators=[Length(max=5000)])

    def setup(self, categories, villages, groups_url=None):
        self.source.choices = [("", "—")] + choices("source")
        self.category.choices = [("", "—")] + [(c.id, label("category", c.name)) for c in categories]
        self.village.choices = [("", "—")] + [(v.id, v.name) for v in villages]
        self.group.choices = group_choices(villages)
        self.level.choices = choices("level")
        if groups_url:
            # Choosing a village brings that village's groups alone (HTMX). Without JavaScript
            # the list names every group with its village, and a mismatch is refused.
            self.village.render_kw = {"hx-get": groups_url, "hx-trigger": "change", "hx-target": "#field-group",
                                      "hx-swap": "outerHTML", "hx-include": "#group"}
        return self

    def validate_group(self, field):
        if field.data and self.village.data:
            if field.data not in self._groups_of.get(self.village.data, ()):
                raise ValidationError(_l("This villager group belongs to another village."))

    def remember_groups(self, villages):
        self._groups_of = {v.id: {g.id for g in v.groups} for v in villages}
        return self


class PartyFields(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the party's name.")), fits(Party.name)])
    role = SelectField(_l("Role in the dispute"))
    id_number = StringField(_l("ID number"), validators=[Optional(), valid_id_number], render_kw=ID_NUMBER_KEYBOARD)
    phone = StringField(_l("Phone"), validators=[Optional(), valid_phone], render_kw=PHONE_KEYBOARD)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])

    def setup(self):
        self.role.choices = choices("party_role")
        return self


class IntakeForm(OnceForm, CaseLinkFields, _CaseFields):  # CaseLinkFields: the reporting or handling council, the site
    party_name = StringField(_l("Applicant's name"), validators=[Optional(), fits(Party.name)])
    party_phone = StringField(_l("Applicant's phone"), validators=[Optional(), valid_phone], render_kw=PHONE_KEYBOARD)
    party_id_number = StringField(_l("Applicant's ID number"), validators=[Optional(), valid_id_number],
                                  render_kw=ID_NUMBER_KEYBOARD)
    # The answer to the likely duplicates shown before saving (webapp/cases/duplicates.py): the id
    # of the listed case the new dispute is related to, or NOT_A_DUPLICATE; drawn by the page's
    # list of those cases, read by the view.
    related_case = StringField(_l("Likely duplicate registration"))
    duplicates_shown = StringField()

    NOT_A_DUPLICATE = "none"

    def related_case_id(self) -> int | None:
        """The id of the case chosen as related, or None (none chosen, or "register anyway")."""
        value = (self.related_case.data or "").strip()
        try:
            return record_id(value) if value and value != self.NOT_A_DUPLICATE else None
        except ValueError:
            return None

    def going_on(self) -> bool:
        return (self.related_case.data or "").strip() == self.NOT_A_DUPLICATE

    def validate_party_phone(self, field):
        if field.data and not self.party_name.data:
            raise ValidationError(_l("Enter the applicant's name with the phone number."))

    validate_party_id_number = validate_party_phone


class CaseEditForm(_CaseFields):
    pass


class PartyForm(OnceForm, PartyFields):
    pass


class SessionForm(OnceForm, FlaskForm):
    held_on = DateField(_l("Date"), default=timelimits.today,
                        validators=[InputRequired(_l("Enter the date of the session.")), _not_in_future])
    place = StringField(_l("Place"), validators=[DataRequired(_l("Enter where it took place.")), fits(MediationSession.place)])
    participants = TextAreaField(_l("Who took part"), validators=[DataRequired(_l("Name who took part."))])
    notes = TextAreaField(_l("Record"), validators=[DataRequired(_l("Write down what was said and agreed."))])


def _file_name_fits(form, field):
    most = column_length(Attachment.filename)
    if field.data and len(field.data.filename or "") > most:
        raise ValidationError(_l("The file name is longer than %(n)d characters. Rename the file and try again.",
                                 n=most))


class GroupChoiceForm(FlaskForm):
    """The villager-group field alone, drawn again for the village just chosen."""

    class Meta:
        csrf = False

    group = SelectField(_l("Villager group"), coerce=optional_id, validators=[Optional()])


class AttachmentForm(OnceForm, FlaskForm):
    # image/* lets a phone offer its camera and its gallery alike; no ``capture``, which on
    # Android would leave the camera alone.
    file = FileField(_l("Photo or scan"), validators=[FileRequired(_l("Choose a file.")), _file_name_fits],
                     render_kw={"accept": "image/*,.heic,.heif,application/pdf"})


# -- one form per workflow transition ------------------------------------------------------


def _tags_fit(form, field):
    """Each comma-separated tag is one row (``CaseTag.label``): each must fit its column."""
    most = column_length(CaseTag.label)
    if any(len(part.strip()) > most for part in (field.data or "").replace("，", ",").split(",")):
        raise ValidationError(_l("Each entry can be at most %(n)d characters long.", n=most))


class AssessForm(OnceForm, FlaskForm):
    difficulty = RadioField(_l("Difficulty"), validators=[InputRequired(_l("Choose the difficulty."))])
    risk = RadioField(_l("Risk"), validators=[InputRequired(_l("Choose the risk."))])
    key_areas = StringField(_l("Key areas"), description=_l("Separate several with commas."), validators=[_tags_fit])
    key_groups = StringField(_l("Key groups"), validators=[_tags_fit])
    key_issues = StringField(_l("Key issues"), validators=[_tags_fit])
    key_persons = SelectMultipleField(_l("Key persons involved"), coerce=int, validate_choice=True)
    note = TextAreaField(_l("Assessment"))

    def setup(self, ctx):
        self.difficulty.choices = choices("difficulty")
        self.risk.choices = choices("risk")
        self.key_persons.choices = [(p.id, f"{p.name}（{label('key_person_kind', p.kind)}）") for p in ctx["key_persons"]]
        return self


class AssigneeForm(OnceForm, FlaskForm):
    assignee = SelectField(_l("Mediator"), coerce=optional_id,
                           validators=[InputRequired(_l("Choose who mediates."))])
    note = TextAreaField(_l("Note"))

    def setup(self, ctx):
        self.assignee.choices = [("", "—")] + [(u.id, u.name) for u in ctx["mediators"]]
        return self

    def validate_assignee(self, field):
        if not field.data:
            raise ValidationError(_l("Choose who mediates."))


class ReferForm(OnceForm, FlaskForm):
    department = SelectField(_l("Department"), coerce=optional_id)
    note = TextAreaField(_l("Note for the department"))

    def setup(self, ctx):
        self.department.choices = [("", "—")] + [(d.id, d.name) for d in ctx["departments"]]
        return self

    def validate_department(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the department."))


class ResultForm(OnceForm, FlaskForm):
    result = TextAreaField(_l("Result"), validators=[DataRequired(_l("Describe the result."))])


class ReasonForm(OnceForm, FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason."))])


class ResolveForm(OnceForm, FlaskForm):
    text = TextAreaField(_l("Agreement"), validators=[DataRequired(_l("Write down the agreement."))])
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=[Optional(), NumberRange(min=0, message=_l("The amount cannot be negative."))])
    perform_by = DateField(_l("To be carried out by"), validators=[Optional()])
    signed_on = DateField(_l("Signed on"), default=timelimits.today,
                          validators=[InputRequired(_l("Enter the date of signing.")), _not_in_future])

    def validate_perform_by(self, field):
        if field.data and self.signed_on.data and field.data < self.signed_on.data:
            raise ValidationError(_l("The deadline cannot be before the signing."))


class FailForm(OnceForm, FlaskForm):
    next_step = RadioField(_l("Next step"), validators=[InputRequired(_l("Choose the next step."))])
    note = TextAreaField(_l("Why mediation failed"), validators=[DataRequired(_l("Say why mediation failed."))])

    def setup(self, ctx):
        self.next_step.choices = choices("next_step")
        return self


class EscalateForm(OnceForm, FlaskForm):
    target = RadioField(_l("Report to"), validators=[InputRequired(_l("Choose where to report."))])
    note = TextAreaField(_l("Report"), validators=[DataRequired(_l("Say why the case is escalated."))])

    def setup(self, ctx):
        self.target.choices = choices("target")
        return self


class FollowUpForm(OnceForm, FlaskForm):
    visit = SelectField(_l("Visit"), coerce=optional_id)
    carried_out = RadioField(_l("Is the agreement being carried out?"),
                             choices=[("yes", _l("Yes")), ("no", _l("No"))],
                             validators=[InputRequired(_l("Answer this question."))])
    may_flare_up = RadioField(_l("Could the dispute flare up again?"),
                              choices=[("no", _l("No")), ("yes", _l("Yes: reopen the case"))],
                              validators=[InputRequired(_l("Answer this question."))])
    notes = TextAreaField(_l("Visit record"), validators=[DataRequired(_l("Write down what you found."))])

    def setup(self, ctx):
        self.visit.choices = [(f.id, f.due_on.isoformat()) for f in ctx["open_visits"]]
        return self


class NoteForm(OnceForm, FlaskForm):
    note = TextAreaField(_l("Note"))


class ConfirmForm(OnceForm, FlaskForm):
    pass


TRANSITION_FORMS = {
    "assess": AssessForm,
    "start_mediation": AssigneeForm,
    "resume": AssigneeForm,
    "refer": ReferForm,
    "complete_referral": ResultForm,
    "return_referral": ReasonForm,
    "resolve": ResolveForm,
    "fail": FailForm,
    "escalate": EscalateForm,
    "follow_up": FollowUpForm,
    "reopen": ReasonForm,
    "close": NoteForm,
    "archive": ConfirmForm,
}
