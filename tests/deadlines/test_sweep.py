"""The deadline sweep with a frozen clock: cases walk green → yellow → red → escalation →
flag, on calendar days and on working days, and every sweep is run twice (the second one
changes nothing). Then the other accountability rules, pauses, reopening, quiet hours,
tenancy, and the command line."""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tenants.scope import all_tenants, tenant_scope
from tests.conftest import login
from tests.deadlines.conftest import (
    NOTHING, Center, bj, delivered_at, escalations_of, flags_of, notifications_of, quiet, row_counts, sweep,
    sweep_events_of,
)
from webapp import timelimits
from webapp.cases import operations
from webapp.cases.models import CaseEvent, CaseState, Difficulty, EscalationTarget, Risk
from webapp.deadlines import operations as deadline_ops
from webapp.deadlines.models import CaseWatch, Escalation, Flag, FlagKind, FlagStatus, Notification, SweepRun
from webapp.deadlines.sweep import sweep_until_done
from webapp.extensions import db
from webapp.timelimits import Light
from webapp.township.operations import save_limits
from webapp.types import clock_at
from worker.jobs import send_referral_notice


def twice(at) -> dict:
    """Sweep at ``at``, then again: the second sweep finds nothing and writes nothing but its run."""
    first = sweep(at)
    rows = row_counts()
    second = sweep(at)
    assert quiet(second), second
    assert row_counts() == dict(rows, sweeps=rows["sweeps"] + 1)
    return first


def watch_of(case):
    """When the sweep will next look at the case."""
    return db.session.scalar(select(CaseWatch.next_at).where(CaseWatch.case_id == case.id))


def did(counts, **expected) -> bool:
    return {k: counts[k] for k in NOTHING} == dict(NOTHING, **expected)


def light(case, at):
    db.session.refresh(case)
    return timelimits.case_light(case, at)


# -- the walk on calendar days --------------------------------------------------------------


def test_a_case_walks_green_yellow_red_escalation_flag_on_calendar_days(center):
    case = center.case(bj(2026, 3, 2, 10))  # Monday; ordinary: 7 calendar days
    director, mediator = center.director.user_id, center.mediator.user_id
    assert (case.due_at, case.warn_at, case.escalate_at) == (bj(2026, 3, 9, 10), bj(2026, 3, 6, 10),
                                                             bj(2026, 3, 12, 10))

    # Green: nothing to say.
    assert did(twice(bj(2026, 3, 4, 10)))
    assert did(twice(bj(2026, 3, 6, 9, 59)))
    assert light(case, bj(2026, 3, 6, 9, 59)) == Light.GREEN
    assert notifications_of(case) == []

    # Yellow: fewer than three days left; the mediator and the director hear of it.
    assert did(twice(bj(2026, 3, 6, 12)), warned=1, notified=2)
    assert light(case, bj(2026, 3, 6, 12)) == Light.YELLOW
    assert sorted(notifications_of(case)) == sorted([(mediator, "yellow"), (director, "yellow")])
    assert escalations_of(case) == [] and flags_of(case) == []
    assert did(twice(bj(2026, 3, 8, 12)))

    # Red: overdue; a notification, and the first step of the ladder, to the director.
    assert did(twice(bj(2026, 3, 9, 11)), overdue=1, notified=2, escalated=1)
    assert light(case, bj(2026, 3, 9, 11)) == Light.RED
    assert sorted(n for n in notifications_of(case) if n.kind == "red") == sorted([(mediator, "red"),
                                                                                (director, "red")])
    assert escalations_of(case) == [("director", "red")]
    assert sweep_events_of(case) == ["escalation:director"]
    assert did(twice(bj(2026, 3, 11, 12)))

    # Overdue by more than three days, nobody did anything: up to the party committee and
    # the county, and 久拖不调 flagged against the mediator.
    assert did(twice(bj(2026, 3, 12, 11)), long_overdue=1, notified=2, escalated=2, flagged=1)
    assert escalations_of(case) == [("director", "red"), ("party_committee", "long_overdue"),
                                    ("county", "long_overdue")]
    [flag] = flags_of(case)
    assert (flag.kind, flag.fault, flag.status) == (FlagKind.OVERDUE_NO_PROGRESS, 4, FlagStatus.OPEN)
    assert flag.responsible_user_id == mediator and flag.responsible_department_id is None
    assert sweep_events_of(case) == ["escalation:director", "escalation:party_committee", "escalation:county",
                                     "flag:overdue_no_progress"]
    assert len(notifications_of(case)) == 6

    # Weeks later nothing more happens: each moment is acted on once.
    assert did(twice(bj(2026, 4, 30, 12)))


