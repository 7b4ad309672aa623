"""Figures of follow-through, per township and county-wide: investigation rounds' report rate
(also by village), key-person visits on time, joint-meeting decisions done on time. Each is
defined once here, with the ``Figure`` of ``definitions``, and shown with its definition.

A duty belongs to the period of its due day (Beijing), counted once the day has passed: a
round due today, a visit or a decision due today is not yet late nor on time.

The figures of reports up and down the levels — escalations by level and how fast they were
acknowledged, assignments from the county taken up and settled on time, supervision notices
answered on time — belong in ``LEVEL_FIGURES`` below, computed by ``level_counts``; they are
shown in the same table and listed with the same definitions.
"""
from collections import defaultdict
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp import timelimits
from webapp.extensions import db
from webapp.deadlines.models import Escalation, EscalationLevel
from webapp.figures.definitions import SETTLED_STATES, Figure
from webapp.figures.exports import Rate, Table
from webapp.keypersons.models import KeyPersonVisit
from webapp.meetings.models import Decision
from webapp.rounds.models import Round, RoundReport
from webapp.supervision.models import Assignment, SupervisionNotice
from webapp.villages.models import Village

DUTY_FIGURES: dict[str, Figure] = {f.key: f for f in (
    Figure("round_report_rate", _l("Investigation reports on time"), _l(
        "Villages that reported in an investigation round — findings or a nil report — by its deadline, over "
        "the villages of the township, in the rounds whose deadline fell in the period and has passed."),
        "villages_reported", "villages_due"),
    Figure("visit_on_time_rate", _l("Key-person visits on time"), _l(
        "Key-person visits due in the period (the next visit set by a visit of the control log), whose day has "
        "passed, that were made by that day, over the visits due."),
        "visits_on_time", "visits_owed"),
    Figure("decision_on_time_rate", _l("Joint-meeting decisions done on time"), _l(
        "Joint-meeting decisions due in the period, whose day has passed, that were marked done by that day, "
        "over the decisions due."),
        "decisions_on_time", "decisions_due"),
)}

# -- escalations by level, assignments and supervision notices --------------------------------
_LEVEL_LABELS = {
    EscalationLevel.DIRECTOR: (_l("Escalations to the director acknowledged within a day"), _l("the director")),
    EscalationLevel.PARTY_COMMITTEE: (_l("Escalations to the party committee acknowledged within a day"),
                                      _l("the township party committee and government")),
    EscalationLevel.COUNTY: (_l("Escalations to the county acknowledged within a day"), _l("the county bureau")),
}

LEVEL_FIGURES: dict[str, Figure] = {f.key: f for f in (
    *(Figure(f"escalations_{level.value}_acknowledged_rate", label, _l(
        "Escalations to %(level)s — by the sweep or reported by a person (上报) — acknowledged by the end of the "
        "day after the one they were made (Beijing), over the escalations to %(level)s whose day to acknowledge "
        "fell in the period and has passed. The number due is the escalations to this level.", level=whom),
        f"escalations_{level.value}_acknowledged", f"escalations_{level.value}")
      for level, (label, whom) in _LEVEL_LABELS.items()),
    Figure("assignments_taken_up_rate", _l("Assignments from the county taken up on time"), _l(
        "Assignments (交办) from the county that the center took up by the day set for it, over the assignments "
        "whose day to take up fell in the period and has passed."),
        "assignments_taken_up_on_time", "assignments_to_take_up"),
    Figure("assignments_settled_rate", _l("Assignments from the county settled on time"), _l(
        "Assignments from the county whose case was settled — resolved or closed — by the day set for it, over "
        "the assignments whose day to settle fell in the period and has passed."),
        "assignments_settled_on_time", "assignments_to_settle"),
    Figure("notices_answered_rate", _l("Supervision notices answered on time"), _l(
        "Supervision and warning notices from the county answered in writing by their day, over the notices "
        "whose day to answer fell in the period and has passed."),
        "notices_answered_on_time", "notices_due"),
)}


