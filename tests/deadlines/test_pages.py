"""The pages of the time limits: the bell, escalations (the township's and the county's
queue), accountability flags, the clock of a case, and the operations view."""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from tenants.scope import all_tenants
from tests.conftest import TEST_DATABASE_URL
from tests.deadlines.conftest import Center, bj, delivered_at, flags_of, sweep
from webapp import timelimits
from webapp.cases import operations
from webapp.cases.models import CaseEvent
from webapp.deadlines.models import (
    CalendarOverride, Escalation, EscalationLevel, Flag, FlagKind, FlagsAreNeverDeleted, FlagStatus, Notification,
)
from webapp.deadlines.sweep import sweep_until_done
from webapp.extensions import db
from webapp.types import clock_at

BELL = re.compile(r'<a class="bell"[^>]*><svg.*?</svg>(?:<span class="count">(\d+)</span>)?</a>', re.S)


def _text(response):
    return response.get_data(as_text=True)


def _bell(client) -> int:
    found = BELL.search(_text(client.get("/t/alpha/")))
    assert found, "no bell on the page"
    return int(found.group(1) or 0)


def _events(case, prefix):
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    return [kind for kind in kinds if kind.startswith(prefix)]


@pytest.fixture
def director(login_as):
    return login_as("township_admin", display_name="周主任")


@pytest.fixture
def mediator(login_as):
    return login_as("mediator", display_name="李调解员")


@pytest.fixture
def center(db, tenant, director, mediator):
    return Center(tenant, director=director.user.memberships[0], mediator=mediator.user.memberships[0])


@pytest.fixture
def overdue(center):
    """A case of the mediator's overdue by more than three days: escalated to the director,
    the party committee and the county, flagged 久拖不调, and the notifications delivered."""
    case = center.case(bj(2026, 3, 2, 10))
    sweep(bj(2026, 3, 6, 12))
    sweep(bj(2026, 3, 12, 11))
    delivered_at(bj(2026, 3, 12, 11))
    return case


def _escalation(case, level):
    with all_tenants():
        return db.session.scalar(select(Escalation).where(Escalation.case_id == case.id, Escalation.level == level))


# -- the bell -------------------------------------------------------------------------------


def test_the_bell_shows_every_notice_at_once_quiet_hours_hold_only_what_is_pushed(center, mediator, overdue,
                                                                                 outbox):
    """Quiet hours (21:00–08:00) keep messages off people's phones at night; they never hide
    what waits in the app: a mediator who opens it at night sees the night's notice."""
    assert _bell(mediator) == 3  # yellow, red, long overdue
    night = center.case(bj(2026, 3, 2, 23), title="夜里到期的纠纷")
    sent = len(outbox)
    sweep(bj(2026, 3, 6, 23, 30))  # made at night: in the bell at once, pushed in the morning
    assert _bell(mediator) == 4
    page = _text(mediator.get("/t/alpha/notifications/"))
    assert page.count('id="notification-') == 4
    assert "办结时限即将到期" in page and overdue.number in page and night.number in page
    assert len(outbox) == sent  # nothing pushed at night

    assert mediator.post("/t/alpha/notifications/read", data={"csrf_token": mediator.csrf}).status_code == 302
    assert _bell(mediator) == 0
    mine = db.session.scalars(select(Notification).where(Notification.user_id == mediator.user.id)).all()
    assert len(mine) == 4 and all(n.read_at is not None for n in mine)
    # The morning pushes the night's notice out; read in the app already, it stays read.
    delivered_at(bj(2026, 3, 7, 8))
    assert len(outbox) > sent
    assert _bell(mediator) == 0


def test_the_bell_is_personal(center, director, login_as, overdue):
    assert _bell(director) == 3
    other = login_as("mediator")
    assert _bell(other) == 0
    assert "没有新消息。" in _text(other.get("/t/alpha/notifications/"))


# -- escalations ----------------------------------------------------------------------------