def _session(center, case, at):
    center.do(at, operations.record_session, case, center.mediator, held_on=at.date(), place="村委会",
              participants="双方当事人", notes="继续调解")


def test_a_session_recorded_after_the_deadline_is_progress_no_flag(center):
    case = center.case(bj(2026, 3, 2, 10))
    sweep(bj(2026, 3, 9, 11))
    _session(center, case, bj(2026, 3, 10, 15))
    counts = twice(bj(2026, 3, 12, 11))
    assert did(counts, long_overdue=1, notified=2, escalated=2)
    assert flags_of(case) == []
    assert [level for level, _ in escalations_of(case)] == ["director", "party_committee", "county"]


def test_a_session_before_the_deadline_is_not_progress_after_it(center):
    case = center.case(bj(2026, 3, 2, 10))
    _session(center, case, bj(2026, 3, 8, 15))
    sweep(bj(2026, 3, 9, 11))
    assert did(sweep(bj(2026, 3, 12, 11)), long_overdue=1, notified=2, escalated=2, flagged=1)
    assert [f.kind for f in flags_of(case)] == [FlagKind.OVERDUE_NO_PROGRESS]


def test_acknowledging_an_escalation_is_not_progress_on_the_case(center):
    """The director must acknowledge each step of the ladder; doing so does not mediate the
    case, so it does not spare the mediator the 久拖不调 flag."""
    case = center.case(bj(2026, 3, 2, 10))
    sweep(bj(2026, 3, 9, 11))
    escalation = db.session.scalar(select(Escalation).where(Escalation.case_id == case.id))
    with clock_at(bj(2026, 3, 9, 14)):
        deadline_ops.acknowledge_escalation(escalation, center.director)
    db.session.commit()
    assert did(sweep(bj(2026, 3, 12, 11)), long_overdue=1, notified=2, escalated=2, flagged=1)
    assert flags_of(case)[0].responsible_user_id == center.mediator.user_id


# -- the walk on working days, across the Spring Festival ------------------------------------


def test_a_case_walks_the_same_way_on_working_days_across_the_spring_festival(center):
    center.count_working_days()
    case = center.case(bj(2026, 2, 13, 10))  # Friday before the festival; 7 working days
    # 14 (make-up Saturday), 24, 25, 26, 27, 28 (make-up Saturday) February, 2 March.
    midnight = lambda m, d: bj(2026, m, d, 0)  # noqa: E731
    assert (case.due_at, case.warn_at, case.escalate_at) == (midnight(3, 3), midnight(2, 27), midnight(3, 6))

    for moment in (bj(2026, 2, 14, 12), bj(2026, 2, 20, 12), bj(2026, 2, 26, 23, 30)):
        assert did(twice(moment)), moment  # on calendar days it would be red from 20 February
        assert light(case, moment) == Light.GREEN

    assert did(twice(bj(2026, 2, 27, 9)), warned=1, notified=2)
    assert did(twice(bj(2026, 3, 2, 20)))
    assert light(case, bj(2026, 3, 2, 20)) == Light.YELLOW

    assert did(twice(bj(2026, 3, 3, 9)), overdue=1, notified=2, escalated=1)
    assert did(twice(bj(2026, 3, 5, 20)))  # overdue by 3, 4, 5 March: not more than three days yet

    assert did(twice(bj(2026, 3, 6, 9)), long_overdue=1, notified=2, escalated=2, flagged=1)
    assert [f.kind for f in flags_of(case)] == [FlagKind.OVERDUE_NO_PROGRESS]
    assert flags_of(case)[0].responsible_user_id == center.mediator.user_id
    assert [level for level, _ in escalations_of(case)] == ["director", "party_committee", "county"]


def test_a_township_holiday_moves_the_working_day_deadline(center):
    center.count_working_days()
    deadline_ops.set_calendar_day(center.tenant.id, date(2026, 3, 2), False, "乡镇换届选举")
    case = center.case(bj(2026, 2, 13, 10))
    assert case.due_at == bj(2026, 3, 4, 0)  # Monday 2 March is off: the 7th working day is the 3rd
    assert did(sweep(bj(2026, 3, 3, 23)), warned=1, notified=2)
    assert did(sweep(bj(2026, 3, 4, 9)), overdue=1, notified=2, escalated=1)