def _escalation_counts(tenant_ids, first, last, counts):
    for tenant_id, level, created_at, acknowledged_at in db.session.execute(
            select(Escalation.tenant_id, Escalation.level, Escalation.created_at, Escalation.acknowledged_at)
            .where(Escalation.tenant_id.in_(tenant_ids), Escalation.created_at >= timelimits.made_from(first),
                   Escalation.created_at < timelimits.end_of_day(last))).all():
        due_on = timelimits.acknowledge_by(created_at)
        if not first <= due_on <= last:
            continue
        level = EscalationLevel(level).value
        counts[tenant_id][f"escalations_{level}"] += 1
        counts[tenant_id][f"escalations_{level}_acknowledged"] += bool(timelimits.done_on_time(due_on, acknowledged_at))


def _settled_at(case) -> datetime | None:
    if case is None or case.state not in SETTLED_STATES:
        return None
    return min((moment for moment in (case.resolved_at, case.closed_at, case.archived_at) if moment), default=None)


def _assignment_counts(tenant_ids, first, last, counts):
    for assignment in db.session.scalars(select(Assignment).where(Assignment.tenant_id.in_(tenant_ids))
                                         .options(joinedload(Assignment.case))).all():
        tenant = counts[assignment.tenant_id]
        if first <= timelimits.deadline_day(assignment.take_up_by) <= last:
            tenant["assignments_to_take_up"] += 1
            tenant["assignments_taken_up_on_time"] += timelimits.met(assignment.take_up_by, assignment.taken_up_at)
        if first <= timelimits.deadline_day(assignment.settle_by) <= last:
            tenant["assignments_to_settle"] += 1
            tenant["assignments_settled_on_time"] += timelimits.met(assignment.settle_by,
                                                                    _settled_at(assignment.case))


def _notice_counts(tenant_ids, first, last, counts):
    for tenant_id, answer_by, answered_at in db.session.execute(
            select(SupervisionNotice.tenant_id, SupervisionNotice.answer_by, SupervisionNotice.answered_at).where(
                SupervisionNotice.tenant_id.in_(tenant_ids), SupervisionNotice.answer_by >= first,
                SupervisionNotice.answer_by <= last)).all():
        counts[tenant_id]["notices_due"] += 1
        counts[tenant_id]["notices_answered_on_time"] += bool(timelimits.done_on_time(answer_by, answered_at))


def level_counts(tenant_ids, period, today) -> dict[int, dict]:
    """The counts of ``LEVEL_FIGURES`` per township: escalations by the day to acknowledge them,
    assignments by their days to take up and to settle, notices by their day to answer — each in
    the period and passed (Beijing)."""
    tenant_ids = list(tenant_ids)
    first, last = timelimits.days_passed_by(period.first, period.last, today)
    counts = defaultdict(lambda: defaultdict(int))
    if first <= last and tenant_ids:
        _escalation_counts(tenant_ids, first, last, counts)
        _assignment_counts(tenant_ids, first, last, counts)
        _notice_counts(tenant_ids, first, last, counts)
    return counts


def follow_through_figures() -> dict[str, Figure]:
    return {**DUTY_FIGURES, **LEVEL_FIGURES}


def _round_counts(tenant_ids, first, last, counts, by_village):
    rounds = db.session.scalars(select(Round).where(Round.tenant_id.in_(tenant_ids), Round.due_on >= first,
                                                    Round.due_on <= last)).all()
    if not rounds:
        return
    villages = db.session.execute(select(Village.id, Village.tenant_id).where(Village.tenant_id.in_(tenant_ids))).all()
    on_time = set()
    due_of = {r.id: r.due_on for r in rounds}
    for round_id, village_id, reported_at in db.session.execute(
            select(RoundReport.round_id, RoundReport.village_id, RoundReport.reported_at)
            .where(RoundReport.round_id.in_(list(due_of)))).all():
        if timelimits.today(reported_at) <= due_of[round_id]:
            on_time.add((round_id, village_id))
    for round_ in rounds:
        for village_id, tenant_id in villages:
            if tenant_id != round_.tenant_id:
                continue
            reported = (round_.id, village_id) in on_time
            for target in (counts[tenant_id], by_village[village_id]):
                target["villages_due"] += 1
                target["villages_reported"] += reported


