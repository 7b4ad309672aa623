"""Display names of the product's codes; the Chinese comes from the translations."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from tenants.models import Role

ROLE_LABELS = {
    Role.COUNTY_ADMIN: _l("County administrator"),
    Role.COUNTY_REVIEWER: _l("County reviewer"),
    Role.TOWNSHIP_ADMIN: _l("Center director"),
    Role.CLERK: _l("Intake clerk"),
    Role.MEDIATOR: _l("Mediator"),
    Role.OFFICER: _l("Stability officer"),
    Role.LIAISON: _l("Department liaison"),
}


def role_label(role) -> str:
    return ROLE_LABELS[Role(role)]


def _labels():
    from webapp.cases.models import (
        Difficulty, EscalationTarget, Level, NextStep, PartyRole, ReferralStatus, Risk, Source, TagKind,
    )
    from webapp.cases.workflow import STATE_LABELS
    from webapp.referrals.models import DepartmentKind

    return {
        "state": STATE_LABELS,
        "source": {
            Source.INVESTIGATION: _l("Found by investigation"), Source.VISIT: _l("Walk-in"),
            Source.CALL: _l("Phone call"), Source.ASSIGNED: _l("Assigned from above"),
            Source.HANDOVER: _l("Handed over by a department"), Source.COUNCIL: _l("Reported by a council"),
        },
        "level": {Level.GROUP: _l("Villager group"), Level.VILLAGE: _l("Village"), Level.TOWNSHIP: _l("Township")},
        "difficulty": {Difficulty.ORDINARY: _l("Ordinary"), Difficulty.COMPLEX: _l("Complex"),
                       Difficulty.MAJOR: _l("Major")},
        "risk": {Risk.RESOLVABLE: _l("Resolvable"), Risk.CONTROLLABLE: _l("Controllable"),
                 Risk.MAY_ESCALATE: _l("May escalate")},
        "next_step": {NextStep.ESCALATE: _l("Escalate"), NextStep.LITIGATION: _l("Guide to litigation"),
                      NextStep.ARBITRATION: _l("Guide to arbitration")},
        "target": {EscalationTarget.PARTY_COMMITTEE: _l("Township party committee and government"),
                   EscalationTarget.COUNTY_BUREAU: _l("County judicial bureau")},
        "party_role": {PartyRole.APPLICANT: _l("Applicant"), PartyRole.RESPONDENT: _l("Respondent"),
                       PartyRole.THIRD_PARTY: _l("Third party")},
        "tag_kind": {TagKind.AREA: _l("Key area"), TagKind.GROUP: _l("Key group"), TagKind.ISSUE: _l("Key issue")},
        "referral_status": {
            ReferralStatus.PENDING: _l("Waiting for acceptance"), ReferralStatus.ACCEPTED: _l("Accepted"),
            ReferralStatus.SUCCEEDED: _l("Resolved by the department"), ReferralStatus.RETURNED: _l("Returned"),
            ReferralStatus.WITHDRAWN: _l("Withdrawn by the center"),
        },
        "department_kind": {
            DepartmentKind.POLICE_STATION: _l("Police station"), DepartmentKind.COURT: _l("People's court"),
            DepartmentKind.JUDICIAL_OFFICE: _l("Judicial office"), DepartmentKind.PETITION_OFFICE: _l("Petition office"),
            DepartmentKind.GOVERNANCE_OFFICE: _l("Comprehensive governance office"),
            DepartmentKind.VILLAGE_COMMITTEE: _l("Village mediation committee"),
        },
        "field": {"id_number": _l("ID number"), "phone": _l("Phone"), "address": _l("Address")},
    }


_cache: dict = {}


def label(kind: str, value) -> str:
    """The display name of a code, e.g. ``label("risk", Risk.MAY_ESCALATE)`` → 可激化."""
    if "state" not in _cache:
        _cache.update(_labels())
    table = _cache[kind]
    for key, text in table.items():
        if key == value or getattr(key, "value", key) == value:
            return text
    return str(value)


def choices(kind: str) -> list[tuple[str, object]]:
    if "state" not in _cache:
        _cache.update(_labels())
    return [(getattr(k, "value", k), v) for k, v in _cache[kind].items()]


EVENT_LABELS = {
    "registered": _l("Registered"),
    "edited": _l("Edited"),
    "party_added": _l("Party added"),
    "party_edited": _l("Party details changed"),
    "referral_accepted": _l("Referral accepted"),
    "session_recorded": _l("Mediation session recorded"),
    "follow_up_recorded": _l("Follow-up visit recorded"),
    "attachment_added": _l("File added"),
}


def _deadline_labels():
    from webapp.deadlines.models import AlertKind, EscalationLevel, FlagKind, FlagStatus

    return {
        "alert": {
            AlertKind.YELLOW: _l("Time limit running out"), AlertKind.RED: _l("Time limit passed"),
            AlertKind.LONG_OVERDUE: _l("Long overdue"), AlertKind.UNREPORTED: _l("May escalate, not reported"),
            AlertKind.UNHANDLED: _l("Assigned from above, not taken up"),
            "referral": _l("A case was referred to your department"),
        },
        "escalation": {
            EscalationLevel.DIRECTOR: _l("To the center director"),
            EscalationLevel.PARTY_COMMITTEE: _l("To the township party committee and government"),
            EscalationLevel.COUNTY: _l("To the county judicial bureau"),
        },
        "flag": {
            FlagKind.OVERDUE_NO_PROGRESS: _l("Dragged out: overdue with no progress"),
            FlagKind.REFERRAL_NOT_ACCEPTED: _l("Referral not accepted in time"),
            FlagKind.ASSIGNED_NOT_HANDLED: _l("Case assigned from above not handled in time"),
            FlagKind.FOLLOW_UP_MISSED: _l("Follow-up visit not done in time"),
            FlagKind.NOT_REPORTED: _l("Case that may escalate not reported"),
            FlagKind.MANUAL: _l("Raised by the director"),
        },
        "flag_status": {
            FlagStatus.OPEN: lazy_pgettext("flag status", "Open"),
            FlagStatus.ACKNOWLEDGED: lazy_pgettext("flag status", "Acknowledged"),
            FlagStatus.DISPUTED: lazy_pgettext("flag status", "Disputed"),
            FlagStatus.RESOLVED: lazy_pgettext("flag status", "Resolved"),
        },
        "sweep": {
            "warned": _l("Warned (yellow)"), "overdue": _l("Overdue (red)"), "escalated": _l("Escalations"),
            "flagged": _l("Flags raised"), "notified": _l("Notifications"),
        },
    }


def deadline_label(kind: str, value) -> str:
    if "deadline" not in _cache:
        _cache["deadline"] = _deadline_labels()
    for key, text in _cache["deadline"][kind].items():
        if key == value or getattr(key, "value", key) == value:
            return text
    return str(value)


def fault_label(number: int) -> str:
    from webapp.deadlines.forms import FAULTS

    return dict(FAULTS).get(int(number), str(number))


EVENT_LABELS.update({
    "clock_paused": _l("Clock paused"),
    "clock_resumed": _l("Clock resumed"),
    "flag_acknowledged": _l("Flag acknowledged"),
    "flag_disputed": _l("Flag disputed"),
    "flag_resolved": _l("Flag resolved"),
})

# Councils and relocation sites (webapp.villages): which council reported or handles a case,
# and the site it arose at.
EVENT_LABELS.update({
    "council_reported": _l("Reporting council"),
    "council_handling": _l("Council handling the dispute"),
    "relocation_site": _l("Relocation site"),
})


def event_label(kind: str) -> str:
    """The timeline's name for an event; sweep events carry their level or kind after a colon."""
    prefix, _, rest = kind.partition(":")
    if prefix == "escalation" and rest:
        return deadline_label("escalation", rest)
    if prefix == "ack" and rest:
        return _l("Escalation acknowledged: %(level)s", level=deadline_label("escalation", rest))
    if prefix == "flag" and rest:
        return _l("Accountability flag: %(kind)s", kind=deadline_label("flag", rest))
    if prefix == "deadline" and rest:
        return _l("Deadline set: settle by %(date)s", date=rest)
    return EVENT_LABELS.get(kind, kind)
