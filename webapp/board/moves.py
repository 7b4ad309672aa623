"""Moving a card is a workflow transition.

A drop on a column names a target state; the menu names a transition. Either way the
transition comes from ``webapp.cases.workflow.TRANSITIONS``, is checked by
``workflow.refusal()``, and is made by the operation in ``webapp.cases.operations`` that the
case page calls too, with the same form (``webapp.cases.forms.TRANSITION_FORMS``). Nothing
here sets ``case.state``.
"""
from functools import cache

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from tenants.models import Role
from webapp.cases import operations, workflow
from webapp.cases.forms import TRANSITION_FORMS
from webapp.cases.models import CaseState, Difficulty, EscalationTarget, KeyPerson, NextStep, Risk, TagKind
from webapp.extensions import db
from webapp.referrals.models import Department
from webapp.staff.queries import mediators


def menu(case, membership) -> list[workflow.Transition]:
    """The transitions the member's role may try from the case's state to another column, in
    the table's order. The guards are left to the move itself: they may need the case's
    records, and the menu is drawn for every card of a page."""
    return [t for t in workflow.TRANSITIONS.values()
            if membership.role in t.roles and case.state in t.sources and t.target != case.state]


def choose(case, membership, *, name: str | None = None, target: str | None = None):
    """The transitions a menu choice (``name``) or a drop on a column (``target``) can mean
    now, or the reason there is none: ``(transitions, None)`` or ``([], reason)``."""
    if name is not None:
        candidates = [workflow.TRANSITIONS[name]]
    else:
        state = CaseState(target)
        if state == case.state:
            return [], None
        candidates = [t for t in workflow.TRANSITIONS.values() if t.target == state and case.state in t.sources]
        if not candidates:
            return [], _l("A case that is “%(state)s” cannot be moved to “%(target)s”.",
                          state=workflow.STATE_LABELS[case.state], target=workflow.STATE_LABELS[state])
    reasons = [workflow.refusal(case, t.name, membership) for t in candidates]
    allowed = [t for t, reason in zip(candidates, reasons) if reason is None]
    if allowed:
        return allowed, None
    return [], reasons[0]


@cache
def needs_form(name: str) -> bool:
    """Whether the transition asks for anything (an outcome, a department, a note) beyond a
    confirmation: such a move opens its form on the card instead of happening at once."""
    form = TRANSITION_FORMS[name]
    return any(isinstance(getattr(form, attr, None), UnboundField) for attr in dir(form) if not attr.startswith("_"))


def _by_id(model, item_id):
    if not item_id:
        return None
    return db.session.scalar(select(model).where(model.id == item_id, model.tenant_id == g.tenant.id))


def _context(name, case) -> dict:
    """What the transition's form offers to choose from, loaded only for the form that needs it."""
    context = {"mediators": [], "departments": [], "key_persons": [], "open_visits": []}
    if name in ("start_mediation", "resume"):
        context["mediators"] = mediators(g.tenant.id)
    elif name == "refer":
        context["departments"] = db.session.scalars(
            select(Department).where(Department.tenant_id == g.tenant.id).order_by(Department.id)).all()
    elif name == "assess":
        context["key_persons"] = db.session.scalars(
            select(KeyPerson).where(KeyPerson.tenant_id == g.tenant.id).order_by(KeyPerson.id)).all()
    elif name == "follow_up":
        context["open_visits"] = [f for f in case.follow_ups if f.done_at is None]
    return context


def make_form(name: str, case, membership, formdata=None):
    """The transition's form: empty (with what can be guessed filled in), or bound to what was
    posted."""
    # Prefixed by the case: two cards with a form open must not share field ids.
    form = TRANSITION_FORMS[name](formdata=formdata, prefix=f"card{case.id}")
    if hasattr(form, "setup"):
        form.setup(_context(name, case))
    if formdata is None:
        if name in ("start_mediation", "resume") and membership.role == Role.MEDIATOR:
            form.assignee.data = membership.user_id  # a mediator can only take a case on themselves
        if name == "resolve" and case.agreement:
            form.text.data, form.amount.data = case.agreement.text, case.agreement.amount
    return form


def _split(text):
    return [part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip()]


def perform(name: str, case, form, membership) -> None:
    """Make the transition through its operation, with what its form holds. Raises
    ``operations.Refused`` when a rule forbids it."""
    data = form.data
    if name == "assess":
        tags = [(TagKind.AREA, t) for t in _split(data["key_areas"])] + \
               [(TagKind.GROUP, t) for t in _split(data["key_groups"])] + \
               [(TagKind.ISSUE, t) for t in _split(data["key_issues"])]
        operations.assess_case(case, membership, difficulty=Difficulty(data["difficulty"]), risk=Risk(data["risk"]),
                               tags=tags, key_person_ids=data["key_persons"], note=data["note"])
    elif name == "start_mediation":
        operations.start_mediation(case, membership, assignee_id=data["assignee"], note=data["note"])
    elif name == "resume":
        operations.resume_case(case, membership, assignee_id=data["assignee"], note=data["note"])
    elif name == "refer":
        operations.refer_case(case, membership, department=_by_id(Department, data["department"]), note=data["note"])
    elif name == "complete_referral":
        operations.complete_referral(case, membership, result=data["result"])
    elif name == "return_referral":
        operations.return_referral(case, membership, reason=data["reason"])
    elif name == "resolve":
        operations.resolve_case(case, membership, text=data["text"], amount=data["amount"],
                                perform_by=data["perform_by"], signed_on=data["signed_on"])
    elif name == "fail":
        operations.fail_case(case, membership, next_step=NextStep(data["next_step"]), note=data["note"])
    elif name == "escalate":
        operations.escalate_case(case, membership, target=EscalationTarget(data["target"]), note=data["note"])
    elif name == "follow_up":
        visit = next((f for f in case.follow_ups if f.id == data["visit"]), None)
        if visit is None:
            raise operations.Refused(_("Choose the visit."), field="visit")
        operations.record_follow_up(case, membership, visit, carried_out=data["carried_out"] == "yes",
                                    may_flare_up=data["may_flare_up"] == "yes", notes=data["notes"])
    elif name == "reopen":
        operations.reopen_case(case, membership, reason=data["reason"])
    elif name == "close":
        operations.close_case(case, membership, note=data["note"])
    elif name == "archive":
        operations.archive_case(case, membership)
    else:  # a transition added to the workflow without a way to make it here
        raise operations.Refused(_l("This move cannot be made from the board; open the case instead."))