def test_the_director_sees_and_acknowledges_the_townships_escalations(center, director, overdue):
    page = _text(director.get("/t/alpha/escalations/"))
    to_director = _escalation(overdue, EscalationLevel.DIRECTOR)
    committee = _escalation(overdue, EscalationLevel.PARTY_COMMITTEE)
    county = _escalation(overdue, EscalationLevel.COUNTY)
    assert f'id="escalation-{to_director.id}"' in page and f'id="escalation-{committee.id}"' in page
    assert f'id="escalation-{county.id}"' not in page  # the county's queue, not the township's
    assert "报县司法局" not in page

    for escalation in (to_director, committee):
        response = director.post(f"/t/alpha/escalations/{escalation.id}/acknowledge", data={"csrf_token": director.csrf})
        assert response.status_code == 302
        assert escalation.acknowledged_at is not None and escalation.acknowledged_by_id == director.user.id
    assert _events(overdue, "ack:") == ["ack:director",
                                        "ack:party_committee"]
    again = director.post(f"/t/alpha/escalations/{to_director.id}/acknowledge", data={"csrf_token": director.csrf},
                          follow_redirects=True)
    assert "已经确认过了。" in _text(again)

    # The director cannot acknowledge for the county.
    refused = director.post(f"/t/alpha/escalations/{county.id}/acknowledge", data={"csrf_token": director.csrf},
                            follow_redirects=True)
    assert "此上报事项应由其他人确认。" in _text(refused)
    assert county.acknowledged_at is None


def test_others_cannot_acknowledge_the_townships_escalations(center, mediator, login_as, overdue):
    to_director = _escalation(overdue, EscalationLevel.DIRECTOR)
    assert mediator.get("/t/alpha/escalations/").status_code == 403
    assert mediator.post(f"/t/alpha/escalations/{to_director.id}/acknowledge",
                         data={"csrf_token": mediator.csrf}).status_code == 403
    reviewer = login_as("county_reviewer")
    page = _text(reviewer.get("/t/alpha/escalations/"))
    assert f'id="escalation-{to_director.id}"' in page and "/acknowledge" not in page
    response = reviewer.post(f"/t/alpha/escalations/{to_director.id}/acknowledge", data={"csrf_token": reviewer.csrf})
    assert response.status_code == 403  # the reviewer writes nothing (webapp.permissions)
    assert to_director.acknowledged_at is None


def test_the_county_acknowledges_its_queue_the_reviewer_cannot(center, login_as, overdue, other_tenant):
    county = _escalation(overdue, EscalationLevel.COUNTY)
    reviewer = login_as("county_reviewer")
    page = _text(reviewer.get("/county/escalations"))
    assert f'id="escalation-{county.id}"' in page and overdue.number in page
    assert f"/county/escalations/{county.id}/acknowledge" not in page
    refused = reviewer.post(f"/county/escalations/{county.id}/acknowledge", data={"csrf_token": reviewer.csrf})
    assert refused.status_code == 403  # the reviewer writes nothing (webapp.permissions)
    db.session.expire_all()
    assert county.acknowledged_at is None

    admin = login_as("county_admin")
    page = _text(admin.get("/county/escalations"))
    assert f"/county/escalations/{county.id}/acknowledge" in page
    # Only the county's own steps are in its queue.
    director_step = _escalation(overdue, EscalationLevel.DIRECTOR)
    assert f'id="escalation-{director_step.id}"' not in page
    assert admin.post(f"/county/escalations/{county.id}/acknowledge",
                      data={"csrf_token": admin.csrf}).status_code == 302
    db.session.expire_all()
    county = _escalation(overdue, EscalationLevel.COUNTY)
    assert county.acknowledged_at is not None and county.acknowledged_by_id == admin.user.id
    assert "已确认" in _text(admin.get("/county/escalations"))
    assert _events(overdue, "ack:") == ["ack:county"]


def test_a_township_director_cannot_reach_the_county_queue(director, overdue):
    assert director.get("/county/escalations").status_code == 403


