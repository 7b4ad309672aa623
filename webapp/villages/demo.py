"""Demo councils and a relocation site for a township, and the villages its stability officer
answers for (called by ``webapp.demo.seed``).

Three group councils, one in each size band of the rule, a relocation site with its council
and its phases under way, and the demo cases linked to them: disputes whose source is a
council name one, group-level disputes of a group with a council are handled by it, and the
relocation disputes of the site's village belong to the site. Idempotent: everything is
found by its natural key first, and a case's links are set only where it has none.
"""
from sqlalchemy import select

from tenants.models import Membership, Role
from tenants.scope import tenant_scope
from webapp import timelimits
from webapp.cases.models import Case, Category, FollowUp, Level, Source
from webapp.cases.workflow import FINAL
from webapp.extensions import db
from webapp.types import utcnow
from webapp.villages import operations
from webapp.villages.models import (
    CaseLink, Council, CouncilMember, CouncilRole, CouncilStatus, PhaseStatus, RelocationProject, Village,
)
from webapp.villages.rules import council_size

NAMES = ["杨正华", "李国庆", "赵德明", "段春兰", "尹家福", "刘志刚", "张秀英", "杨开贵", "李文忠", "许朝阳",
         "赵金凤", "段永生", "尹学成", "寸德兴", "刘美玉", "张家和", "杨丽芬", "李正荣", "赵春生", "段绍武"]

PHASES = [
    (PhaseStatus.DONE, "理事会组织群众议定选址，涉及的土地由理事会做工作调剂到位，群众自愿腾地，未要补偿。"),
    (PhaseStatus.DONE, "规划方案经群众代表大会讨论通过，统一民居风貌。"),
    (PhaseStatus.IN_PROGRESS, "理事会成员轮流到场，监督施工进度和用工。"),
    (PhaseStatus.IN_PROGRESS, "理事会推选两名懂建筑的成员参与材料抽检。"),
    (PhaseStatus.NOT_STARTED, ""),
]


def _members(council: Council, count: int, offset: int) -> None:
    if council.members:
        return
    for i in range(count):
        role = CouncilRole.CHAIR if i == 0 else CouncilRole.VICE_CHAIR if i == 1 else CouncilRole.MEMBER
        phone = f"139{offset:02d}{i:02d}{(offset * 37 + i * 11) % 10000:04d}"[:11] if i < 2 else None
        council.members.append(CouncilMember(name=NAMES[(offset + i) % len(NAMES)], role=role, phone=phone))
    db.session.flush()


def _confirmed_council(*, group=None, project=None, offset: int) -> Council:
    council = operations.form_council(group=group, project=project)
    fewest, most = council_size(council.households)
    _members(council, fewest + 1 if offset % 2 else fewest, offset)
    if council.status != CouncilStatus.ACTIVE:
        operations.confirm_council(council)
    return council


def seed_councils(tenant) -> None:
    with tenant_scope(tenant.id):
        villages = db.session.scalars(select(Village).where(Village.tenant_id == tenant.id).order_by(Village.id)).all()
        groups = [g for v in villages for g in v.groups]
        councils = []
        for band, (low, high) in enumerate(((0, 29), (30, 50), (51, 10**6))):
            group = next((g for g in groups if low <= g.households <= high), None)
            if group is not None:
                councils.append(_confirmed_council(group=group, offset=band * 5))
        site = _site(tenant, villages[0])
        councils.append(_confirmed_council(project=site, offset=15))
        _link_cases(tenant, councils, site)
        db.session.flush()


def _site(tenant, village: Village) -> RelocationProject:
    name = f"{village.name}易地扶贫搬迁安置点"
    site = db.session.scalar(select(RelocationProject).where(RelocationProject.name == name))
    if site is not None:
        return site
    site = operations.save_project(None, name=name, village=village, households=36,
                                   notes="理事会负责资金筹措、土地调剂、矛盾纠纷、标准执行和质量监督；群众自筹资金约占总投资的20%。")
    now = utcnow()
    for phase, (status, notes) in zip(site.phases, PHASES):
        phase.status, phase.notes = status, notes
        if status != PhaseStatus.NOT_STARTED:
            phase.updated_at = now
    db.session.flush()
    return site


def _link_cases(tenant, councils: list[Council], site: RelocationProject) -> None:
    if not councils:
        return
    linked = select(CaseLink.case_id)
    # Councils came after the cases: a closed or archived case's record is final, so only the
    # open ones are linked (the others would have been linked while they were open).
    cases = db.session.scalars(select(Case).where(Case.tenant_id == tenant.id, Case.id.not_in(linked),
                                                  Case.state.not_in(FINAL)).order_by(Case.id)).all()
    by_group = {c.group_id: c for c in councils if c.group_id}
    relocation = db.session.scalar(select(Category.id).where(Category.name == "易地搬迁"))
    for case in cases:
        own = by_group.get(case.group_id)
        reporting = handling = project = None
        if case.source == Source.COUNCIL:
            reporting = own or councils[case.id % len(councils)]
        if case.level == Level.GROUP and own is not None:
            handling = own
        if case.category_id == relocation and case.village_id == site.village_id:
            project = site
        if reporting or handling or project:
            operations.set_case_links(case, None, reporting=reporting, handling=handling, project=project)


def seed_officer_villages(tenant) -> None:
    """Each demo stability officer answers for every other village of the township, the first
    among them (the village of their pay-roster entry), and for the village of the most overdue
    follow-up visit, so that their overview shows that visit. Idempotent: a village that has an
    officer keeps them."""
    with tenant_scope(tenant.id):
        officer_ids = db.session.scalars(select(Membership.user_id).where(
            Membership.tenant_id == tenant.id, Membership.role == Role.OFFICER, Membership.active.is_(True))
            .order_by(Membership.user_id)).all()
        if not officer_ids:
            return
        villages = db.session.scalars(select(Village).where(Village.tenant_id == tenant.id).order_by(Village.id)).all()
        overdue = db.session.scalar(
            select(Case.village_id).join(FollowUp, FollowUp.case_id == Case.id)
            .where(FollowUp.tenant_id == tenant.id, FollowUp.done_at.is_(None), Case.village_id.is_not(None),
                   FollowUp.due_on < timelimits.today())
            .order_by(FollowUp.due_on).limit(1))
        for index, village in enumerate(villages):
            if village.officer_id is None and (index % 2 == 0 or village.id == overdue):
                village.officer_id = officer_ids[(index // 2) % len(officer_ids)] if village.id != overdue \
                    else officer_ids[0]
        db.session.flush()