def test_a_move_keeps_the_moments_and_new_settings_reach_cases_assessed_from_then_on(center):
    """The moments are computed from the clock's start, the limit, the pauses and the settings,
    never from the state: taking a case up, referring it, resolving it leave them, even after
    the township changed its settings (which apply from the next assessment or reopening)."""
    case = center.case(bj(2026, 3, 2), mediate=False)
    moments = (case.due_at, case.warn_at, case.escalate_at, case.clock_cycle)
    assert case.due_at - case.warn_at == timedelta(days=3)
    with tenant_scope(center.tenant.id):
        save_limits(center.tenant.id, yellow_days=5, escalate_after_days=1)
    center.do(bj(2026, 3, 3), operations.start_mediation, case, center.director, assignee_id=center.mediator.user_id)
    assert (case.due_at, case.warn_at, case.escalate_at, case.clock_cycle) == moments
    assert watch_of(case) == case.warn_at

    later = center.case(bj(2026, 3, 3), mediate=False)
    assert later.due_at - later.warn_at == timedelta(days=5)
    assert later.escalate_at - later.due_at == timedelta(days=1)


# -- dry run --------------------------------------------------------------------------------


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(center):
    case = center.case(bj(2026, 3, 2, 10))
    db.session.commit()
    rows, next_alert = row_counts(), watch_of(case)
    dry = sweep(bj(2026, 3, 12, 11), dry_run=True)
    assert dry["dry_run"] is True
    assert did(dry, warned=0, overdue=1, long_overdue=1, notified=4, escalated=3, flagged=1)
    assert row_counts() == rows
    assert watch_of(case) == next_alert
    assert db.session.scalar(select(SweepRun.id)) is None

    real = sweep(bj(2026, 3, 12, 11))
    assert real["dry_run"] is False
    assert {k: real[k] for k in NOTHING} == {k: dry[k] for k in NOTHING}
    assert db.session.scalar(select(SweepRun.counts)) == {k: real[k] for k in NOTHING}


# -- 可激化: reported within 24 hours ---------------------------------------------------------


def test_a_case_that_may_escalate_and_is_not_reported_within_24_hours_goes_up_and_is_flagged(center):
    case = center.case(bj(2026, 3, 2, 10), risk=Risk.MAY_ESCALATE)
    assert case.report_by == bj(2026, 3, 3, 10)
    assert did(twice(bj(2026, 3, 3, 9, 59)))
    assert did(twice(bj(2026, 3, 3, 10, 1)), unreported=1, notified=2, escalated=2, flagged=1)
    assert escalations_of(case) == [("party_committee", "unreported"), ("county", "unreported")]
    [flag] = flags_of(case)
    assert (flag.kind, flag.fault, flag.responsible_user_id) == (FlagKind.NOT_REPORTED, 3, center.mediator.user_id)
    assert sweep_events_of(case) == ["escalation:party_committee", "escalation:county", "flag:not_reported"]


def test_a_case_not_reported_is_flagged_once_even_when_its_clock_changes_later(center):
    """Pausing and resuming gives the deadline a new cycle; the 24 hours to report ran from
    the assessment and were missed once: one flag, one pair of escalations."""
    case = center.case(bj(2026, 3, 2, 10), risk=Risk.MAY_ESCALATE)
    assert did(sweep(bj(2026, 3, 3, 11)), unreported=1, notified=2, escalated=2, flagged=1)
    center.do(bj(2026, 3, 3, 12), deadline_ops.pause_clock, case, center.mediator, reason="当事人住院")
    center.do(bj(2026, 3, 4, 12), deadline_ops.resume_clock, case, center.mediator)
    assert did(twice(bj(2026, 3, 4, 13)))
    assert [f.kind for f in flags_of(case)] == [FlagKind.NOT_REPORTED]
    assert escalations_of(case) == [("party_committee", "unreported"), ("county", "unreported")]


@pytest.mark.parametrize("target, level", [(EscalationTarget.PARTY_COMMITTEE, "party_committee"),
                                           (EscalationTarget.COUNTY_BUREAU, "county")])
def test_a_case_that_may_escalate_reported_in_time_raises_nothing(center, target, level):
    case = center.case(bj(2026, 3, 2, 10), risk=Risk.MAY_ESCALATE)
    center.do(bj(2026, 3, 2, 16), operations.escalate_case, case, center.mediator,
              target=target, note="双方情绪激动，可能激化")
    assert did(twice(bj(2026, 3, 3, 11)))
    # The report's own escalation (上报 by hand), and nothing from the sweep.
    assert escalations_of(case) == [(level, "manual")] and flags_of(case) == []


