"""Demo investigation rounds and key-person visits: last month's round, finished — every
village but the last reported, a dispute found by investigation that month as its finding, the
others nil reports — and this month's, open, with half of the villages reported; each key
person's control log with a visit, the next one due (one overdue, one due in a few days, one
later). Idempotent: a township that has a round is left alone.

The findings are disputes of the demo's case history (``webapp.demo_cases``) registered from
investigation (排查) in the round's days, so that the history stays whole and its numbers follow
acceptance. The Chinese text here is content (what officers did), not interface.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from tenants.models import Membership, Role
from tenants.scope import tenant_scope
from webapp import timelimits
from webapp.cases.models import Case, KeyPerson, Source
from webapp.extensions import db
from webapp.keypersons.operations import record_visit
from webapp.rounds import operations
from webapp.rounds.models import Round, RoundKind
from webapp.types import clock_at, utcnow

VISITS = [(-3, "入户谈心，了解近期生活情况，情绪基本稳定"), (2, "与村干部一同走访，宣讲信访法规，表示不再越级上访"),
          (10, "电话联系并当面回访，家属配合稳控，无异常动向")]


def _moment(day, hour=10):
    """That hour of ``day`` (Beijing), or a minute ago if it is still to come."""
    return min(datetime.combine(day, time(hour), tzinfo=timelimits.BEIJING), utcnow() - timedelta(minutes=1))


def _member(tenant_id, role):
    return db.session.scalar(select(Membership).where(
        Membership.tenant_id == tenant_id, Membership.role == role, Membership.active.is_(True)).order_by(Membership.id))


def _found(tenant_id, first_day, last_day):
    """A dispute registered from investigation in those days, in a village."""
    return db.session.scalar(select(Case).where(
        Case.tenant_id == tenant_id, Case.source == Source.INVESTIGATION, Case.village_id.is_not(None),
        Case.accepted_at >= _moment(first_day, 0), Case.accepted_at < _moment(last_day + timedelta(days=1), 0))
        .order_by(Case.accepted_at).limit(1))


def _report(round_, villages, officer, finding, nil_at):
    for village in villages:
        if finding is not None and finding.village_id == village.id:
            operations.link_finding(round_, finding, officer)
            continue
        with clock_at(nil_at):
            operations.file_nil_report(round_, village, officer)


def seed_rounds(tenant) -> None:
    today = timelimits.today()
    with tenant_scope(tenant.id):
        if db.session.scalar(select(Round.id).where(Round.tenant_id == tenant.id)) is not None:
            return
        director, officer = _member(tenant.id, Role.TOWNSHIP_ADMIN), _member(tenant.id, Role.OFFICER)
        if director is None or officer is None:
            return
        villages = operations.villages(tenant.id)
        last_month_end = today.replace(day=1) - timedelta(days=1)
        last_month = last_month_end.replace(day=1)
        with clock_at(_moment(last_month, 8)):
            finished = operations.open_round(tenant, director, kind=RoundKind.MONTHLY)
        reporting = villages[:-1]  # the last village stays silent: the sweep flags it
        finding = _found(tenant.id, last_month, last_month_end)
        _report(finished, reporting, officer, finding if finding and finding.village in reporting else None,
                _moment(last_month_end - timedelta(days=3), 17))

        with clock_at(_moment(today.replace(day=1), 8)):
            current = operations.open_round(tenant, director, kind=RoundKind.MONTHLY,
                                            note="重点排查土地山林权属、易地搬迁安置和婚姻家庭纠纷。")
        reporting = villages[: len(villages) // 2]
        finding = _found(tenant.id, today.replace(day=1), today)
        _report(current, reporting, officer, finding if finding and finding.village in reporting else None,
                _moment(today.replace(day=1), 9))

        people = db.session.scalars(select(KeyPerson).where(KeyPerson.tenant_id == tenant.id)
                                    .order_by(KeyPerson.id)).all()
        for person, (due_in, done) in zip(people, VISITS):
            visited_on = today - timedelta(days=14)
            with clock_at(_moment(visited_on, 16)):
                record_visit(person, officer, visited_on=visited_on, visitors=f"{officer.user.name}、{person.responsible}",
                             done=done, next_due_on=today + timedelta(days=due_in))
        db.session.flush()
