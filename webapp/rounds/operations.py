"""What the director and the stability officers do with an investigation round (排查). Each
operation checks, changes and flushes; the view commits once. A finding is registered through
the intake operation (``cases.operations.register_case``, 统一受理) like every other dispute."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tenants.models import Role
from webapp import timelimits
from webapp.cases import operations as case_operations
from webapp.cases.models import Level, Source
from webapp.errors import Refused
from webapp.extensions import db
from webapp.rounds.models import Round, RoundKind, RoundReport
from webapp.villages.models import Village


def may_report_for(membership, village: Village) -> bool:
    """Which stability officer reports for which village: the officer who answers for it (属地,
    ``Village.officer_id``, set by the director); for a village nobody answers for yet, any
    officer of the township, so that its report is not left to no one."""
    if membership is None or membership.role != Role.OFFICER or membership.tenant_id != village.tenant_id:
        return False
    return village.officer_id is None or village.officer_id == membership.user_id


def default_due_on(kind: RoundKind, opened_on: date) -> date:
    """A monthly round is due at the end of its month; a special one a week from opening."""
    if kind is RoundKind.MONTHLY:
        return timelimits.month_end(opened_on)
    return timelimits.special_round_due()


def default_title(kind: RoundKind, opened_on: date) -> str:
    if kind is RoundKind.MONTHLY:
        return _("Investigation round of %(year)d-%(month)02d", year=opened_on.year, month=opened_on.month)
    return _("Special investigation round of %(date)s", date=opened_on.isoformat())


def open_round(tenant, actor, *, kind: RoundKind, due_on: date | None = None, title: str = "",
               note: str = "") -> Round:
    """The director opens a round: monthly by default, or a special one before a holiday or an
    event; every village reports by ``due_on``."""
    opened_on = timelimits.today()
    due_on = due_on or default_due_on(kind, opened_on)
    if due_on < opened_on:
        raise Refused(_l("The deadline cannot be before today."), field="due_on")
    round_ = Round(tenant_id=tenant.id, kind=kind, title=title or default_title(kind, opened_on), note=note,
                   opened_on=opened_on, due_on=due_on, opened_by_id=actor.user_id)
    db.session.add(round_)
    db.session.flush()
    return round_


def _check_may_report(round_: Round, village: Village, actor) -> None:
    if not may_report_for(actor, village):
        raise Refused(_l("Only a stability officer of this village reports for it."))


def file_finding(tenant, round_: Round, village: Village, actor, *, title: str, narrative: str = "") -> RoundReport:
    """A finding of the round becomes a registered dispute at once (source: 排查, the village's)."""
    _check_may_report(round_, village, actor)
    if any(r.village_id == village.id and r.is_nil for r in round_.reports):
        raise Refused(_l("A nil report was filed for this village in this round."), field="title")
    case = case_operations.register_case(tenant, actor, title=title, source=Source.INVESTIGATION, village=village,
                                         level=Level.VILLAGE, narrative=narrative)
    report = RoundReport(tenant_id=round_.tenant_id, village_id=village.id, case_id=case.id,
                         reported_by_id=actor.user_id)
    round_.reports.append(report)
    db.session.flush()
    return report


def link_finding(round_: Round, case, actor) -> RoundReport:
    """A dispute already registered at the window (source: 排查) from what an officer found in
    this round's village: counted as the village's finding, as if filed from the round."""
    village = case.village
    _check_may_report(round_, village, actor)
    if case.source is not Source.INVESTIGATION:
        raise Refused(_l("Only a dispute found by investigation is a finding of a round."))
    if any(r.village_id == village.id and r.is_nil for r in round_.reports):
        raise Refused(_l("A nil report was filed for this village in this round."))
    report = RoundReport(tenant_id=round_.tenant_id, village_id=village.id, case_id=case.id,
                         reported_by_id=actor.user_id, reported_at=case.accepted_at)
    round_.reports.append(report)
    db.session.flush()
    return report


def file_nil_report(round_: Round, village: Village, actor) -> RoundReport:
    """零报告: nothing found in the village this round."""
    _check_may_report(round_, village, actor)
    if any(r.village_id == village.id for r in round_.reports):
        raise Refused(_l("This village has reported in this round already."))
    report = RoundReport(tenant_id=round_.tenant_id, village_id=village.id, case_id=None,
                         reported_by_id=actor.user_id)
    round_.reports.append(report)
    db.session.flush()
    return report


@dataclass
class VillageRow:
    """What one village reported in a round."""

    village: Village
    findings: list = field(default_factory=list)
    nil: RoundReport | None = None

    @property
    def reported(self) -> bool:
        return bool(self.findings) or self.nil is not None

    @property
    def reported_by(self) -> list:
        return sorted({r.reported_by.name for r in self.findings + ([self.nil] if self.nil else [])
                       if r.reported_by is not None})


def villages(tenant_id: int) -> list[Village]:
    return db.session.scalars(select(Village).where(Village.tenant_id == tenant_id).order_by(Village.id)).all()


def village_rows(round_: Round, all_villages: list[Village]) -> list[VillageRow]:
    """Village by village, who reported what."""
    rows = {v.id: VillageRow(v) for v in all_villages}
    for report in round_.reports:
        row = rows.get(report.village_id)
        if row is None:
            continue
        if report.is_nil:
            row.nil = report
        else:
            row.findings.append(report)
    return list(rows.values())


def is_finished(round_: Round, rows: list[VillageRow]) -> bool:
    """Past its deadline, or every village has reported."""
    return round_.due_on < timelimits.today() or all(row.reported for row in rows)


def findings_of(round_ids) -> dict[int, int]:
    """How many findings each round registered."""
    counts: dict[int, int] = {}
    for round_id, in db.session.execute(select(RoundReport.round_id).where(
            RoundReport.round_id.in_(list(round_ids)), RoundReport.case_id.is_not(None))).all():
        counts[round_id] = counts.get(round_id, 0) + 1
    return counts