@pytest.mark.parametrize("acknowledged", [True, False], ids=["acknowledged", "not acknowledged"])
def test_a_case_that_may_escalate_reported_only_to_the_director_still_goes_up_after_24_hours(center, acknowledged):
    """报告党委、政府: the center's own director is not the report the method asks for. The case
    waits with the director, and at 24 hours the sweep reports it to the party committee and
    the county itself, with a fault-3 flag. The mediator did report: the flag names the
    director who acknowledged the report, or the center when nobody did."""
    case = center.case(bj(2026, 3, 2, 10), risk=Risk.MAY_ESCALATE)
    center.do(bj(2026, 3, 2, 16), operations.escalate_case, case, center.mediator,
              target=EscalationTarget.DIRECTOR, note="请主任定夺")
    if acknowledged:
        [report] = db.session.scalars(select(Escalation).where(Escalation.case_id == case.id)).all()
        center.do(bj(2026, 3, 2, 17), deadline_ops.acknowledge_escalation, report, center.director)
    assert watch_of(case) == case.report_by == bj(2026, 3, 3, 10)
    assert did(twice(bj(2026, 3, 3, 9, 59)))
    assert did(twice(bj(2026, 3, 3, 10, 1)), unreported=1, notified=2, escalated=2, flagged=1)
    assert escalations_of(case) == [("director", "manual"), ("party_committee", "unreported"),
                                    ("county", "unreported")]
    [flag] = flags_of(case)
    assert flag.kind == FlagKind.NOT_REPORTED
    assert flag.responsible_user_id == (center.director.user_id if acknowledged else None)


# -- a case assigned from above -------------------------------------------------------------


def test_a_case_assigned_from_above_not_taken_up_in_a_working_day_is_flagged(center):
    center.count_working_days()
    case = center.case(bj(2026, 3, 6, 16), source="assigned")  # Friday afternoon
    handled = center.case(bj(2026, 3, 6, 16), source="assigned", title="上级交办的征地纠纷")
    center.do(bj(2026, 3, 9, 11), operations.assess_case, handled, center.director,
              difficulty=Difficulty.COMPLEX, risk=Risk.CONTROLLABLE)
    assert case.handle_by == bj(2026, 3, 10, 0)  # the end of Monday
    assert did(twice(bj(2026, 3, 9, 20)))
    assert did(twice(bj(2026, 3, 10, 9)), unhandled=1, notified=1, flagged=1)
    [flag] = flags_of(case)
    assert (flag.kind, flag.fault) == (FlagKind.ASSIGNED_NOT_HANDLED, 5)
    assert notifications_of(case) == [(center.director.user_id, "unhandled")]
    assert flags_of(handled) == [] and notifications_of(handled) == []


def test_on_calendar_days_an_assignment_must_be_taken_up_within_a_day(center):
    case = center.case(bj(2026, 3, 6, 16), source="assigned")
    assert case.handle_by == bj(2026, 3, 7, 16)
    assert did(sweep(bj(2026, 3, 7, 15)))
    assert did(sweep(bj(2026, 3, 7, 17)), unhandled=1, notified=1, flagged=1)


# -- a referral not accepted in time --------------------------------------------------------


def _refer(center, case, at):
    return center.do(at, operations.refer_case, case, center.director, department=center.department,
                     note="请派出所协助调处")


def test_a_referral_not_accepted_within_a_working_day_flags_the_department(center):
    center.count_working_days()
    late = center.case(bj(2026, 2, 13, 9), mediate=False)
    on_time = center.case(bj(2026, 2, 13, 9), mediate=False, title="按时接收的纠纷")
    referral = _refer(center, late, bj(2026, 2, 13, 15))  # Friday; Saturday 14th is a make-up working day
    other = _refer(center, on_time, bj(2026, 2, 13, 15))
    with clock_at(bj(2026, 2, 13, 15, 1)):  # the jobs enqueued after commit tell the liaison
        assert send_referral_notice(center.tenant.id, referral.id) == 1
        assert send_referral_notice(center.tenant.id, other.id) == 1
    assert notifications_of(late) == [(center.liaison.user_id, "referral")]
    center.do(bj(2026, 2, 14, 10), operations.accept_referral, on_time, center.liaison)
    assert referral.accept_by == bj(2026, 2, 15, 0)

    assert did(twice(bj(2026, 2, 14, 20)))
    assert did(twice(bj(2026, 2, 15, 9)), flagged=1)
    [flag] = flags_of(late)
    assert (flag.kind, flag.fault) == (FlagKind.REFERRAL_NOT_ACCEPTED, 5)
    assert flag.responsible_department_id == center.department.id and flag.responsible_user_id is None
    assert sweep_events_of(late) == ["flag:referral_not_accepted"]
    assert flags_of(on_time) == []


