"""Forms of the village, council and relocation-site pages, and the council and site
fields that a case's intake form shares (``CaseLinkFields``)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from webapp.forms import PHONE_KEYBOARD, OnceForm, optional_id, valid_phone
from webapp.input_rules import fits
from webapp.villages import queries
from webapp.villages.models import CouncilMember, CouncilRole, PhaseStatus, RelocationProject, Village, VillagerGroup
from webapp.villages.operations import case_link_problems

_HOUSEHOLDS = [InputRequired(_l("Enter the number of households.")),
               NumberRange(min=0, max=100000, message=_l("Enter a number of households from 0 to 100,000."))]


def role_choices():
    return [(CouncilRole.MEMBER.value, _l("Council member")), (CouncilRole.VICE_CHAIR.value, _l("Council vice chair")),
            (CouncilRole.CHAIR.value, _l("Council chair"))]


def phase_status_choices():
    return [(PhaseStatus.NOT_STARTED.value, _l("Not started")), (PhaseStatus.IN_PROGRESS.value, _l("In progress")),
            (PhaseStatus.DONE.value, _l("Done"))]


class VillageForm(OnceForm, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), fits(Village.name)])
    kind = SelectField(_l("Kind"), choices=[("village", _l("Village")), ("community", _l("Community"))],
                       default="village")
    officer = SelectField(_l("Stability officer responsible"), coerce=optional_id, validators=[Optional()],
                          description=_l("They see the village's cases on their overview and board (属地)."))

    def setup(self, officers):
        """``officers``: rows of ``id`` and ``name`` (``webapp.staff.queries.officers``)."""
        self.officer.choices = [("", "—")] + [(o.id, o.name) for o in officers]
        return self


class GroupForm(OnceForm, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), fits(VillagerGroup.name)])
    households = IntegerField(_l("Households"), validators=_HOUSEHOLDS)


class MemberForm(OnceForm, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the member's name.")), fits(CouncilMember.name)])
    role = SelectField(_l("Role in the council"), choices=role_choices(), default=CouncilRole.MEMBER.value)
    phone = StringField(_l("Phone"), validators=[Optional(), valid_phone], render_kw=PHONE_KEYBOARD)


class ProjectForm(OnceForm, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), fits(RelocationProject.name)])
    village = SelectField(_l("Village"), coerce=optional_id)
    households = IntegerField(_l("Households relocated"), validators=_HOUSEHOLDS)
    notes = TextAreaField(_l("Notes"), description=_l("Funding, land adjustment, standards: what people should know."),
                          validators=[Length(max=5000)])

    def setup(self, villages):
        self.village.choices = [("", "—")] + [(v.id, v.name) for v in villages]
        return self

    def validate_village(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the village."))


class PhaseForm(FlaskForm):
    status = RadioField(_l("Status"), choices=phase_status_choices(),
                        validators=[InputRequired(_l("Choose the status."))])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])


class ConfirmForm(FlaskForm):
    """A button that changes something: the CSRF token alone."""


class CaseLinkFields(FlaskForm):
    """The council that reported a case, the council handling it and the relocation site it
    arose at. On the intake form the source, level and group come from the form itself; on
    a case's own link page, from the case."""

    reporting_council = SelectField(_l("Reporting council"), coerce=optional_id, validators=[Optional()],
                                    description=_l("When the source is “reported by a council”."))
    handling_council = SelectField(_l("Council handling the dispute"), coerce=optional_id, validators=[Optional()],
                                   description=_l("For a dispute handled in the villager group."))
    project = SelectField(_l("Relocation site"), coerce=optional_id, validators=[Optional()])

    _link_case = None

    def setup_links(self, case=None):
        self._link_case = case
        councils, projects = queries.councils(active_only=True), queries.projects()
        self._councils = {c.id: c for c in councils}
        self._projects = {p.id: p for p in projects}
        council_choices = [("", "—")] + [(c.id, c.name) for c in councils]
        self.reporting_council.choices = list(council_choices)
        self.handling_council.choices = list(council_choices)
        self.project.choices = [("", "—")] + [(p.id, p.name) for p in projects]
        return self

    def chosen_links(self) -> dict:
        return {"reporting": self._councils.get(self.reporting_council.data),
                "handling": self._councils.get(self.handling_council.data),
                "project": self._projects.get(self.project.data)}

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        case = self._link_case
        if case is not None:
            source, level, group_id = case.source, case.level, case.group_id
        else:
            source, level, group_id = self.source.data, self.level.data, self.group.data
        try:
            links = self.chosen_links()
            problems = case_link_problems(source=source, level=level, group_id=group_id,
                                          reporting=links["reporting"], handling=links["handling"])
        except ValueError:  # an unknown source or level: that field has its own error already
            return False
        for name, message in problems.items():
            field = getattr(self, name)
            field.errors = list(field.errors) + [message]
        return valid and not problems


class CaseLinksForm(CaseLinkFields):
    """The link fields alone, on their own page (the intake form carries them too)."""
