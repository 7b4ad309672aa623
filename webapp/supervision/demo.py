"""Demo supervision: an open assignment from the county in each township, and one case
reported to the county bureau and answered with an instruction (批示). Idempotent: a township
that has an assignment, or a report to the county answered, is left alone for that part.

The Chinese text here is content (what the county and the mediator wrote), not interface.
"""
from datetime import timedelta

from sqlalchemy import select

from tenants.models import Membership, Role
from tenants.scope import tenant_scope
from webapp import timelimits
from webapp.cases.models import Case, CaseState, EscalationTarget
from webapp.cases.operations import escalate_case
from webapp.deadlines.models import AlertKind, Escalation, EscalationLevel
from webapp.deadlines.operations import instruct_escalation
from webapp.extensions import db
from webapp.supervision import operations
from webapp.supervision.models import Assignment, AssignmentSource


def seed_supervision(tenant) -> None:
    county_admin = db.session.scalar(select(Membership).where(
        Membership.county_id == tenant.county_id, Membership.role == Role.COUNTY_ADMIN,
        Membership.active.is_(True)).order_by(Membership.id))
    if county_admin is None:
        return
    today = timelimits.today()
    with tenant_scope(tenant.id):
        if db.session.scalar(select(Assignment.id).where(Assignment.tenant_id == tenant.id).limit(1)) is None:
            operations.assign(tenant, county_admin, title="12345热线转办：灌溉水渠堵塞引发用水纠纷",
                              parties="申请人：村民杨某等6户；被申请人：上游村民李某",
                              narrative="来电反映上游农户截水灌溉，下游6户秧田缺水，双方多次争吵。",
                              source=AssignmentSource.HOTLINE, take_up_on=today + timedelta(days=2),
                              settle_on=today + timedelta(days=15))
        reported = select(Escalation).where(Escalation.tenant_id == tenant.id,
                                            Escalation.level == EscalationLevel.COUNTY,
                                            Escalation.reason == AlertKind.MANUAL)
        if db.session.scalar(reported.where(Escalation.instructed_at.is_not(None)).limit(1)) is not None:
            return
        # A case the demo's history reported to the county, or else one in mediation reported now.
        escalation = db.session.scalar(reported.order_by(Escalation.id).limit(1))
        if escalation is None:
            case = db.session.scalar(select(Case).where(
                Case.tenant_id == tenant.id, Case.state == CaseState.MEDIATING, Case.assignee_id.is_not(None))
                .order_by(Case.id).limit(1))
            if case is None:
                return
            mediator = db.session.scalar(select(Membership).where(Membership.tenant_id == tenant.id,
                                                                  Membership.user_id == case.assignee_id))
            escalate_case(case, mediator, target=EscalationTarget.COUNTY_BUREAU,
                          note="双方分歧大，涉及多部门职能，镇级调解难以化解，特上报县司法局。")
            escalation = db.session.scalar(reported.where(Escalation.case_id == case.id))
        instruct_escalation(escalation, county_admin,
                            text="请镇调处中心会同派出所、司法所一周内再次组织联合调解，结果报县司法局。")
        db.session.flush()