# -- a follow-up visit not done in its window --------------------------------------------------


def _resolve(center, case, at):
    center.do(at, operations.resolve_case, case, center.mediator, text="李四赔偿张三500元", amount=500,
              signed_on=at.date())


def test_a_follow_up_visit_not_recorded_within_its_grace_days_is_flagged(center):
    missed = center.case(bj(2026, 3, 2, 9))
    visited = center.case(bj(2026, 3, 2, 9), title="按时回访的纠纷")
    for case in (missed, visited):
        _resolve(center, case, bj(2026, 3, 2, 16))  # visits due 9 March and 1 April
    assert [f.due_on for f in missed.follow_ups] == [date(2026, 3, 9), date(2026, 4, 1)]
    with clock_at(bj(2026, 3, 11, 10)), tenant_scope(center.tenant.id):
        operations.record_follow_up(visited, center.mediator, visited.follow_ups[0], carried_out=True,
                                    may_flare_up=False, notes="协议已履行")

    assert did(twice(bj(2026, 3, 12, 22)))  # 9 March + 3 grace days: the 12th is still in time
    assert did(twice(bj(2026, 3, 13, 9)), flagged=1)
    [flag] = flags_of(missed)
    assert (flag.kind, flag.fault, flag.responsible_user_id) == (FlagKind.FOLLOW_UP_MISSED, 1,
                                                                 center.mediator.user_id)
    assert flags_of(visited) == []


# -- pausing the clock --------------------------------------------------------------------


def test_a_paused_clock_raises_nothing_and_once_resumed_alerts_later(center):
    case = center.case(bj(2026, 3, 2, 10))  # due 9 March 10:00
    center.do(bj(2026, 3, 4, 10), deadline_ops.pause_clock, case, center.mediator, reason="等待司法鉴定结论")
    assert light(case, bj(2026, 3, 7)) == Light.PAUSED
    assert did(twice(bj(2026, 3, 7, 12)))   # it would be yellow
    assert did(twice(bj(2026, 3, 13, 12)))  # and long overdue

    center.do(bj(2026, 3, 10, 10), deadline_ops.resume_clock, case, center.mediator, note="鉴定结论已出")
    assert case.due_at == bj(2026, 3, 15, 10)  # six days later
    assert light(case, bj(2026, 3, 11)) == Light.GREEN
    assert did(twice(bj(2026, 3, 11, 12)))
    assert did(twice(bj(2026, 3, 12, 11)), warned=1, notified=2)
    assert did(twice(bj(2026, 3, 15, 11)), overdue=1, notified=2, escalated=1)

    events = db.session.execute(select(CaseEvent.kind, CaseEvent.note).where(
        CaseEvent.case_id == case.id, CaseEvent.kind.like("clock_%")).order_by(CaseEvent.id)).all()
    assert events == [("clock_paused", "等待司法鉴定结论"), ("clock_resumed", "鉴定结论已出")]


def test_an_overdue_clock_cannot_be_paused_and_the_escalation_goes_on(center):
    case = center.case(bj(2026, 3, 2, 10))  # due 9 March 10:00
    assert did(sweep(bj(2026, 3, 9, 11)), overdue=1, notified=2, escalated=1)

    with pytest.raises(operations.Refused, match="已超期案件不能暂停计时"):
        center.do(bj(2026, 3, 10, 10), deadline_ops.pause_clock, case, center.mediator, reason="等待司法鉴定结论")
    assert case.paused_since is None
    assert light(case, bj(2026, 3, 10, 11)) == Light.RED
    assert did(sweep(bj(2026, 3, 12, 11)), long_overdue=1, notified=2, escalated=2, flagged=1)


