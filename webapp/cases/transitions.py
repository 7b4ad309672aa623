"""Each workflow transition as a person makes it, on the case page or on the board: its form,
the choices that form offers, and how what was posted becomes the operation that moves the
case. Both pages call this module, so a transition is checked, asked for and made one way.

    named(name)            the transition, or 400 for a name the workflow does not know
    check(case, name, …)   the version the person saw, then the workflow's rules (Stale, Refused)
    make_form(name, …)     the transition's form: empty with what can be guessed, or as posted
    make(name, case, …)    the operation, with what the form holds (Refused, Stale)

No lost updates: a form carries the version of the case it was drawn from. A form posted
with another version is refused (``Stale``); two requests that both pass that check meet in
the database, where the ORM's version column lets one UPDATE through and raises
``StaleDataError`` for the other, refused the same way.
"""
from dataclasses import dataclass
from functools import cache
from typing import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import BadRequest
from wtforms.fields.core import UnboundField

from tenants.models import Role
from webapp.cases import forms, operations, workflow
from webapp.cases.models import Case, CaseEvent, Difficulty, EscalationTarget, KeyPerson, NextStep, Risk, TagKind
from webapp.errors import Refused
from webapp.extensions import db
from webapp.referrals.models import Department
from webapp.staff.queries import mediators


class Stale(Refused):
    """The person acted on an older version of the case: someone else changed it since."""

    def __init__(self, case_id: int):
        super().__init__(None)
        self.case_id = case_id

    @property
    def message(self):
        # Said once the transaction is rolled back: who changed the case, and how it is now.
        case = db.session.get(Case, self.case_id)
        last = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                         CaseEvent.tenant_id == case.tenant_id)
                                 .options(selectinload(CaseEvent.actor)).order_by(CaseEvent.id.desc()).limit(1))
        who = last.actor.name if last is not None and last.actor is not None else _("Someone")
        return _("%(who)s changed case %(number)s a moment ago; it is now “%(state)s”. Your move was not made: "
                 "check the card and try again if it is still needed.",
                 who=who, number=case.number, state=workflow.STATE_LABELS[case.state])


# -- from a form's data to the operation ------------------------------------------------------


def _split(text):
    return [part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip()]


def _assess(case, actor, data):
    tags = [(TagKind.AREA, t) for t in _split(data["key_areas"])] + \
           [(TagKind.GROUP, t) for t in _split(data["key_groups"])] + \
           [(TagKind.ISSUE, t) for t in _split(data["key_issues"])]
    operations.assess_case(case, actor, difficulty=Difficulty(data["difficulty"]), risk=Risk(data["risk"]),
                           tags=tags, key_person_ids=data["key_persons"], note=data["note"])


def _refer(case, actor, data):
    department = db.session.scalar(select(Department).where(Department.id == data["department"],
                                                            Department.tenant_id == case.tenant_id))
    if department is None:
        raise Refused(_l("Choose the department."), field="department")
    operations.refer_case(case, actor, department=department, note=data["note"])


def _follow_up(case, actor, data):
    visit = next((f for f in case.follow_ups if f.id == data["visit"]), None)
    if visit is None:
        raise Refused(_l("Choose the visit."), field="visit")
    operations.record_follow_up(case, actor, visit, carried_out=data["carried_out"] == "yes",
                                may_flare_up=data["may_flare_up"] == "yes", notes=data["notes"])


# What each form offers to choose from, loaded only for the form that needs it.
_CHOICES: dict[str, Callable] = {
    "mediators": lambda case: mediators(case.tenant_id),
    "departments": lambda case: db.session.scalars(
        select(Department).where(Department.tenant_id == case.tenant_id).order_by(Department.id)).all(),
    "key_persons": lambda case: db.session.scalars(
        select(KeyPerson).where(KeyPerson.tenant_id == case.tenant_id).order_by(KeyPerson.id)).all(),
    "open_visits": lambda case: [f for f in case.follow_ups if f.done_at is None],
}


@dataclass(frozen=True)
class Way:
    """How a transition is made: its form, the choices the form needs, the operation."""
    form: type
    apply: Callable  # (case, actor, form data) → the operation
    choices: tuple = ()


