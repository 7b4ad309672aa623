"""Display names of the codes of cases, registered with ``webapp.labels``."""
from flask_babel import lazy_gettext as _l

from webapp.cases.models import (
    DEFAULT_CATEGORIES, Difficulty, EscalationTarget, Level, NextStep, PartyRole, ReferralStatus, Risk, Source, TagKind,
)
from webapp.cases.workflow import STATE_LABELS, TRANSITIONS
from webapp.labels import register, register_events

register("state", STATE_LABELS)
register("transition", {name: t.label for name, t in TRANSITIONS.items()})
register("source", {
    Source.INVESTIGATION: _l("Found by investigation"), Source.VISIT: _l("Walk-in"),
    Source.CALL: _l("Phone call"), Source.ASSIGNED: _l("Assigned from above"),
    Source.HANDOVER: _l("Handed over by a department"), Source.COUNCIL: _l("Reported by a council"),
})
register("level", {Level.GROUP: _l("Villager group"), Level.VILLAGE: _l("Village"), Level.TOWNSHIP: _l("Township")})
register("difficulty", {Difficulty.ORDINARY: _l("Ordinary"), Difficulty.COMPLEX: _l("Complex"),
                        Difficulty.MAJOR: _l("Major")})
register("risk", {Risk.RESOLVABLE: _l("Resolvable"), Risk.CONTROLLABLE: _l("Controllable"),
                  Risk.MAY_ESCALATE: _l("May escalate")})
register("next_step", {NextStep.ESCALATE: _l("Escalate"), NextStep.LITIGATION: _l("Guide to litigation"),
                       NextStep.ARBITRATION: _l("Guide to arbitration")})
register("target", {EscalationTarget.DIRECTOR: _l("Center director"),
                    EscalationTarget.PARTY_COMMITTEE: _l("Township party committee and government"),
                    EscalationTarget.COUNTY_BUREAU: _l("County judicial bureau")})
register("party_role", {PartyRole.APPLICANT: _l("Applicant"), PartyRole.RESPONDENT: _l("Respondent"),
                        PartyRole.THIRD_PARTY: _l("Third party")})
register("tag_kind", {TagKind.AREA: _l("Key area"), TagKind.GROUP: _l("Key group"), TagKind.ISSUE: _l("Key issue")})
register("referral_status", {
    ReferralStatus.PENDING: _l("Waiting for acceptance"), ReferralStatus.ACCEPTED: _l("Accepted"),
    ReferralStatus.SUCCEEDED: _l("Resolved by the department"), ReferralStatus.RETURNED: _l("Returned"),
    ReferralStatus.WITHDRAWN: _l("Withdrawn by the center"),
})
register("field", {"id_number": _l("ID number"), "phone": _l("Phone"), "address": _l("Address")})

register_events({
    "registered": _l("Registered"),
    "edited": _l("Edited"),
    "party_added": _l("Party added"),
    "party_edited": _l("Party details changed"),
    "referral_accepted": _l("Referral accepted"),
    "session_recorded": _l("Mediation session recorded"),
    "follow_up_recorded": _l("Follow-up visit recorded"),
    "attachment_added": _l("File added"),
    "related": _l("Registered as related to"),
})
register("duplicate_reason", {"id_number": _l("same ID number"), "phone": _l("same phone"),
                              "name_village": _l("same name in the same village")})
# The categories a new township starts with are its own rows (it may rename them); in English
# mode the ones still named as given show their English names.
register("category", dict(zip(DEFAULT_CATEGORIES, (
    _l("Marriage and family"), _l("Neighbours"), _l("Land and forest"), _l("Land requisition and demolition"),
    _l("Relocation"), _l("Labour and wages"), _l("Contracts"), _l("Compensation for damage"),
    _l("Other category")))))