def test_a_pause_after_the_warning_gives_a_new_warning_once_the_clock_runs_again(center):
    case = center.case(bj(2026, 3, 2, 10))
    assert did(sweep(bj(2026, 3, 6, 12)), warned=1, notified=2)
    center.do(bj(2026, 3, 6, 13), deadline_ops.pause_clock, case, center.director, reason="当事人外出务工，联系不上")
    assert did(twice(bj(2026, 3, 9, 11)))  # not red while paused
    center.do(bj(2026, 3, 10, 13), deadline_ops.resume_clock, case, center.director)
    assert case.due_at == bj(2026, 3, 13, 10)
    assert did(twice(bj(2026, 3, 10, 14)), warned=1, notified=2)
    assert did(twice(bj(2026, 3, 13, 11)), overdue=1, notified=2, escalated=1)


def test_a_pause_on_working_days_moves_the_deadline_by_the_working_days_it_touched(center):
    center.count_working_days()
    case = center.case(bj(2026, 2, 13, 10))  # due at the end of 2 March
    center.do(bj(2026, 2, 13, 15), deadline_ops.pause_clock, case, center.director, reason="等待鉴定")
    center.do(bj(2026, 2, 24, 9), deadline_ops.resume_clock, case, center.director)
    # It touched Friday 13th, the make-up Saturday 14th and Tuesday 24th: three working days.
    assert case.due_at == bj(2026, 3, 6, 0)
    assert case.warn_at == bj(2026, 3, 3, 0)
    assert did(twice(bj(2026, 3, 2, 20)))
    assert did(twice(bj(2026, 3, 3, 9)), warned=1, notified=2)
    assert did(twice(bj(2026, 3, 6, 9)), overdue=1, notified=2, escalated=1)


# -- a reopened case --------------------------------------------------------------------------


def test_a_case_that_flares_up_again_gets_a_new_clock(center):
    case = center.case(bj(2026, 3, 2, 10))
    sweep(bj(2026, 3, 9, 11))  # red
    _resolve(center, case, bj(2026, 3, 10, 10))
    with clock_at(bj(2026, 3, 17, 10)), tenant_scope(center.tenant.id):
        operations.record_follow_up(case, center.mediator, case.follow_ups[0], carried_out=False,
                                    may_flare_up=True, notes="对方反悔，矛盾有激化苗头")
    assert case.state == CaseState.MEDIATING
    assert case.due_at == bj(2026, 3, 24, 10)
    assert light(case, bj(2026, 3, 18)) == Light.GREEN
    assert did(twice(bj(2026, 3, 18, 12)))
    assert did(twice(bj(2026, 3, 21, 12)), warned=1, notified=2)
    assert did(twice(bj(2026, 3, 24, 11)), overdue=1, notified=2, escalated=1)
    assert escalations_of(case) == [("director", "red"), ("director", "red")]


# -- quiet hours ------------------------------------------------------------------------------


def _delivered(case):
    return db.session.scalars(select(Notification.delivered_at).where(Notification.case_id == case.id)).all()


def test_nothing_is_delivered_at_night_it_goes_out_in_the_morning(center, outbox):
    case = center.case(bj(2026, 3, 2, 22))  # yellow from 22:00 on 6 March
    assert did(sweep(bj(2026, 3, 6, 22, 30)), warned=1, notified=2)
    assert _delivered(case) == [None, None]
    for night in (bj(2026, 3, 6, 22, 30), bj(2026, 3, 7, 0, 5), bj(2026, 3, 7, 7, 59)):
        assert delivered_at(night) == 0
    assert outbox == []
    assert delivered_at(bj(2026, 3, 7, 8, 0)) == 2
    assert _delivered(case) == [bj(2026, 3, 7, 8, 0)] * 2
    assert sorted(outbox) == sorted([(center.mediator.user_id, "yellow"), (center.director.user_id, "yellow")])
    assert delivered_at(bj(2026, 3, 7, 9, 0)) == 0  # delivered once
    assert len(outbox) == 2


def test_each_township_keeps_its_own_quiet_hours(center, other_tenant, outbox):
    other = Center(other_tenant)
    with tenant_scope(other_tenant.id):
        other.settings.quiet_start_hour, other.settings.quiet_end_hour = 22, 6
        db.session.flush()
    mine = center.case(bj(2026, 3, 2, 21))
    theirs = other.case(bj(2026, 3, 2, 21))
    sweep(bj(2026, 3, 6, 21, 30))
    assert delivered_at(bj(2026, 3, 6, 21, 30)) == 2  # theirs: quiet only from 22:00
    assert _delivered(mine) == [None, None]
    with tenant_scope(other_tenant.id):
        assert None not in _delivered(theirs)
    assert delivered_at(bj(2026, 3, 7, 6, 30)) == 0  # mine still sleep until 08:00
    assert delivered_at(bj(2026, 3, 7, 8, 0)) == 2


