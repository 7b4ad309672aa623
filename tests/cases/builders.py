"""Cases in any state of the workflow, built the way the center builds them: through the
operations, so every case carries the history that state implies."""
from tenants.scope import tenant_scope
from tests import factories
from webapp import timelimits
from webapp.cases import operations
from webapp.cases.models import CaseState, Difficulty, EscalationTarget, NextStep, Risk

S = CaseState

# The road to each state: the state it is reached from (the step is in ``_drive``).
_ROADS = {
    S.ASSESSED: S.REGISTERED,
    S.MEDIATING: S.ASSESSED,
    S.REFERRED: S.MEDIATING,
    S.RETURNED: S.REFERRED,
    S.RESOLVED: S.MEDIATING,
    S.FAILED: S.MEDIATING,
    S.FOLLOW_UP: S.RESOLVED,
    S.ESCALATED: S.MEDIATING,
    S.CLOSED: S.FOLLOW_UP,
    S.ARCHIVED: S.CLOSED,
}


class Staff:
    """The people a case meets on its way: a director, the assigned mediator, the liaison
    of the department it is referred to."""

    def __init__(self, tenant, director=None, mediator=None, liaison=None, department=None):
        self.tenant = tenant
        self.director = director or factories.member("township_admin", tenant)
        self.mediator = mediator or self.director
        self.liaison = liaison or factories.member("liaison", tenant)
        self.department = department or factories.department_of(tenant)


def case_in(state, staff: Staff, *, via_referral=False, accepted=False, next_step=NextStep.LITIGATION, **fields):
    """A new case driven to ``state``: assessed, mediated by ``staff.mediator`` (who thus is
    the assigned mediator of every case from ``mediating`` on, a referred one included), an
    agreement with a session record, follow-up visits, closed with a complete file.

    ``via_referral``: the case goes to the department straight after assessment and comes
    back (回流) before mediation starts, so the department's liaison can see it.
    ``accepted``: the liaison has taken the referral on. ``next_step``: of a failed case.
    """
    case = factories.case(staff.tenant, staff.director, **fields)
    drive(case, S(state), staff, via_referral=via_referral, accepted=accepted, next_step=next_step)
    return case


def drive(case, state, staff, *, via_referral=False, accepted=False, next_step=NextStep.LITIGATION):
    with tenant_scope(case.tenant_id):
        _drive(case, S(state), staff, via_referral, accepted, next_step)
    return case


def _drive(case, state, staff, via_referral, accepted, next_step):
    if case.state == state:
        return
    before = _ROADS[state]
    if via_referral and state == S.MEDIATING:
        before = S.RETURNED
    elif via_referral and state == S.REFERRED:
        before = S.ASSESSED
    _drive(case, before, staff, via_referral, accepted, next_step)
    director, today = staff.director, timelimits.today()
    if state == S.ASSESSED:
        operations.assess_case(case, director, difficulty=Difficulty.ORDINARY, risk=Risk.RESOLVABLE)
    elif state == S.MEDIATING:
        operations.start_mediation(case, director, assignee_id=staff.mediator.user_id)
    elif state == S.REFERRED:
        operations.refer_case(case, director, department=staff.department, note="请派出所协助调处")
        if accepted:
            operations.accept_referral(case, staff.liaison)
    elif state == S.RETURNED:
        operations.return_referral(case, staff.liaison, reason="涉及土地权属，不属本单位职责")
    elif state == S.RESOLVED:
        operations.record_session(case, staff.mediator, held_on=today, place="村委会", participants="张三、李四",
                                  notes="双方同意赔偿")
        operations.resolve_case(case, staff.mediator, text="李四赔偿张三500元", amount=500, signed_on=today)
    elif state == S.FAILED:
        operations.fail_case(case, staff.mediator, next_step=next_step, note="双方分歧较大")
    elif state == S.FOLLOW_UP:
        record_visit(case, staff.mediator)
    elif state == S.ESCALATED:
        operations.escalate_case(case, staff.mediator, target=EscalationTarget.PARTY_COMMITTEE, note="可能激化")
    elif state == S.CLOSED:
        while any(f.done_at is None for f in case.follow_ups):
            record_visit(case, staff.mediator)
        operations.close_case(case, director)
    elif state == S.ARCHIVED:
        operations.archive_case(case, director)
    assert case.state == state, (case.state, state)


def record_visit(case, actor, *, may_flare_up=False, notes="协议正在履行"):
    visit = next(f for f in case.follow_ups if f.done_at is None)
    operations.record_follow_up(case, actor, visit, carried_out=True, may_flare_up=may_flare_up, notes=notes)
    return visit
