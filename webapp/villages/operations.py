"""Everything that changes villages, villager groups, councils, relocation projects, and
which council or site a case concerns. Each operation checks, changes and flushes; the view
commits once. A refusal says why, for the field it concerns."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union

from webapp.cases.models import Source, Level
from webapp.cases.operations import record_event
from webapp.errors import Refused
from webapp.extensions import db
from webapp.types import utcnow
from webapp.villages.models import (
    CaseLink, Council, CouncilMember, CouncilRole, CouncilStatus, Phase, PhaseStatus, ProjectPhase,
    RelocationProject, Village, VillagerGroup,
)
from webapp.villages.rules import council_size, households_problem, size_problem


# -- villages and groups ------------------------------------------------------------------


def save_village(village: Village | None, *, name: str, kind: str, officer_id: int | None) -> Village:
    """A village's name is unique in its township; its stability officer (属地) is one of the
    township's (the form offers only those)."""
    taken = select(Village.id).where(Village.name == name)
    if village is not None:
        taken = taken.where(Village.id != village.id)
    if db.session.scalar(taken) is not None:
        raise Refused(_l("There is already a village called %(name)s.", name=name), field="name")
    village = village or Village()
    village.name, village.kind, village.officer_id = name, kind, officer_id
    db.session.add(village)
    db.session.flush()
    return village


def save_group(group: VillagerGroup | None, village: Village, *, name: str, households: int) -> VillagerGroup:
    """A group's name is unique in its village; a confirmed council must still fit the
    group's households (the size rule of webapp.villages.rules)."""
    taken = select(VillagerGroup.id).where(VillagerGroup.village_id == village.id, VillagerGroup.name == name)
    if group is not None:
        taken = taken.where(VillagerGroup.id != group.id)
    if db.session.scalar(taken) is not None:
        raise Refused(_l("This village already has a group called %(name)s.", name=name), field="name")
    if group is not None:
        _check_households(group.council, households)
    group = group or VillagerGroup(village=village)
    group.name, group.households = name, households
    db.session.add(group)
    db.session.flush()
    return group


def _check_households(council: Council | None, households: int) -> None:
    if council is None or not council.active:
        return
    council = _locked(council)
    problem = households_problem(households, len(council.members))
    if problem:
        raise Refused(problem, field="households")


# -- councils -------------------------------------------------------------------------------


def _locked(council: Council) -> Council:
    """The council's row locked until commit (PostgreSQL), so two people changing its members
    at once cannot together break the size rule; its members read fresh."""
    db.session.execute(select(Council.id).where(Council.id == council.id).with_for_update())
    db.session.refresh(council, ["members"])
    return council


def form_council(*, group: VillagerGroup | None = None, project: RelocationProject | None = None) -> Council:
    """因事而立: a group or site gets one council, formed member by member, then confirmed."""
    owner = group if group is not None else project
    if owner.council is not None:
        return owner.council
    council = Council(group=group, project=project, status=CouncilStatus.FORMING)
    db.session.add(council)
    db.session.flush()
    return council


def add_member(council: Council, *, name: str, role: CouncilRole, phone: str | None) -> CouncilMember:
    """A council never grows past the most members its households allow, forming or not."""
    council = _locked(council)
    members = len(council.members) + 1
    if members > council_size(council.households)[1]:
        raise Refused(size_problem(council.households, members))
    if role == CouncilRole.CHAIR and any(m.role == CouncilRole.CHAIR for m in council.members):
        raise Refused(_l("This council already has a chair."), field="role")
    member = CouncilMember(council=council, name=name, role=role, phone=phone)
    db.session.add(member)
    db.session.flush()
    return member


def remove_member(council: Council, member: CouncilMember) -> None:
    """A confirmed council keeps at least the fewest members, and its chair."""
    council = _locked(council)
    if council.active:
        problem = size_problem(council.households, len(council.members) - 1)
        if problem:
            raise Refused(problem)
        if member.role == CouncilRole.CHAIR:
            raise Refused(_l("A confirmed council keeps its chair. Return it to forming to change the chair."))
    council.members.remove(member)  # delete-orphan: the row goes at the flush
    db.session.flush()


def confirm_council(council: Council) -> None:
    """30户以下3至5人、30到50户5至7人、50户以上7至9人: a council is confirmed only at its size,
    and with a chair."""
    council = _locked(council)
    problem = size_problem(council.households, len(council.members))
    if problem:
        raise Refused(problem)
    chairs = sum(1 for m in council.members if m.role == CouncilRole.CHAIR)
    if chairs != 1:
        raise Refused(_l("A council needs one chair before it is confirmed."))
    council.status = CouncilStatus.ACTIVE
    council.formed_at = council.formed_at or utcnow()
    db.session.flush()