# -- tenancy ----------------------------------------------------------------------------------


def test_each_townships_alerts_reach_its_own_people_only(center, other_tenant):
    other = Center(other_tenant)
    mine = center.case(bj(2026, 3, 2, 10))
    theirs = other.case(bj(2026, 3, 2, 10), title="乙镇的山林纠纷")
    counts = twice(bj(2026, 3, 12, 11))
    assert did(counts, overdue=2, long_overdue=2, notified=8, escalated=6, flagged=2)

    from tenants.models import Membership

    with all_tenants():
        members = {(m.user_id, m.tenant_id) for m in db.session.scalars(select(Membership))}
        for n in db.session.scalars(select(Notification)):
            assert (n.user_id, n.tenant_id) in members
            assert n.tenant_id == db.session.get(type(mine), n.case_id).tenant_id
        for f in db.session.scalars(select(Flag)):
            assert (f.responsible_user_id, f.tenant_id) in members
    assert {u for u, _ in notifications_of(mine)} == {center.director.user_id, center.mediator.user_id}
    assert {u for u, _ in notifications_of(theirs)} == {other.director.user_id, other.mediator.user_id}
    assert flags_of(mine)[0].tenant_id == center.tenant.id
    assert flags_of(theirs)[0].tenant_id == other_tenant.id
    with all_tenants():
        assert {e.tenant_id for e in db.session.scalars(select(Escalation).where(Escalation.case_id == theirs.id))} \
            == {other_tenant.id}


# -- one notification per person and sweep ---------------------------------------------------


def test_cases_turning_red_in_one_sweep_make_one_notification_per_person_naming_them_all(center, client):
    first = center.case(bj(2026, 3, 2, 10), title="宅基地纠纷")
    second = center.case(bj(2026, 3, 2, 11), title="赡养纠纷")
    assert did(twice(bj(2026, 3, 9, 12)), overdue=2, notified=2, escalated=2)
    with all_tenants():
        told = db.session.scalars(select(Notification).where(Notification.kind == "red")).all()
    assert sorted((n.user_id, sorted(n.case_ids), n.case_id) for n in told) == sorted([
        (center.director.user_id, sorted([first.id, second.id]), None),
        (center.mediator.user_id, sorted([first.id, second.id]), None)])
    assert delivered_at(bj(2026, 3, 9, 12)) == 2

    db.session.commit()
    assert login(client, center.mediator.user.username).status_code == 302
    page = client.get(f"/t/{center.tenant.slug}/notifications/").get_data(as_text=True)
    assert "2 cases" in page or "2 件" in page, page[page.find("<main"):page.find("</main>")]
    for case in (first, second):
        assert f'href="/t/{center.tenant.slug}/cases/{case.id}"' in page and case.number in page


def test_a_director_assigned_a_case_hears_of_it_once(center):
    case = center.case(bj(2026, 3, 2, 10), mediate=False)
    center.do(bj(2026, 3, 2, 10), operations.start_mediation, case, center.director,
              assignee_id=center.director.user_id)
    assert did(twice(bj(2026, 3, 9, 12)), overdue=1, notified=1, escalated=1)
    assert notifications_of(case) == [(center.director.user_id, "red")]


# -- batches after a long outage --------------------------------------------------------------


def test_after_an_outage_the_due_cases_are_swept_in_batches_with_the_same_outcome(center):
    cases = [center.case(bj(2026, 3, 2, hour), title=f"纠纷{hour}") for hour in (9, 10, 11)]
    with clock_at(bj(2026, 3, 9, 12)):
        counts = sweep_until_done(batch=2)
    assert counts["batches"] == 2  # two cases, then the third
    assert did(counts, overdue=3, notified=4, escalated=3)
    assert [escalations_of(case) for case in cases] == [[("director", "red")]] * 3
    assert quiet(sweep(bj(2026, 3, 9, 12, 5)))


def test_a_batch_takes_every_case_due_at_the_same_moment(center):
    cases = [center.case(bj(2026, 3, 2, 10), title=f"纠纷{n}") for n in range(3)]
    with clock_at(bj(2026, 3, 9, 12)):
        counts = sweep_until_done(batch=2)
    assert counts["batches"] == 1 and counts["overdue"] == 3
    assert all(escalations_of(case) for case in cases)