# -- accountability flags -------------------------------------------------------------------


@pytest.fixture
def two_flags(center, login_as, overdue):
    """The mediator's 久拖不调 flag, and another mediator's on another case."""
    colleague = login_as("mediator", display_name="赵调解员")
    theirs = Center(center.tenant, director=center.director, mediator=colleague.user.memberships[0])
    case = theirs.case(bj(2026, 3, 2, 10), title="另一件超期的纠纷")
    sweep(bj(2026, 3, 12, 12))
    return flags_of(overdue)[0], flags_of(case)[0], colleague


def test_the_director_sees_every_flag_a_mediator_only_theirs(director, mediator, two_flags):
    mine, theirs, colleague = two_flags
    page = _text(director.get("/t/alpha/flags/"))
    assert f'id="flag-{mine.id}"' in page and f'id="flag-{theirs.id}"' in page
    assert "久拖不调：超期且无进展" in page and "李调解员" in page and "赵调解员" in page
    page = _text(mediator.get("/t/alpha/flags/"))
    assert f'id="flag-{mine.id}"' in page and f'id="flag-{theirs.id}"' not in page
    assert mediator.get(f"/t/alpha/flags/{mine.id}").status_code == 200
    assert mediator.get(f"/t/alpha/flags/{theirs.id}").status_code == 404
    assert colleague.get(f"/t/alpha/flags/{theirs.id}").status_code == 200


def test_the_responsible_mediator_acknowledges_a_flag(mediator, two_flags, overdue):
    mine, _, colleague = two_flags
    assert colleague.post(f"/t/alpha/flags/{mine.id}", data={"action": "acknowledge",
                                                            "csrf_token": colleague.csrf}).status_code == 404
    response = mediator.post(f"/t/alpha/flags/{mine.id}", data={"action": "acknowledge", "csrf_token": mediator.csrf})
    assert response.status_code == 302
    assert mine.status == FlagStatus.ACKNOWLEDGED and mine.acknowledged_at is not None
    assert _events(overdue, "flag_") == ["flag_acknowledged"]
    again = mediator.post(f"/t/alpha/flags/{mine.id}", data={"action": "acknowledge", "csrf_token": mediator.csrf})
    assert again.status_code == 409 and "此过错责任已不是待处理状态。" in _text(again)


def test_a_dispute_needs_a_reason_and_comes_from_the_person_responsible(director, mediator, two_flags, overdue):
    mine, _, _ = two_flags
    empty = mediator.post(f"/t/alpha/flags/{mine.id}", data={"action": "dispute", "dispute-reason": " ",
                                                             "csrf_token": mediator.csrf})
    assert empty.status_code == 422 and "请填写原因。" in _text(empty)
    assert mine.status == FlagStatus.OPEN

    by_director = director.post(f"/t/alpha/flags/{mine.id}", data={"action": "dispute", "dispute-reason": "不对",
                                                                   "csrf_token": director.csrf})
    assert by_director.status_code == 409 and "只有责任人可以提出异议。" in _text(by_director)

    reason = "3月10日已电话联系双方当事人，有通话记录"
    response = mediator.post(f"/t/alpha/flags/{mine.id}", data={"action": "dispute", "dispute-reason": reason,
                                                                "csrf_token": mediator.csrf})
    assert response.status_code == 302
    assert (mine.status, mine.dispute_reason) == (FlagStatus.DISPUTED, reason)
    assert reason in _text(director.get(f"/t/alpha/flags/{mine.id}"))
    assert _events(overdue, "flag_") == ["flag_disputed"]


