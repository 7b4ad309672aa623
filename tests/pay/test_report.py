"""The monthly pay report on hand-built cases, with the expected pay worked out here."""
from datetime import date
from decimal import Decimal

from tests import factories
from tests.pay.helpers import beijing, failed, mediating, referral_resolved, resolved, schedule
from webapp.cases import operations
from webapp.cases.models import Difficulty, EscalationTarget
from webapp.pay import report
from webapp.pay.models import Outcome
from webapp.types import clock_at

MARCH = report.Month(2026, 3)
D = Difficulty


def _rates(tenant):
    # Part-time mediators: 50 / 100 / 200 for an agreement, 80 for a major case a department
    # resolved after referral, 20 for an ordinary failure; full-time ones 30 for an ordinary
    # agreement; part-time officers 20 for an ordinary agreement, 8 for an ordinary failure.
    schedule(tenant, date(2026, 1, 1),
             mediator_part_time_ordinary_resolved="50", mediator_part_time_complex_resolved="100",
             mediator_part_time_major_resolved="200", mediator_part_time_major_referral_resolved="80",
             mediator_part_time_ordinary_failed="20", mediator_full_time_ordinary_resolved="30",
             officer_part_time_ordinary_resolved="20", officer_part_time_ordinary_failed="8",
             officer_full_time_ordinary_resolved="12.50")


def test_a_mediators_month_line_by_line(tenant, director, liaison):
    _rates(tenant)
    mediator = factories.member("mediator", tenant)
    other = factories.member("mediator", tenant)
    entry = factories.roster_entry(tenant, user=mediator.user, employment="part_time")
    factories.roster_entry(tenant, user=other.user, name="孙调解", employment="part_time")

    first = resolved(tenant, director, mediator, beijing(3, 5), title="甲案")                       # 50
    second = resolved(tenant, director, mediator, beijing(3, 20), difficulty=D.COMPLEX, title="乙案")  # 100
    third = referral_resolved(tenant, director, mediator, liaison, beijing(3, 10), difficulty=D.MAJOR,
                              title="丙案")                                                       # 80
    # 23:30 on 31 March in Beijing is still March (15:30 UTC)...
    fourth = failed(tenant, director, mediator, beijing(3, 31, 23, 30), title="丁案")               # 20
    # ...and ten past midnight on 1 April is April, although it is still 31 March in UTC.
    resolved(tenant, director, mediator, beijing(4, 1, 0, 10), title="戊案")
    # Another mediator's agreement is theirs.
    resolved(tenant, director, other, beijing(3, 6), title="己案")
    # Taken over: escalated, resumed by the director with the other mediator, who resolves it.
    taken = mediating(tenant, director, mediator, beijing(3, 12), title="庚案")
    with clock_at(beijing(3, 12)):
        operations.escalate_case(taken, mediator, target=EscalationTarget.PARTY_COMMITTEE, note="可能激化")
        operations.resume_case(taken, director, assignee_id=other.user_id)
        operations.resolve_case(taken, other, text="协议", signed_on=date(2026, 3, 12))
    # Still mediating at the end of the month: no outcome, no line.
    mediating(tenant, director, mediator, beijing(3, 25), title="辛案")

    stmt = report.statement(entry, MARCH)

    assert [(line.number, line.title, line.difficulty, line.outcome, line.day, line.rate) for line in stmt.lines] == [
        (first.number, "甲案", D.ORDINARY, Outcome.RESOLVED, date(2026, 3, 5), Decimal("50.00")),
        (third.number, "丙案", D.MAJOR, Outcome.REFERRAL_RESOLVED, date(2026, 3, 10), Decimal("80.00")),
        (second.number, "乙案", D.COMPLEX, Outcome.RESOLVED, date(2026, 3, 20), Decimal("100.00")),
        (fourth.number, "丁案", D.ORDINARY, Outcome.FAILED, date(2026, 3, 31), Decimal("20.00")),
    ]
    assert all(line.rate_from == date(2026, 1, 1) for line in stmt.lines)
    assert stmt.total == Decimal("250.00") == sum(line.amount for line in stmt.lines)
    assert isinstance(stmt.total, Decimal)
    assert [line.title for line in report.statement(entry, report.Month(2026, 4)).lines] == ["戊案"]


def test_the_township_summary_is_one_row_per_person_and_adds_up(tenant, director):
    _rates(tenant)
    part, full = factories.member("mediator", tenant), factories.member("mediator", tenant)
    part_entry = factories.roster_entry(tenant, user=part.user, name="兼职甲", employment="part_time")
    full_entry = factories.roster_entry(tenant, user=full.user, name="专职乙", employment="full_time")
    nobody = factories.roster_entry(tenant, name="无账号丙")
    ended = factories.roster_entry(tenant, name="去年离任", active_from=date(2025, 1, 1), active_to=date(2025, 12, 31))
    for day in (2, 9):
        resolved(tenant, director, part, beijing(3, day))
        resolved(tenant, director, full, beijing(3, day))
    resolved(tenant, director, full, beijing(3, 16))

    rows = {row.entry.id: (row.cases, row.total) for row in report.summary(tenant.id, MARCH)}

    # The same ordinary agreement pays a part-time mediator 50 and a full-time one 30.
    assert rows == {part_entry.id: (2, Decimal("100.00")), full_entry.id: (3, Decimal("90.00")),
                    nobody.id: (0, Decimal("0.00"))}
    assert ended.id not in rows
    for entry in (part_entry, full_entry, nobody):
        assert report.statement(entry, MARCH).total == rows[entry.id][1]


