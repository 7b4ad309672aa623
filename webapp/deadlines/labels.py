"""Display names of alerts, escalations, accountability flags and the sweep's counts,
registered with ``webapp.labels``."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from webapp.deadlines.models import AlertKind, EscalationLevel, FlagKind, FlagStatus
from webapp.labels import register, register_events

# The seven faults of the accountability rules (矛盾纠纷调处过错责任追究制度), by number.
FAULTS = [
    (1, _l("1. Not investigating, or not mediating in time, leading to group petitions or fights")),
    (2, _l("2. Not applying first-inquiry responsibility, passing the buck")),
    (3, _l("3. Knowing of signs of a group incident or major dispute and neither acting nor reporting")),
    (4, _l("4. Dragging a case out, or mediating passively, so that it escalates")),
    (5, _l("5. Refusing, or not promptly handling, a case assigned, handed over or supervised from above")),
    (6, _l("6. Not going to the scene of a group petition or fight in time")),
    (7, _l("7. Favouritism or unfair mediation")),
]
register("fault", dict(FAULTS))
register("alert", {
    AlertKind.YELLOW: _l("Time limit running out"), AlertKind.RED: _l("Time limit passed"),
    AlertKind.LONG_OVERDUE: _l("Long overdue"), AlertKind.UNREPORTED: _l("May escalate, not reported"),
    AlertKind.UNHANDLED: _l("Assigned from above, not taken up"),
    "referral": _l("A case was referred to your department"),
    "decision_due": _l("A joint-meeting decision you own is due soon"),
    "decision_overdue": _l("A joint-meeting decision you own is past its due date"),
    "round_due": _l("An investigation round is waiting for reports"),
    "round_not_reported": _l("Villages did not report in an investigation round"),
    "visit_due": _l("A key person's visit is due soon"),
    "visit_missed": _l("A key person's visit was missed"),
    AlertKind.MANUAL: _l("Reported by hand"),
    "reported": _l("A case was reported to you"),
    "instruction": _l("An instruction was given on a case"),
    "assignment": _l("A dispute was assigned from above"),
    "assignment_due": _l("An assignment from above is to be taken up soon"),
    "supervision": _l("A supervision notice awaits an answer"),
})
register("escalation", {
    EscalationLevel.DIRECTOR: _l("To the center director"),
    EscalationLevel.PARTY_COMMITTEE: _l("To the township party committee and government"),
    EscalationLevel.COUNTY: _l("To the county judicial bureau"),
})
register("flag", {
    FlagKind.OVERDUE_NO_PROGRESS: _l("Dragged out: overdue with no progress"),
    FlagKind.REFERRAL_NOT_ACCEPTED: _l("Referral not accepted in time"),
    FlagKind.ASSIGNED_NOT_HANDLED: _l("Case assigned from above not handled in time"),
    FlagKind.FOLLOW_UP_MISSED: _l("Follow-up visit not done in time"),
    FlagKind.NOT_REPORTED: _l("Case that may escalate not reported"),
    FlagKind.NOT_ANSWERED: _l("Supervision notice not answered in time"),
    FlagKind.MANUAL: _l("Raised by the director"),
    FlagKind.DECISION_OVERDUE: _l("Joint-meeting decision not done by its due date"),
    FlagKind.ROUND_NOT_REPORTED: _l("Village did not report in an investigation round"),
    FlagKind.VISIT_MISSED: _l("Key person's visit not made by its due date"),
})
register("flag_status", {
    FlagStatus.OPEN: lazy_pgettext("flag status", "Open"),
    FlagStatus.ACKNOWLEDGED: lazy_pgettext("flag status", "Acknowledged"),
    FlagStatus.DISPUTED: lazy_pgettext("flag status", "Disputed"),
    FlagStatus.RESOLVED: lazy_pgettext("flag status", "Resolved"),
})
register("sweep", {
    "warned": _l("Warned (yellow)"), "overdue": _l("Overdue (red)"), "escalated": _l("Escalations"),
    "flagged": _l("Flags raised"), "notified": _l("Notifications"),
})
register_events({
    "clock_paused": _l("Clock paused"),
    "clock_resumed": _l("Clock resumed"),
    "flag_acknowledged": _l("Flag acknowledged"),
    "flag_disputed": _l("Flag disputed"),
    "flag_resolved": _l("Flag resolved"),
})