def test_only_the_director_resolves_a_flag_with_a_decision(director, mediator, two_flags):
    mine, _, _ = two_flags
    page = _text(mediator.get(f"/t/alpha/flags/{mine.id}"))
    assert 'value="resolve"' not in page
    refused = mediator.post(f"/t/alpha/flags/{mine.id}", data={"action": "resolve", "resolve-resolution": "撤销",
                                                               "csrf_token": mediator.csrf})
    assert refused.status_code == 409 and "只有调处中心负责人可以处理过错责任。" in _text(refused)
    empty = director.post(f"/t/alpha/flags/{mine.id}", data={"action": "resolve", "resolve-resolution": "",
                                                             "csrf_token": director.csrf})
    assert empty.status_code == 422 and "请填写处理决定。" in _text(empty)

    decision = "经核实确属久拖不调，予以通报批评"
    assert director.post(f"/t/alpha/flags/{mine.id}", data={"action": "resolve", "resolve-resolution": decision,
                                                            "csrf_token": director.csrf}).status_code == 302
    assert (mine.status, mine.resolution, mine.resolved_by_id) == (FlagStatus.RESOLVED, decision, director.user.id)
    page = _text(director.get(f"/t/alpha/flags/{mine.id}"))
    assert decision in page and 'value="resolve"' not in page and 'value="dispute"' not in page
    # Still listed, at the end: a flag is never gone.
    listing = _text(director.get("/t/alpha/flags/"))
    assert listing.index(f'id="flag-{mine.id}"') > listing.index('id="flag-')


def test_a_liaison_sees_the_flags_of_their_department(center, login_as):
    liaison = login_as("liaison")
    case = center.case(bj(2026, 3, 2, 9), mediate=False)
    center.do(bj(2026, 3, 2, 10), operations.refer_case, case, center.director, department=center.department)
    sweep(bj(2026, 3, 3, 11))
    [flag] = flags_of(case)
    assert flag.kind == FlagKind.REFERRAL_NOT_ACCEPTED
    page = _text(liaison.get("/t/alpha/flags/"))
    assert f'id="flag-{flag.id}"' in page and "分流案件未及时接收" in page and center.department.name in page
    assert liaison.post(f"/t/alpha/flags/{flag.id}", data={"action": "acknowledge",
                                                          "csrf_token": liaison.csrf}).status_code == 302
    assert flag.status == FlagStatus.ACKNOWLEDGED


# -- raising a flag by hand -----------------------------------------------------------------


def _raise(client, **fields):
    return client.post("/t/alpha/flags/new", data=dict(fields, csrf_token=client.csrf))


def test_the_director_raises_a_flag_with_evidence_naming_who_is_responsible(center, director, mediator):
    case = center.case(bj(2026, 3, 2, 10))
    assert director.get("/t/alpha/flags/new").status_code == 200
    assert mediator.get("/t/alpha/flags/new").status_code == 403
    assert _raise(mediator, fault="7", evidence="x", responsible=str(mediator.user.id)).status_code == 403

    nothing = _raise(director)
    assert nothing.status_code == 422
    assert "请选择过错情形。" in _text(nothing) and "请说明依据。" in _text(nothing)
    nobody = _raise(director, fault="7", evidence="当事人反映调解员偏袒一方")
    assert nobody.status_code == 422 and "请指定责任人或责任单位。" in _text(nobody)
    assert "当事人反映调解员偏袒一方" in _text(nobody)  # the typing is kept
    unknown = _raise(director, fault="7", evidence="证据", responsible=str(mediator.user.id), case_number="无此案号")
    assert unknown.status_code == 422 and "本镇没有这个案号的案件。" in _text(unknown)
    assert db.session.scalar(select(Flag.id)) is None

    response = _raise(director, fault="7", evidence="当事人反映调解员偏袒一方，有录音", case_number=case.number,
                      responsible=str(mediator.user.id))
    assert response.status_code == 302
    flag = db.session.scalar(select(Flag))
    assert response.headers["Location"] == f"/t/alpha/flags/{flag.id}"
    assert (flag.kind, flag.fault, flag.case_id, flag.responsible_user_id, flag.raised_by_id) == (
        FlagKind.MANUAL, 7, case.id, mediator.user.id, director.user.id)
    assert _events(case, "flag:") == ["flag:manual"]
    assert "当事人反映调解员偏袒一方，有录音" in _text(mediator.get(f"/t/alpha/flags/{flag.id}"))

    # A department can be the one responsible, with no case at all.
    assert _raise(director, fault="2", evidence="派出所推诿扯皮，未接收移交材料",
                  department=str(center.department.id)).status_code == 302
    flag = db.session.scalars(select(Flag).order_by(Flag.id.desc())).first()
    assert (flag.case_id, flag.responsible_user_id, flag.responsible_department_id) == (None, None,
                                                                                        center.department.id)


