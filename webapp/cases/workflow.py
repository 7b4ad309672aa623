"""The case workflow as one explicit state machine.

States are ``CaseState``; the allowed transitions, who may make each and what must hold
first, are the table below. Operations (``operations.py``) are the only code that moves a
case: they ask ``refusal()`` first and record every move on the timeline.

    registered → assessed → mediating ──→ resolved → follow_up → closed → archived
                      │  ↖returned↙ │  ↘ failed ─────────────────↗   ↑
                      └──→ referred ─┘→ resolved                      │
    any open state but registered → escalated → mediating | closed ───┘
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_babel.speaklater import LazyString

from tenants.models import Role
from webapp.cases.models import CaseState as S, NextStep, ReferralStatus

OPEN = frozenset(S) - {S.ESCALATED, S.CLOSED, S.ARCHIVED}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: S
    roles: frozenset
    label: object
    # Extra conditions: each returns the reason for refusing, or None.
    guards: tuple = field(default=())


# -- guards ---------------------------------------------------------------------------------


def _assigned_mediator_only(case, membership):
    if membership.role == Role.MEDIATOR and case.assignee_id != membership.user_id:
        return _l("Only the assigned mediator or the center director can do this.")
    return None


def _own_department(case, membership):
    if membership.role == Role.LIAISON and case.department_id != membership.department_id:
        return _l("This case was referred to another department.")
    return None


def _referral_accepted(case, membership):
    referral = case.open_referral
    if referral is None or referral.status != ReferralStatus.ACCEPTED:
        return _l("Accept the referral before reporting its result.")
    return None


def _follow_ups_done(case, membership):
    if case.state == S.FOLLOW_UP:
        open_visits = [f.due_on for f in case.follow_ups if f.done_at is None]
        if open_visits:
            return _l("Follow-up visits still to do: %(dates)s.", dates=", ".join(d.isoformat() for d in open_visits))
    return None


def _visit_left(case, membership):
    if not any(f.done_at is None for f in case.follow_ups):
        return _l("Every scheduled follow-up visit has been recorded.")
    return None


def _failed_case_has_an_end(case, membership):
    if case.state == S.FAILED and case.next_step == NextStep.ESCALATE:
        return _l("The next step chosen was escalation: escalate the case instead of closing it.")
    return None


def _file_complete(case, membership):
    # Here, not at the top: what a file lacks depends on its renderings (webapp.documents), whose
    # operations move cases through this state machine.
    from webapp.cases.completeness import missing_parts

    missing = missing_parts(case)
    if missing:
        # Joined when the message is shown, like every lazy string: a job or the CLI that is
        # refused has no request, hence no language to translate into yet.
        parts = LazyString(lambda: "；".join(str(m) for m in missing))
        return _l("The case file is incomplete: %(missing)s.", missing=parts)
    return None


# -- the table ------------------------------------------------------------------------------

R = Role
CENTER = frozenset({R.TOWNSHIP_ADMIN})
INTAKE = frozenset({R.TOWNSHIP_ADMIN, R.CLERK})
MEDIATION = frozenset({R.TOWNSHIP_ADMIN, R.MEDIATOR})
FIELD = frozenset({R.TOWNSHIP_ADMIN, R.MEDIATOR, R.OFFICER})
LIAISON = frozenset({R.LIAISON})

TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    Transition("assess", frozenset({S.REGISTERED}), S.ASSESSED, INTAKE, _l("Assess")),
    Transition("start_mediation", frozenset({S.ASSESSED, S.RETURNED}), S.MEDIATING, MEDIATION,
               _l("Start mediation")),
    Transition("refer", frozenset({S.ASSESSED, S.RETURNED, S.MEDIATING}), S.REFERRED, CENTER,
               _l("Refer to a department")),
    Transition("complete_referral", frozenset({S.REFERRED}), S.RESOLVED, LIAISON, _l("Report success"),
               (_own_department, _referral_accepted)),
    Transition("return_referral", frozenset({S.REFERRED}), S.RETURNED, LIAISON, _l("Return to the center"),
               (_own_department,)),
    Transition("resolve", frozenset({S.MEDIATING}), S.RESOLVED, MEDIATION, _l("Agreement reached"),
               (_assigned_mediator_only,)),
    Transition("fail", frozenset({S.MEDIATING}), S.FAILED, MEDIATION, _l("Mediation failed"),
               (_assigned_mediator_only,)),
    # Recording a visit: the first moves the case into follow-up, later ones keep it there.
    Transition("follow_up", frozenset({S.RESOLVED, S.FOLLOW_UP}), S.FOLLOW_UP, FIELD, _l("Follow-up visit"),
               (_visit_left,)),
    Transition("reopen", frozenset({S.FOLLOW_UP, S.CLOSED}), S.MEDIATING, FIELD, _l("Reopen")),
    Transition("close", frozenset({S.FOLLOW_UP, S.FAILED, S.ESCALATED}), S.CLOSED, CENTER, _l("Close"),
               (_follow_ups_done, _failed_case_has_an_end)),
    Transition("archive", frozenset({S.CLOSED}), S.ARCHIVED, CENTER, _l("Archive"), (_file_complete,)),
    # Escalation follows assessment (研判 weighs the risk), and the database holds every case
    # past registration to have a difficulty: a registered case is assessed first.
    Transition("escalate", OPEN - {S.REGISTERED}, S.ESCALATED, MEDIATION, _l("Escalate"),
               (_assigned_mediator_only,)),
    Transition("resume", frozenset({S.ESCALATED}), S.MEDIATING, CENTER, _l("Resume mediation")),
)}


# A state's name has its own context: the same English word names other things too (a
# resolved accountability flag is not a mediation that succeeded).
STATE_LABELS = {
    S.REGISTERED: lazy_pgettext("case state", "Registered"),
    S.ASSESSED: lazy_pgettext("case state", "Assessed"),
    S.MEDIATING: lazy_pgettext("case state", "In mediation"),
    S.REFERRED: lazy_pgettext("case state", "Referred"),
    S.RETURNED: lazy_pgettext("case state", "Returned"),
    S.RESOLVED: lazy_pgettext("case state", "Resolved"),
    S.FAILED: lazy_pgettext("case state", "Failed"),
    S.FOLLOW_UP: lazy_pgettext("case state", "Follow-up"),
    S.ESCALATED: lazy_pgettext("case state", "Escalated"),
    S.CLOSED: lazy_pgettext("case state", "Closed"),
    S.ARCHIVED: lazy_pgettext("case state", "Archived"),
}


def refusal(case, name: str, membership):
    """Why ``membership`` may not make transition ``name`` on ``case`` now, or None."""
    transition = TRANSITIONS[name]
    if membership is None or membership.role not in transition.roles:
        return _l("Your role cannot do this: %(action)s.", action=transition.label)
    if case.state not in transition.sources:
        return _l("A case that is “%(state)s” cannot go on to “%(action)s”.",
                  state=STATE_LABELS[case.state], action=transition.label)
    for guard in transition.guards:
        reason = guard(case, membership)
        if reason is not None:  # a lazy string: its truth would translate it, needing a request
            return reason
    return None


# -- the record of a closed case ----------------------------------------------------------
# Besides its transitions, a case's record changes by edits: its fields and parties, sessions,
# attachments, council links, a deadline, a pause of its clock. Closing makes the record final
# but for what closing allows (reopening, a transition); an archived case accepts nothing but
# reading and new printed versions of its file.
FINAL = frozenset({S.CLOSED, S.ARCHIVED})


def record_refusal(case):
    """Why the record of ``case`` cannot be edited now (whoever asks), or None."""
    if case.state == S.ARCHIVED:
        return _l("An archived case is a legal record: it can be read and printed, not changed.")
    if case.state == S.CLOSED:
        return _l("A closed case is not changed: reopen it first if it must be.")
    return None


def allowed(case, membership) -> list[Transition]:
    """The transitions this person may make now, in the table's order: the case page's buttons."""
    return [t for t in TRANSITIONS.values() if refusal(case, t.name, membership) is None]


def markdown_table() -> str:
    """The transition table as it stands in ``docs/cases.md`` (English codes; the pages say it in Chinese)."""
    lines = ["| transition | from | to | who | also needs |", "|---|---|---|---|---|"]
    for t in TRANSITIONS.values():
        sources = ", ".join(sorted(s.value for s in t.sources))
        roles = ", ".join(sorted(r.value for r in t.roles))
        guards = ", ".join(g.__name__.strip("_").replace("_", " ") for g in t.guards) or "·"
        lines.append(f"| `{t.name}` | {sources} | {t.target.value} | {roles} | {guards} |")
    return "\n".join(lines)
