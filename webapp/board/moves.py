"""Moving a card is a workflow transition.

A drop on a column names a target state; the menu names a transition. Either way the
transition comes from ``webapp.cases.workflow.TRANSITIONS``, is checked by
``workflow.refusal()``, and is made through ``webapp.cases.transitions``, with the form and
the operation the case page uses too. Nothing here sets ``case.state``.
"""
from flask_babel import lazy_gettext as _l

from webapp.cases import workflow
from webapp.cases.models import CaseState


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