def test_flags_are_never_deleted_by_the_app(center, overdue):
    flag = flags_of(overdue)[0]
    attempt = db.session.begin_nested()
    db.session.delete(flag)
    with pytest.raises(FlagsAreNeverDeleted):
        db.session.flush()
    attempt.rollback()
    assert db.session.get(Flag, flag.id) is not None


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="the app role's privileges are PostgreSQL's")
def test_the_app_role_may_not_delete_flags(center, overdue):
    flag_id = flags_of(overdue)[0].id
    with all_tenants():
        attempt = db.session.begin_nested()
        with pytest.raises(DBAPIError, match="permission denied"):
            db.session.execute(delete(Flag.__table__).where(Flag.__table__.c.id == flag_id))
        attempt.rollback()
        with db.session.begin_nested() as attempt:
            db.session.execute(text("UPDATE flags SET status = 'acknowledged' WHERE id = :id"), {"id": flag_id})
            attempt.rollback()  # updating is allowed: that is how flags are handled
        assert db.session.get(Flag, flag_id) is not None


# -- the clock of a case ----------------------------------------------------------------------


def yesterday():
    """The pages run at the real time: a case accepted a day ago has its clock running."""
    return datetime.now(timelimits.BEIJING) - timedelta(days=1)


def test_the_assigned_mediator_pauses_with_a_reason_and_resumes(center, mediator, login_as):
    case = center.case(yesterday())
    due = case.due_at
    form = mediator.get(f"/t/alpha/cases/{case.id}/clock/pause")
    assert form.status_code == 200 and "暂停计时" in _text(form)
    empty = mediator.post(f"/t/alpha/cases/{case.id}/clock/pause", data={"reason": "  ", "csrf_token": mediator.csrf})
    assert empty.status_code == 422 and "请说明原因，例如等待鉴定结论。" in _text(empty)
    assert case.paused_since is None

    response = mediator.post(f"/t/alpha/cases/{case.id}/clock/pause",
                             data={"reason": "等待伤情鉴定结论", "csrf_token": mediator.csrf})
    assert response.status_code == 302 and response.headers["Location"] == f"/t/alpha/cases/{case.id}"
    assert case.paused_since is not None
    page = _text(mediator.get(f"/t/alpha/cases/{case.id}"))
    assert "已暂停计时。" in page and f"/t/alpha/cases/{case.id}/clock/resume" in page
    assert "等待伤情鉴定结论" in page  # on the timeline
    twice = mediator.post(f"/t/alpha/cases/{case.id}/clock/pause", data={"reason": "再停", "csrf_token": mediator.csrf})
    assert twice.status_code == 422

    assert mediator.post(f"/t/alpha/cases/{case.id}/clock/resume",
                         data={"note": "鉴定结论已出", "csrf_token": mediator.csrf}).status_code == 302
    assert case.paused_since is None and case.due_at > due
    assert "已恢复计时。" in _text(mediator.get(f"/t/alpha/cases/{case.id}"))
    again = mediator.post(f"/t/alpha/cases/{case.id}/clock/resume", data={"note": "", "csrf_token": mediator.csrf})
    assert again.status_code == 422 and "当前没有暂停计时。" in _text(again)
    assert _events(case, "clock_") == ["clock_paused", "clock_resumed"]