# -- the full sweep ---------------------------------------------------------------------------


def _unwatch(case):
    """As if the case had been changed in the database by hand: the sweep no longer watches it."""
    with all_tenants():
        db.session.execute(CaseWatch.__table__.delete().where(CaseWatch.case_id == case.id))
        db.session.commit()


def test_a_case_the_sweep_was_not_watching_is_found_by_the_full_sweep(center):
    case = center.case(bj(2026, 3, 2, 10))
    watched = center.case(bj(2026, 3, 2, 10), title="看着的纠纷")
    _unwatch(case)
    counts = twice(bj(2026, 3, 9, 11))
    assert did(counts, overdue=1, notified=2, escalated=1)  # only the watched case
    assert escalations_of(case) == []

    full = sweep(bj(2026, 3, 9, 11, 5), full=True)
    assert did(full, overdue=1, notified=2, escalated=1) and full["full"] is True and full["repaired"] == 1
    assert escalations_of(case) == [("director", "red")] and escalations_of(watched) == [("director", "red")]
    assert watch_of(case) == case.escalate_at

    again = sweep(bj(2026, 3, 9, 11, 10), full=True)
    assert quiet(again) and again["repaired"] == 0
    # From then on the ordinary sweeps watch it again.
    assert did(twice(bj(2026, 3, 12, 11)), long_overdue=2, notified=2, escalated=4, flagged=2)


def test_a_full_sweep_after_an_ordinary_one_finds_nothing_more(center):
    center.case(bj(2026, 3, 2, 10))                                   # red on the 9th
    center.case(bj(2026, 2, 20, 10))                                  # long overdue
    center.case(bj(2026, 3, 5, 10), risk=Risk.MAY_ESCALATE)           # green, not reported
    center.case(bj(2026, 3, 8, 10), source="assigned")                # not taken up
    paused = center.case(bj(2026, 3, 3, 10))
    center.do(bj(2026, 3, 4, 10), deadline_ops.pause_clock, paused, center.mediator, reason="等待鉴定")
    ordinary = sweep(bj(2026, 3, 9, 12))
    assert not quiet(ordinary)
    rows = row_counts()
    full = sweep(bj(2026, 3, 9, 12), full=True)
    assert quiet(full) and full["repaired"] == 0
    assert row_counts() == dict(rows, sweeps=rows["sweeps"] + 1)


def test_the_scheduler_runs_a_full_sweep_at_start_and_daily():
    from redis import Redis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis())  # reading the schedule connects to nothing
    scheduler.load_config_from_file("worker.schedule")
    jobs = {job.name: job for job in scheduler.get_jobs()}
    full = jobs["sweep_deadlines_full"]
    assert (full.func_name, full.kwargs, full.interval) == ("worker.jobs.sweep_deadlines", {"full": True}, 86400)
    assert full.should_run()  # an interval job runs as soon as the scheduler starts
    assert jobs["sweep_deadlines"].interval == 300


# -- the command line -------------------------------------------------------------------------


def test_flask_deadlines_sweep_prints_what_it_did_as_json(center, runner):
    case = center.case(bj(2026, 3, 2, 10))
    db.session.commit()
    rows = row_counts()
    with clock_at(bj(2026, 3, 12, 11)):  # in the morning: delivered at once
        dry = runner.invoke(args=["deadlines", "sweep", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    dry_counts = json.loads(dry.output)
    assert dry_counts["dry_run"] is True and "delivered" not in dry_counts
    assert did(dry_counts, overdue=1, long_overdue=1, notified=4, escalated=3, flagged=1)
    assert row_counts() == rows

    with clock_at(bj(2026, 3, 12, 11)):
        result = runner.invoke(args=["deadlines", "sweep"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert {"warned", "overdue", "escalated", "flagged"} <= set(counts)
    assert counts["dry_run"] is False and counts["delivered"] == 4
    assert did(counts, overdue=1, long_overdue=1, notified=4, escalated=3, flagged=1)
    assert len(escalations_of(case)) == 3 and len(flags_of(case)) == 1

    with clock_at(bj(2026, 3, 12, 11, 5)):
        again = json.loads(runner.invoke(args=["deadlines", "sweep"]).output)
    assert did(again) and again["delivered"] == 0

    with clock_at(bj(2026, 3, 12, 11, 10)):
        full = json.loads(runner.invoke(args=["deadlines", "sweep", "--full"]).output)
    assert did(full) and full["full"] is True and full["repaired"] == 0
