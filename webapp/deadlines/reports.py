"""A person's 上报: the same escalation the sweep makes, sent to the level the person named,
and the people of that level told of it.

Called by ``webapp.cases.operations.escalate_case`` (the workflow's ``escalate``), so a case
reported by hand goes up one path only; ``operations.instruct_escalation`` carries the answer
(批示) back down.
"""
from sqlalchemy import select

from tenants.models import Membership, Role
from webapp.cases.models import EscalationTarget
from webapp.deadlines.models import AlertKind, Escalation, EscalationLevel, Notification
from webapp.extensions import db

LEVEL_OF_TARGET = {
    EscalationTarget.DIRECTOR: EscalationLevel.DIRECTOR,
    EscalationTarget.PARTY_COMMITTEE: EscalationLevel.PARTY_COMMITTEE,
    EscalationTarget.COUNTY_BUREAU: EscalationLevel.COUNTY,
}

# Who receives each level, acknowledges it and answers it. The director also acknowledges what
# the sweep sends the party committee, as before there was a party-committee role.
RECEIVERS = {
    EscalationLevel.DIRECTOR: frozenset({Role.TOWNSHIP_ADMIN}),
    EscalationLevel.PARTY_COMMITTEE: frozenset({Role.PARTY, Role.TOWNSHIP_ADMIN}),
    EscalationLevel.COUNTY: frozenset({Role.COUNTY_ADMIN}),
}
# Who is told in the bell: the county has no bell, its queue (``/county/escalations``) is its notice.
TOLD = {
    EscalationLevel.DIRECTOR: (Role.TOWNSHIP_ADMIN,),
    EscalationLevel.PARTY_COMMITTEE: (Role.PARTY,),
    EscalationLevel.COUNTY: (),
}


def members_of(tenant_id: int, roles) -> list[int]:
    if not roles:
        return []
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.tenant_id == tenant_id, Membership.role.in_(roles), Membership.active.is_(True))))


def notify(tenant_id: int, user_ids, *, case_id: int | None, kind: str, key: str) -> int:
    """One notice per person and key, however often asked."""
    wanted = set(user_ids)
    if not wanted:
        return 0
    known = set(db.session.scalars(select(Notification.user_id).where(
        Notification.key == key, Notification.user_id.in_(wanted))))
    for user_id in wanted - known:
        db.session.add(Notification(tenant_id=tenant_id, user_id=user_id, case_id=case_id, kind=kind, key=key))
    db.session.flush()
    return len(wanted - known)


def report_up(case, actor, *, target: EscalationTarget, note: str, event) -> Escalation:
    """上报 by hand: an escalation to the named level, keyed by the timeline line of the move
    (one report, one escalation), and a notice to the people of that level."""
    level = LEVEL_OF_TARGET[target]
    escalation = Escalation(tenant_id=case.tenant_id, case_id=case.id, level=level, reason=AlertKind.MANUAL,
                            key=f"manual:{level.value}:{event.id}", note=note,
                            raised_by_id=getattr(actor, "user_id", None))
    db.session.add(escalation)
    db.session.flush()
    notify(case.tenant_id, members_of(case.tenant_id, TOLD[level]), case_id=case.id, kind="reported",
           key=f"reported:{escalation.id}")
    return escalation