WAYS: dict[str, Way] = {
    "assess": Way(forms.AssessForm, _assess, ("key_persons",)),
    "start_mediation": Way(forms.AssigneeForm, lambda case, actor, data: operations.start_mediation(
        case, actor, assignee_id=data["assignee"], note=data["note"]), ("mediators",)),
    "resume": Way(forms.AssigneeForm, lambda case, actor, data: operations.resume_case(
        case, actor, assignee_id=data["assignee"], note=data["note"]), ("mediators",)),
    "refer": Way(forms.ReferForm, _refer, ("departments",)),
    "complete_referral": Way(forms.ResultForm, lambda case, actor, data: operations.complete_referral(
        case, actor, result=data["result"])),
    "return_referral": Way(forms.ReasonForm, lambda case, actor, data: operations.return_referral(
        case, actor, reason=data["reason"])),
    "resolve": Way(forms.ResolveForm, lambda case, actor, data: operations.resolve_case(
        case, actor, text=data["text"], amount=data["amount"], perform_by=data["perform_by"],
        signed_on=data["signed_on"])),
    "fail": Way(forms.FailForm, lambda case, actor, data: operations.fail_case(
        case, actor, next_step=NextStep(data["next_step"]), note=data["note"])),
    "escalate": Way(forms.EscalateForm, lambda case, actor, data: operations.escalate_case(
        case, actor, target=EscalationTarget(data["target"]), note=data["note"])),
    "follow_up": Way(forms.FollowUpForm, _follow_up, ("open_visits",)),
    "reopen": Way(forms.ReasonForm, lambda case, actor, data: operations.reopen_case(
        case, actor, reason=data["reason"])),
    "close": Way(forms.NoteForm, lambda case, actor, data: operations.close_case(case, actor, note=data["note"])),
    "archive": Way(forms.ConfirmForm, lambda case, actor, data: operations.archive_case(case, actor)),
}

# A transition added to the workflow without a way to make it fails here, at start-up.
assert WAYS.keys() == workflow.TRANSITIONS.keys(), set(WAYS) ^ set(workflow.TRANSITIONS)


# -- the steps a page goes through --------------------------------------------------------------


def named(name) -> workflow.Transition:
    """The transition called ``name``; a name the workflow does not know is a bad request."""
    try:
        return workflow.TRANSITIONS[name]
    except (KeyError, TypeError):
        raise BadRequest(f"unknown transition {name!r}") from None


def check_version(case, version: int | None) -> None:
    """The case is still as the person saw it (``version`` from their card or form; None: a
    post that carries none, left to the database's version column)."""
    if version is not None and version != case.version:
        raise Stale(case.id)


def check(case, name: str, membership, version: int | None) -> None:
    """Before the form is read: the version the person saw, then the workflow's rules."""
    check_version(case, version)
    reason = workflow.refusal(case, name, membership)
    if reason is not None:
        raise Refused(reason)


# Fields a form carries without asking the person anything: its one-time token.
_NOT_ASKED = frozenset({"form_token"})


@cache
def needs_form(name: str) -> bool:
    """Whether the transition asks for anything (an outcome, a department, a note) beyond a
    confirmation: on the board such a move opens its form on the card instead of happening
    at once."""
    form = WAYS[name].form
    return any(isinstance(getattr(form, attr, None), UnboundField) for attr in dir(form)
               if not attr.startswith("_") and attr not in _NOT_ASKED)


def make_form(name: str, case, membership, formdata=None, prefix: str = ""):
    """The transition's form: empty (with what can be guessed filled in), or bound to what
    was posted (``formdata``)."""
    way = WAYS[name]
    form = way.form(formdata=formdata, prefix=prefix)
    if way.choices:
        form.setup({choice: _CHOICES[choice](case) for choice in way.choices})
    elif hasattr(form, "setup"):
        form.setup({})
    if formdata is None:
        if name in ("start_mediation", "resume") and membership.role == Role.MEDIATOR:
            form.assignee.data = membership.user_id  # a mediator can only take a case on themselves
        if name == "resolve" and case.agreement:
            form.text.data, form.amount.data = case.agreement.text, case.agreement.amount
    return form


def apply(name: str, case, membership, data: dict) -> None:
    WAYS[name].apply(case, membership, data)


def make(name: str, case, membership, form) -> None:
    """Make the transition through its operation, with what its (validated) form holds.
    Raises ``Refused`` when a rule forbids it, and ``Stale`` when another request changed
    the case between our read and our write."""
    case_id = case.id
    try:
        apply(name, case, membership, form.data)
    except StaleDataError:
        raise Stale(case_id) from None
