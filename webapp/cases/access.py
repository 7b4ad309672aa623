"""Every lookup of a case goes through here, filtered by township explicitly (the global
filter would too) and, for a department's liaison, by what was referred to them; and which
cases are a member's own (``own_cases``: "mine" on the overview, the board and the case list)."""
import re
from functools import cache

from flask import abort, g
from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import joinedload

from tenants.models import Role
from webapp.cases.models import Case, CaseRelation, Party, Referral
from webapp.extensions import db
from webapp.timelimits import today


def _referred_to(department_id):
    """A liaison sees the cases referred to their department."""
    return exists().where(Referral.case_id == Case.id, Referral.department_id == department_id)


def visible_cases():
    """A select of the cases the current member may see."""
    query = select(Case).where(Case.tenant_id == g.tenant.id)
    membership = g.membership
    if membership.role == Role.LIAISON:
        query = query.where(_referred_to(membership.department_id))
    return query


def own_cases(membership):
    """The condition on ``Case`` of the member's own cases: assigned to them or registered by
    them (an officer's or clerk's own finds), and for a stability officer the cases of the
    villages they answer for (属地, ``Village.officer_id``), whoever was assigned."""
    own = or_(Case.assignee_id == membership.user_id, Case.created_by_id == membership.user_id)
    if membership.role == Role.OFFICER:
        # Here, not at the top: the villages package loads its views, which look cases up here.
        from webapp.villages.models import Village

        villages = select(Village.id).where(Village.tenant_id == membership.tenant_id,
                                            Village.officer_id == membership.user_id)
        own = or_(own, Case.village_id.in_(villages))
    return own


@cache
def _visible_case_statement(liaison: bool, joined: tuple[str, ...]):
    # Built once per kind of member and what is loaded along: a move or a case page reads
    # one case, and building the select cost more than running it.
    query = select(Case).where(Case.tenant_id == bindparam("tenant_id"), Case.id == bindparam("case_id"))
    if liaison:
        query = query.where(_referred_to(bindparam("department_id")))
    return query.options(*(joinedload(getattr(Case, name)) for name in joined))


def visible_case(case_id: int, *, joined: tuple[str, ...] = ()) -> Case | None:
    """The case, if the current member may see it, with the relationships named in ``joined``
    loaded in the same query."""
    membership = g.membership
    liaison = membership.role == Role.LIAISON
    params = {"tenant_id": g.tenant.id, "case_id": case_id}
    if liaison:
        params["department_id"] = membership.department_id
    return db.session.scalar(_visible_case_statement(liaison, joined), params)


def get_case_or_404(case_id: int) -> Case:
    case = visible_case(case_id)
    if case is None:
        abort(404)
    return case


def related_cases(case: Case) -> list[Case]:
    """The cases registered as related to ``case`` or that ``case`` was registered as related
    to (``CaseRelation``), those the member may see, oldest first."""
    relations = select(CaseRelation.case_id, CaseRelation.related_case_id).where(
        CaseRelation.tenant_id == g.tenant.id,
        or_(CaseRelation.case_id == case.id, CaseRelation.related_case_id == case.id))
    ids = {i for row in db.session.execute(relations) for i in row} - {case.id}
    if not ids:
        return []
    return db.session.scalars(visible_cases().where(Case.id.in_(ids)).order_by(Case.id)).all()


def get_party_or_404(case: Case, party_id: int) -> Party:
    party = db.session.scalar(select(Party).where(
        Party.id == party_id, Party.case_id == case.id, Party.tenant_id == g.tenant.id))
    if party is None:
        abort(404)
    return party


# A case number as people type it: "42", "2026-42", "2026/42", "芒棒〔2026〕第42号",
# "芒棒[2026]第0042号", "(2026)42" … — a year of four digits (optional) and a number.
_TYPED_NUMBER = re.compile(r"^\D*?(?:(\d{4})\D+)?0*(\d{1,6})\D*$")


def parse_case_number(text: str) -> tuple[int | None, int] | None:
    """``(year or None, seq)`` of a case number as typed, or None when it names none."""
    compact = re.sub(r"\s+", "", text or "")
    match = _TYPED_NUMBER.match(compact)
    if match is None or int(match.group(2)) == 0:
        return None
    return (int(match.group(1)) if match.group(1) else None), int(match.group(2))


def find_visible_case(text: str) -> Case | None:
    """The visible case that ``text`` names, typed as people type case numbers: without a year,
    this year's case of that number, else the latest year's."""
    parsed = parse_case_number(text)
    if parsed is None:
        return None
    year, seq = parsed
    query = visible_cases().where(Case.seq == seq)
    if year is not None:
        return db.session.scalar(query.where(Case.year == year))
    return db.session.scalar(query.order_by((Case.year == today().year).desc(), Case.year.desc()).limit(1))