def test_only_the_assigned_mediator_or_the_director_pauses(center, login_as):
    case = center.case(yesterday())
    other = login_as("mediator")
    refused = other.post(f"/t/alpha/cases/{case.id}/clock/pause", data={"reason": "等待鉴定", "csrf_token": other.csrf})
    assert refused.status_code == 422 and "只有承办调解员或调处中心负责人可以办理。" in _text(refused)
    clerk = login_as("clerk")
    assert clerk.post(f"/t/alpha/cases/{case.id}/clock/pause",
                      data={"reason": "等待鉴定", "csrf_token": clerk.csrf}).status_code == 403
    assert case.paused_since is None


def test_an_overdue_case_offers_no_pause_and_refuses_one(center, mediator):
    case = center.case(datetime.now(timelimits.BEIJING) - timedelta(days=8))  # 7 days: a day late
    page = mediator.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
    assert f"/t/alpha/cases/{case.id}/clock/pause" not in page
    refused = mediator.post(f"/t/alpha/cases/{case.id}/clock/pause",
                            data={"reason": "等待鉴定", "csrf_token": mediator.csrf})
    assert refused.status_code == 422 and "时限已过" in _text(refused)
    assert case.paused_since is None


def test_a_case_that_is_not_running_cannot_be_paused(center, director):
    case = center.case(bj(2026, 11, 20, 10), source="assigned")  # registered: no time limit yet
    refused = director.post(f"/t/alpha/cases/{case.id}/clock/pause",
                            data={"reason": "等待鉴定", "csrf_token": director.csrf})
    assert refused.status_code == 422 and "只有正在计时的案件才能暂停计时。" in _text(refused)


# -- the operations view ----------------------------------------------------------------------


def test_the_operations_view_shows_the_last_sweep(center, director, mediator):
    assert mediator.get("/t/alpha/deadlines/").status_code == 403
    page = _text(director.get("/t/alpha/deadlines/"))
    assert "时限巡查尚未运行。请检查定时任务进程是否在运行。" in page
    center.case(bj(2026, 3, 2, 10))
    sweep(bj(2026, 3, 9, 11))
    page = _text(director.get("/t/alpha/deadlines/"))
    assert "最近一次运行" in page and "时限巡查尚未运行" not in page
    facts = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page)
    assert dict(facts)["超期（红灯）"] == "1"


def test_after_a_catch_up_in_batches_the_operations_view_shows_all_it_did(center, director):
    for minute in range(3):  # due a minute apart: cases due at one moment share a batch
        center.case(bj(2026, 3, 2, 10, minute))
    with clock_at(bj(2026, 3, 9, 11)):
        done = sweep_until_done(batch=2)
    assert (done["batches"], done["overdue"]) == (2, 3)
    page = _text(director.get("/t/alpha/deadlines/"))
    assert "分 2 批补齐，合计" in page
    facts = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page)
    assert dict(facts)["超期（红灯）"] == "3"  # not the last batch's 1


@pytest.fixture
def failed_job(app):
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    from worker.queue import redis_connection

    with app.app_context():
        connection = redis_connection()
        job = Job.create("worker.jobs.sweep_deadlines", id="sweep-deadlines-that-failed", connection=connection)
        job.save()
        registry = FailedJobRegistry("default", connection=connection)
        registry.add(job, ttl=600)
        yield job
        registry.remove(job, delete_job=True)


def test_the_operations_view_lists_failed_jobs(director, failed_job):
    page = _text(director.get("/t/alpha/deadlines/"))
    assert "<code>sweep-deadlines-that-failed</code>" in page