def test_a_stability_officer_is_paid_for_the_cases_of_their_village(tenant, director):
    _rates(tenant)
    mediator = factories.member("mediator", tenant)
    village = factories.village_of(tenant)
    from webapp.villages.models import Village
    from webapp.extensions import db

    elsewhere = Village(name="甲镇二村")
    db.session.add(elsewhere)
    db.session.flush()
    officer = factories.roster_entry(tenant, name="老党员赵", kind="officer", employment="part_time", village=village)
    full_time = factories.roster_entry(tenant, name="专职维稳员", kind="officer", employment="full_time",
                                       village=elsewhere)
    resolved(tenant, director, mediator, beijing(3, 3), village=village)   # 20
    failed(tenant, director, mediator, beijing(3, 4), village=village)     # 8
    resolved(tenant, director, mediator, beijing(3, 5), village=elsewhere)  # 12.50 for the other officer
    resolved(tenant, director, mediator, beijing(3, 6))                    # no village: nobody's

    assert report.statement(officer, MARCH).total == Decimal("28.00")
    assert [line.outcome for line in report.statement(officer, MARCH).lines] == [Outcome.RESOLVED, Outcome.FAILED]
    assert report.statement(full_time, MARCH).total == Decimal("12.50")


def test_a_rate_changed_mid_month_applies_from_its_day_and_a_past_month_never_changes(tenant, director):
    _rates(tenant)
    mediator = factories.member("mediator", tenant)
    entry = factories.roster_entry(tenant, user=mediator.user)
    resolved(tenant, director, mediator, beijing(3, 14, 23, 59))  # the old rate: 50
    resolved(tenant, director, mediator, beijing(3, 15, 0, 1))    # the new one: 65
    # From 15 March an ordinary agreement pays a part-time mediator 65.
    schedule(tenant, date(2026, 3, 15), mediator_part_time_ordinary_resolved="65")

    march = report.statement(entry, MARCH)
    assert [(line.rate, line.rate_from) for line in march.lines] == [
        (Decimal("50.00"), date(2026, 1, 1)), (Decimal("65.00"), date(2026, 3, 15))]
    assert march.total == Decimal("115.00")

    # Rates set later, from today on, leave March as it was.
    from webapp import timelimits

    schedule(tenant, timelimits.today(), mediator_part_time_ordinary_resolved="999")
    assert report.statement(entry, MARCH).lines == march.lines


def test_a_cell_with_no_rate_pays_nothing_and_says_so(tenant, director):
    mediator = factories.member("mediator", tenant)
    entry = factories.roster_entry(tenant, user=mediator.user)
    resolved(tenant, director, mediator, beijing(3, 5))

    (line,) = report.statement(entry, MARCH).lines
    assert line.rate is None and line.rate_from is None and line.amount == Decimal("0.00")


def test_only_outcomes_inside_the_roster_period_count(tenant, director):
    _rates(tenant)
    mediator = factories.member("mediator", tenant)
    entry = factories.roster_entry(tenant, user=mediator.user, active_from=date(2026, 3, 10),
                                   active_to=date(2026, 3, 20))
    for day in (9, 10, 20, 21):
        resolved(tenant, director, mediator, beijing(3, day))

    assert [line.day.day for line in report.statement(entry, MARCH).lines] == [10, 20]


def test_a_case_reopened_and_resolved_again_counts_in_each_month(tenant, director):
    _rates(tenant)
    mediator = factories.member("mediator", tenant)
    entry = factories.roster_entry(tenant, user=mediator.user)
    case = resolved(tenant, director, mediator, beijing(3, 5))
    from tests.cases.builders import record_visit

    with clock_at(beijing(4, 2)):
        record_visit(case, mediator, may_flare_up=True, notes="纠纷有反复")
    with clock_at(beijing(4, 8)):
        operations.resolve_case(case, mediator, text="再次达成协议", signed_on=date(2026, 4, 8))

    assert [line.day for line in report.statement(entry, MARCH).lines] == [date(2026, 3, 5)]
    assert [line.day for line in report.statement(entry, report.Month(2026, 4)).lines] == [date(2026, 4, 8)]


def test_months_parse_and_step():
    assert str(report.Month.parse("2026-3")) == "2026-03"
    assert report.Month.parse("nonsense", default=MARCH) == MARCH
    assert report.Month(2026, 12).next() == report.Month(2027, 1)
    assert report.Month(2026, 1).previous() == report.Month(2025, 12)
