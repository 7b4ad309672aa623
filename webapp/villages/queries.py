"""Every lookup of villages, groups, councils and relocation sites, filtered by township
explicitly (the global filter would too); the loaders answer 404 for another township's."""
from flask import abort, g
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from webapp.cases.models import Case
from webapp.extensions import db
from webapp.villages.models import (
    CaseLink, Council, CouncilMember, CouncilStatus, ProjectPhase, RelocationProject, Village, VillagerGroup,
)


def _council_owners():
    return (selectinload(Council.group).selectinload(VillagerGroup.village),
            selectinload(Council.project).selectinload(RelocationProject.village))


def _one_or_404(statement):
    found = db.session.scalar(statement)
    if found is None:
        abort(404)
    return found


def get_village_or_404(village_id: int) -> Village:
    return _one_or_404(select(Village).where(Village.id == village_id, Village.tenant_id == g.tenant.id))


def get_group_or_404(group_id: int) -> VillagerGroup:
    return _one_or_404(select(VillagerGroup).where(VillagerGroup.id == group_id,
                                                   VillagerGroup.tenant_id == g.tenant.id))


def get_council_or_404(council_id: int) -> Council:
    return _one_or_404(select(Council).where(Council.id == council_id, Council.tenant_id == g.tenant.id)
                       .options(*_council_owners(), selectinload(Council.members)))


def get_member_or_404(council: Council, member_id: int) -> CouncilMember:
    return _one_or_404(select(CouncilMember).where(
        CouncilMember.id == member_id, CouncilMember.council_id == council.id, CouncilMember.tenant_id == g.tenant.id))


def get_project_or_404(project_id: int) -> RelocationProject:
    return _one_or_404(select(RelocationProject).where(
        RelocationProject.id == project_id, RelocationProject.tenant_id == g.tenant.id)
        .options(selectinload(RelocationProject.phases), selectinload(RelocationProject.village)))


def get_phase_or_404(project: RelocationProject, phase: str) -> ProjectPhase:
    return _one_or_404(select(ProjectPhase).where(
        ProjectPhase.project_id == project.id, ProjectPhase.phase == phase, ProjectPhase.tenant_id == g.tenant.id))


def villages() -> list[Village]:
    return db.session.scalars(select(Village).where(Village.tenant_id == g.tenant.id)
                              .options(selectinload(Village.groups).selectinload(VillagerGroup.council)
                                       .selectinload(Council.members))
                              .order_by(Village.id)).all()


def councils(active_only: bool = False) -> list[Council]:
    query = select(Council).where(Council.tenant_id == g.tenant.id).options(
        *_council_owners(), selectinload(Council.members)).order_by(Council.id)
    if active_only:
        query = query.where(Council.status == CouncilStatus.ACTIVE)
    return db.session.scalars(query).all()


def projects() -> list[RelocationProject]:
    return db.session.scalars(select(RelocationProject).where(RelocationProject.tenant_id == g.tenant.id)
                              .options(selectinload(RelocationProject.village),
                                       selectinload(RelocationProject.phases),
                                       selectinload(RelocationProject.council))
                              .order_by(RelocationProject.id)).all()


def council_cases(council: Council) -> list[Case]:
    """The cases a council reported or handles, newest first."""
    return db.session.scalars(
        select(Case).join(CaseLink, CaseLink.case_id == Case.id)
        .where(Case.tenant_id == g.tenant.id,
               or_(CaseLink.reporting_council_id == council.id, CaseLink.handling_council_id == council.id))
        .options(selectinload(Case.link)).order_by(Case.id.desc())).all()


def project_cases(project: RelocationProject) -> list[Case]:
    return db.session.scalars(
        select(Case).join(CaseLink, CaseLink.case_id == Case.id)
        .where(Case.tenant_id == g.tenant.id, CaseLink.project_id == project.id).order_by(Case.id.desc())).all()