def test_the_operations_view_keeps_working_when_redis_is_down(director, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")
    response = director.get("/t/alpha/deadlines/")
    assert response.status_code == 200
    assert "无法连接任务队列" in _text(response) and "下一次巡查会补上" in _text(response)


@pytest.fixture
def in_late_2026(monkeypatch):
    """The pages run at the real time; the year they warn about is fixed here."""
    monkeypatch.setattr(timelimits, "today", lambda now=None: date(2026, 11, 28))


def test_working_days_warn_about_a_year_the_official_calendar_does_not_cover(center, director, in_late_2026):
    page = _text(director.get("/t/alpha/deadlines/"))
    assert "办结时限按自然日计算。" in page and "法定节假日安排尚未收录" not in page
    center.count_working_days()
    db.session.commit()
    page = _text(director.get("/t/alpha/deadlines/"))
    assert "办结时限按工作日计算。" in page
    assert "2027年的法定节假日安排尚未收录" in page and "2026年的法定节假日安排尚未收录" not in page


def test_the_director_adds_a_day_to_the_townships_calendar(center, director, in_late_2026):
    invalid = director.post("/t/alpha/deadlines/", data={"is_workday": "off", "csrf_token": director.csrf})
    assert invalid.status_code == 422 and "请输入日期。" in _text(invalid)
    response = director.post("/t/alpha/deadlines/", data={"day": "2027-01-01", "is_workday": "off",
                                                          "note": "元旦", "csrf_token": director.csrf})
    assert response.status_code == 302
    override = db.session.scalar(select(CalendarOverride))
    assert (override.day, override.is_workday, override.note) == (date(2027, 1, 1), False, "元旦")
    assert "2027-01-01" in _text(director.get("/t/alpha/deadlines/"))
    # The same day again corrects it rather than adding a second line.
    director.post("/t/alpha/deadlines/", data={"day": "2027-01-01", "is_workday": "work", "note": "调休上班",
                                               "csrf_token": director.csrf})
    assert [(o.day, o.is_workday) for o in db.session.scalars(select(CalendarOverride))] == [(date(2027, 1, 1), True)]


def test_a_day_off_added_later_moves_the_deadlines_of_running_cases(center, director):
    center.count_working_days()
    case = center.case(bj(2026, 11, 20, 10))  # Friday: 23..27 November, 30 November, 1 December
    assert case.due_at == bj(2026, 12, 2, 0)
    db.session.commit()
    assert director.post("/t/alpha/deadlines/", data={"day": "2026-11-30", "is_workday": "off", "note": "镇庆",
                                                      "csrf_token": director.csrf}).status_code == 302
    db.session.refresh(case)
    assert case.due_at == bj(2026, 12, 3, 0)


@pytest.mark.parametrize("typed", ["{seq}", "2026-{seq}", "2026/{seq:04d}", " {short}[2026]第{seq}号 ",
                                   "{short}〔2026〕第{seq:04d}号", "（2026）{seq}"])
def test_a_case_is_named_the_way_people_type_its_number(center, director, mediator, typed):
    """Raising a flag needed the exact number with its brackets; people type "42" or "2026-42"."""
    case = center.case(bj(2026, 3, 2, 10))
    text = typed.format(seq=case.seq, short="甲")
    with clock_at(bj(2026, 3, 20, 10)):
        response = _raise(director, fault="7", evidence="证据", responsible=str(mediator.user.id), case_number=text)
    assert response.status_code == 302, _text(response)
    assert db.session.scalar(select(Flag.case_id)) == case.id


def test_the_flag_form_offers_the_townships_cases_to_pick_from(center, director):
    case = center.case(bj(2026, 3, 2, 10))
    page = _text(director.get("/t/alpha/flags/new"))
    assert 'list="recent-cases"' in page and f'<option value="{case.number}">' in page


def test_a_resolved_flag_reads_as_dealt_with_not_as_a_mediation_that_succeeded(director, two_flags):
    mine, _, _ = two_flags
    assert director.post(f"/t/alpha/flags/{mine.id}", data={"action": "resolve", "resolve-resolution": "予以通报批评",
                                                            "csrf_token": director.csrf}).status_code == 302
    for page in (_text(director.get(f"/t/alpha/flags/{mine.id}")), _text(director.get("/t/alpha/flags/"))):
        assert "已处理" in page and "调解成功" not in page
