"""Forms of the meeting pages. Choices that depend on the township are filled by ``setup()``."""
from datetime import date, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from webapp.forms import OnceForm, optional_id
from webapp.input_rules import fits
from webapp.labels import choices, register
from webapp.meetings.models import ActionKind, Attendance, Meeting, MeetingKind

KIND_LABELS = register("meeting_kind", {MeetingKind.MID_YEAR: _l("Mid-year meeting"),
                                       MeetingKind.YEAR_END: _l("Year-end meeting")})
ACTION_LABELS = register("meeting_action", {ActionKind.ASSIGN: _l("Assign to a mediator"),
                                            ActionKind.ESCALATE: _l("Escalate"),
                                            ActionKind.DEADLINE: _l("Set a deadline")})


def held_between(kind: MeetingKind, year: int) -> tuple[date, date]:
    """年中 and 年底: a mid-year meeting falls in June to August, a year-end one in December or January."""
    if kind is MeetingKind.MID_YEAR:
        return date(year, 6, 1), date(year, 8, 31)
    return date(year, 12, 1), date(year + 1, 1, 31)


class MeetingForm(OnceForm, FlaskForm):
    kind = RadioField(_l("Meeting"), choices=[(k.value, v) for k, v in KIND_LABELS.items()],
                      validators=[InputRequired(_l("Choose the mid-year or the year-end meeting."))])
    year = IntegerField(_l("Year"), validators=[
        InputRequired(_l("Enter the year.")), NumberRange(2000, 2100, _l("Enter a year such as 2026."))])
    held_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date of the meeting."))])
    held_at = TimeField(_l("Time"), default=time(9, 0),
                        validators=[InputRequired(_l("Enter the time the meeting starts."))])
    place = StringField(_l("Place"), validators=[DataRequired(_l("Enter where the meeting is held.")), fits(Meeting.place)])
    chair = StringField(_l("Chair"), description=_l("The township mediation committee's director convenes it."),
                        validators=[DataRequired(_l("Name who chairs the meeting.")), fits(Meeting.chair)])
    title = StringField(_l("Title"), description=_l("Leave empty for the usual title."),
                        validators=[Optional(), fits(Meeting.title)])

    def setup(self, taken: set, editing: bool = False):
        """``taken``: the (year, kind) of the township's other meetings."""
        self._taken = taken
        if editing:
            # The kind and year name the meeting; what can move is when, where and who chairs.
            del self.kind
            del self.year
        return self

    def validate_kind(self, field):
        if self.year.data and field.data and (self.year.data, field.data) in self._taken:
            raise ValidationError(_l("This meeting is scheduled already: open it from the list."))

    def check_date(self, kind: MeetingKind, year: int) -> bool:
        if self.held_on.data is None:
            return True
        first, last = held_between(kind, year)
        if not first <= self.held_on.data <= last:
            message = (_l("A mid-year meeting is held between June and August of its year.")
                       if kind is MeetingKind.MID_YEAR else
                       _l("A year-end meeting is held in December of its year or January of the next."))
            self.held_on.errors = list(self.held_on.errors) + [message]
            return False
        return True


def unit_key(unit) -> str:
    """``d12`` for a department, ``v3`` for a village: one namespace for the member units."""
    return f"{'d' if unit.__tablename__ == 'departments' else 'v'}{unit.id}"


def attendance_form(departments, villages, data=None):
    """One row per member unit and village: present, and who came."""
    fields = {}
    for unit in list(departments) + list(villages):
        key = unit_key(unit)
        fields[f"present_{key}"] = BooleanField(_l("Present"))
        fields[f"name_{key}"] = StringField(_l("Who came"), validators=[fits(Attendance.attendee)])
    form_class = type("AttendanceForm", (_AttendanceForm,), fields)
    form = form_class(data=data)
    form.units = [(unit_key(u), u) for u in list(departments) + list(villages)]
    return form


class _AttendanceForm(FlaskForm):
    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for key, _unit in self.units:
            present, name = self[f"present_{key}"], self[f"name_{key}"]
            name.data = (name.data or "").strip()
            if present.data and not name.data:
                name.errors.append(_l("Name who came for this unit."))
                ok = False
            elif name.data and not present.data:
                name.errors.append(_l("Tick “present”, or leave the name empty."))
                ok = False
        return ok

    def rows(self) -> dict:
        return {("department" if key[0] == "d" else "village", int(key[1:])):
                (bool(self[f"present_{key}"].data), self[f"name_{key}"].data or "") for key, _unit in self.units}


class ActionFields(OnceForm, FlaskForm):
    action = SelectField(_l("Action on a case"), default="")
    case = SelectField(_l("Case"), coerce=optional_id, validators=[Optional()])
    assignee = SelectField(_l("Mediator"), coerce=optional_id, validators=[Optional()])
    target = SelectField(_l("Report to"), validators=[Optional()])
    action_due_on = DateField(_l("Settle by"), validators=[Optional()])

    def setup(self, cases, mediators):
        self.action.choices = [("", _l("None"))] + [(k.value, v) for k, v in ACTION_LABELS.items()]
        self.case.choices = [("", "—")] + [(c.id, f"{c.number} {c.title}") for c in cases]
        self.assignee.choices = [("", "—")] + [(u.id, u.name) for u in mediators]
        self.target.choices = [("", "—")] + choices("target")
        return self

    def validate(self, extra_validators=None):
        """What an action needs depends on the action: the errors go beside the missing field."""
        ok = super().validate(extra_validators)
        action = self.action.data
        needs = [(self.case, bool(action) and not self.case.data, _l("Choose the case.")),
                 (self.action, bool(self.case.data) and not action, _l("Choose what the meeting decided for this case.")),
                 (self.assignee, action == ActionKind.ASSIGN.value and not self.assignee.data, _l("Choose the mediator.")),
                 (self.target, action == ActionKind.ESCALATE.value and not self.target.data,
                  _l("Choose where to report the case.")),
                 (self.action_due_on, action == ActionKind.DEADLINE.value and not self.action_due_on.data,
                  _l("Enter the date by which the case is to be settled."))]
        for field, missing, message in needs:
            if missing:
                field.errors = list(field.errors) + [message]
                ok = False
        return ok


class ActionForm(ActionFields):
    """A further action of a decision already recorded."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.action.data and not self.action.errors:
            self.action.errors = list(self.action.errors) + [_l("Choose the action.")]
            ok = False
        return ok


class DecisionForm(ActionFields):
    text = TextAreaField(_l("What was decided"), validators=[DataRequired(_l("Write down what was decided.")),
                                                      Length(max=2000)])
    unit = SelectField(_l("Responsible unit"), default="", validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    owner = SelectField(_l("Owner"), coerce=optional_id, validators=[Optional()],
                        description=_l("Who sees the decision through, reminded before the due date. "
                                    "Leave empty: you, for a decision with a due date."))

    def setup(self, cases, mediators, departments=(), villages=(), owners=()):
        super().setup(cases, mediators)
        self.owner.choices = [("", "—")] + [(u.id, u.name) for u in owners]
        self.unit.choices = [("", _l("The center"))] + [(unit_key(u), u.name) for u in list(departments) + list(villages)]
        return self

    def unit_ids(self) -> dict:
        value = self.unit.data or ""
        if value.startswith("d"):
            return {"department_id": int(value[1:])}
        if value.startswith("v"):
            return {"village_id": int(value[1:])}
        return {}