def _visit_counts(tenant_ids, first, last, counts):
    visits = defaultdict(list)
    for visit in db.session.execute(
            select(KeyPersonVisit.tenant_id, KeyPersonVisit.key_person_id, KeyPersonVisit.visited_on,
                   KeyPersonVisit.next_due_on).where(KeyPersonVisit.tenant_id.in_(tenant_ids))
            .order_by(KeyPersonVisit.visited_on, KeyPersonVisit.id)).all():
        visits[visit.key_person_id].append(visit)
    for log in visits.values():
        for n, visit in enumerate(log):
            if visit.next_due_on is None or not first <= visit.next_due_on <= last:
                continue
            following = log[n + 1] if n + 1 < len(log) else None
            counts[visit.tenant_id]["visits_owed"] += 1
            counts[visit.tenant_id]["visits_on_time"] += following is not None and \
                following.visited_on <= visit.next_due_on


def _decision_counts(tenant_ids, first, last, counts):
    for tenant_id, due_on, done_at in db.session.execute(
            select(Decision.tenant_id, Decision.due_on, Decision.done_at).where(
                Decision.tenant_id.in_(tenant_ids), Decision.due_on >= first, Decision.due_on <= last)).all():
        counts[tenant_id]["decisions_due"] += 1
        counts[tenant_id]["decisions_on_time"] += bool(timelimits.done_on_time(due_on, done_at))


def counts_by_township(tenant_ids, period, *, now=None) -> tuple[dict[int, dict], dict[int, dict]]:
    """The raw counts per township, and the round counts per village. Runs in the caller's
    scope (a township page's, or the county's review scope) and filters by ``tenant_ids`` besides."""
    tenant_ids = list(tenant_ids)
    today = timelimits.today(now)
    first, last = timelimits.passed_due_days(period.first, period.last, now)
    counts = defaultdict(lambda: defaultdict(int))
    by_village = defaultdict(lambda: defaultdict(int))
    if first <= last and tenant_ids:
        _round_counts(tenant_ids, first, last, counts, by_village)
        _visit_counts(tenant_ids, first, last, counts)
        _decision_counts(tenant_ids, first, last, counts)
    for tenant_id, extra in level_counts(tenant_ids, period, today).items():
        counts[tenant_id].update(extra)
    return counts, by_village


def _row(label, counts) -> list:
    return [label] + [Rate(figure.value(counts)) if figure.is_rate else figure.value(counts)
                      for figure in follow_through_figures().values()]


def _header(first) -> list:
    return [first] + [str(figure.label) for figure in follow_through_figures().values()]


def township_tables(tenant_id: int, period, villages, *, now=None) -> list[Table]:
    """The township's follow-through figures, and the rounds' report rate by village."""
    counts, by_village = counts_by_township([tenant_id], period, now=now)
    mine = counts.get(tenant_id, {})
    figures = follow_through_figures()
    main = Table("follow-through", _l("Follow-through"), [_l("Figure"), _l("Done"), _l("Due"), _l("Rate")],
                 [[figure.label, mine.get(figure.numerator, 0), mine.get(figure.denominator, 0),
                   Rate(figure.value(mine))] for figure in figures.values()])
    rate = DUTY_FIGURES["round_report_rate"]
    villages_table = Table("round-reports-by-village", _l("Investigation reports on time, by village"),
                           [_l("Village"), _l("Reported on time"), _l("Due"), str(rate.label)],
                           [[v.name, by_village[v.id]["villages_reported"], by_village[v.id]["villages_due"],
                             Rate(rate.value(by_village[v.id]))] for v in villages],
                           definition=rate.definition)
    return [main, villages_table]


def county_table(rows: list[dict], period, *, now=None) -> Table:
    """Every township of the county side by side, and the county total."""
    ids = [row["tenant_id"] for row in rows]
    counts, _ = counts_by_township(ids, period, now=now)
    total = defaultdict(int)
    for tenant_counts in counts.values():
        for key, value in tenant_counts.items():
            total[key] += value
    table_rows = [_row(row["name"], counts.get(row["tenant_id"], {})) for row in rows]
    table_rows.append(_row(_l("County total"), total))
    return Table("follow-through", _l("Follow-through"), _header(_l("Township")), table_rows)


def definitions() -> list:
    """(label, definition, benchmark), as ``figures.report.definitions`` lists them."""
    return [(figure.label, figure.definition, figure.benchmark) for figure in follow_through_figures().values()]