def reopen_council(council: Council) -> None:
    """Back to forming, to change its members or the households of its group or site; it
    takes no new cases until confirmed again."""
    council.status = CouncilStatus.FORMING
    db.session.flush()


# -- relocation projects ----------------------------------------------------------------------


def save_project(project: RelocationProject | None, *, name: str, village: Village, households: int,
                 notes: str) -> RelocationProject:
    """A site has the five key phases from the start, each not yet started."""
    taken = select(RelocationProject.id).where(RelocationProject.name == name)
    if project is not None:
        taken = taken.where(RelocationProject.id != project.id)
    if db.session.scalar(taken) is not None:
        raise Refused(_l("There is already a relocation site called %(name)s.", name=name), field="name")
    if project is None:
        project = RelocationProject(phases=[ProjectPhase(phase=phase, position=i) for i, phase in enumerate(Phase)])
    else:
        _check_households(project.council, households)
    project.name, project.village, project.households, project.notes = name, village, households, notes
    db.session.add(project)
    db.session.flush()
    return project


def update_phase(phase: ProjectPhase, actor, *, status: PhaseStatus, notes: str) -> None:
    phase.status, phase.notes = status, notes
    phase.updated_at, phase.updated_by_id = utcnow(), getattr(actor, "user_id", None)
    db.session.flush()


# -- cases -------------------------------------------------------------------------------------


def case_link_problems(*, source, level, group_id, reporting: Council | None, handling: Council | None) -> dict:
    """Field → why the links of a case cannot be so. A dispute reported by a council (理事会上报)
    names that council; a council handles a case at the group level (小纠纷不出组), of its own
    group; only a confirmed council reports or handles."""
    problems = {}
    source, level = Source(source) if source else None, Level(level) if level else None
    if reporting is not None and source != Source.COUNCIL:
        problems["reporting_council"] = _l("Only a dispute whose source is “reported by a council” names the council "
                                           "that reported it.")
    elif reporting is None and source == Source.COUNCIL:
        problems["reporting_council"] = _l("Choose the council that reported the dispute.")
    elif reporting is not None and not reporting.active:
        problems["reporting_council"] = _l("This council is still being formed.")
    if handling is not None:
        if level != Level.GROUP:
            problems["handling_council"] = _l("A council handles disputes kept in the villager group: set “handled "
                                              "at” to villager group.")
        elif not handling.active:
            problems["handling_council"] = _l("This council is still being formed.")
        elif handling.group_id is not None and group_id and handling.group_id != group_id:
            problems["handling_council"] = _l("This council is the council of another villager group than the "
                                              "case's.")
    return problems


def set_case_links(case, actor, *, reporting: Council | None, handling: Council | None,
                   project: RelocationProject | None) -> bool:
    """Records which council reported the case, which handles it, and at which site it arose;
    each change is a line on the case's timeline."""
    problems = case_link_problems(source=case.source, level=case.level, group_id=case.group_id,
                                  reporting=reporting, handling=handling)
    if problems:
        field, message = next(iter(problems.items()))
        raise Refused(message, field=field)
    link = db.session.scalar(select(CaseLink).where(CaseLink.case_id == case.id))
    if link is None:
        if reporting is None and handling is None and project is None:
            return False
        link = CaseLink(case_id=case.id, tenant_id=case.tenant_id)
        db.session.add(link)
    changed = False
    for attribute, kind, value in (("reporting_council", "council_reported", reporting),
                                   ("handling_council", "council_handling", handling),
                                   ("project", "relocation_site", project)):
        if getattr(link, attribute + "_id") != (value.id if value is not None else None):
            setattr(link, attribute, value)
            record_event(case, actor, kind, data={"name": value.name if value is not None else "—"})
            changed = True
    db.session.flush()
    return changed


def council_case_counts(council_ids) -> dict:
    """Council id → number of cases it reported or handles (a case it did both counts once)."""
    if not council_ids:
        return {}
    both = union(
        select(CaseLink.reporting_council_id.label("council_id"), CaseLink.case_id)
        .where(CaseLink.reporting_council_id.in_(council_ids)),
        select(CaseLink.handling_council_id.label("council_id"), CaseLink.case_id)
        .where(CaseLink.handling_council_id.in_(council_ids)),
    ).subquery()
    return dict(db.session.execute(select(both.c.council_id, func.count()).group_by(both.c.council_id)).all())
