"""The referral round trip (分流 / 回流): the center refers a case to a department, whose
liaison accepts it, mediates, and either reports success with the result or returns it
with a reason. A liaison sees nothing that was not referred to their department."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.cases.builders import Staff, case_in
from webapp import timelimits
from webapp.cases import operations
from webapp.cases.models import CaseEvent, CaseState, MediationSession, Referral, ReferralStatus
from webapp.extensions import db
from webapp.referrals.models import Department, DepartmentKind

# Dates the test counts from today are the dates its pages count from today (``one_moment``).
pytestmark = pytest.mark.usefixtures("one_moment")

S = CaseState


@pytest.fixture
def director(login_as):
    return login_as("township_admin")


@pytest.fixture
def liaison(login_as):
    """The liaison of the township's police station (派出所)."""
    return login_as("liaison")


def _refer(director, case, department):
    return director.post(f"/t/alpha/cases/{case.id}/do/refer", data={
        "department": department.id, "note": "涉及打架斗殴，请派出所调处", "csrf_token": director.csrf})


def _referral(case):
    return db.session.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id.desc())).first()


def _text(response):
    return response.get_data(as_text=True)


def test_a_referral_resolved_by_the_department_comes_back_resolved_with_its_result(tenant, director, liaison):
    police = factories.department_of(tenant)
    case = case_in(S.ASSESSED, Staff(tenant, director=director.user.memberships[0]), title="酒后斗殴赔偿纠纷")
    assert _refer(director, case, police).status_code == 302
    assert case.state == S.REFERRED and case.department_id == police.id

    # The liaison finds it in the inbox, waiting.
    inbox = _text(liaison.get("/t/alpha/referrals/"))
    referral = _referral(case)
    assert case.number in inbox and "酒后斗殴赔偿纠纷" in inbox and "待接收" in inbox
    assert f"/t/alpha/referrals/{referral.id}/accept" in inbox

    accepted = liaison.post(f"/t/alpha/referrals/{referral.id}/accept", data={"csrf_token": liaison.csrf})
    assert accepted.status_code == 302 and accepted.headers["Location"] == f"/t/alpha/cases/{case.id}"
    assert referral.status == ReferralStatus.ACCEPTED and referral.accepted_by_id == liaison.user.id
    assert f"已接收{case.number}，请在案件页面记录调处情况。" in _text(liaison.get(f"/t/alpha/cases/{case.id}"))

    session = liaison.post(f"/t/alpha/cases/{case.id}/sessions", data={
        "held_on": timelimits.today().isoformat(), "place": "派出所调解室", "participants": "张三、李四、民警王某",
        "notes": "李四赔偿医药费1200元", "csrf_token": liaison.csrf})
    assert session.status_code == 302
    recorded = db.session.scalar(select(MediationSession).where(MediationSession.case_id == case.id))
    assert recorded.referral_id == referral.id and recorded.recorded_by_id == liaison.user.id

    done = liaison.post(f"/t/alpha/cases/{case.id}/do/complete_referral",
                        data={"result": "双方和解，李四赔偿医药费1200元", "csrf_token": liaison.csrf})
    assert done.status_code == 302
    assert case.state == S.RESOLVED and case.resolved_at is not None
    assert (referral.status, referral.result) == (ReferralStatus.SUCCEEDED, "双方和解，李四赔偿医药费1200元")
    today = timelimits.today()
    assert [f.due_on for f in case.follow_ups] == [today + timedelta(days=7), today + timedelta(days=30)]

    # Back at the center: resolved, with the department's result and the follow-ups to do.
    page = _text(director.get(f"/t/alpha/cases/{case.id}"))
    assert "调解成功" in page and "分流单位已化解" in page
    assert "办理结果：双方和解，李四赔偿医药费1200元" in page
    assert "报告调处成功" in page  # the transition on the timeline
    assert "/do/follow_up" in page
    # The finished referral leaves the liaison's waiting list.
    inbox = _text(liaison.get("/t/alpha/referrals/"))
    assert "没有待办的分流案件。" in inbox and "已办结" in inbox


@pytest.mark.parametrize("then, state", [("start_mediation", S.MEDIATING), ("refer", S.REFERRED)])
def test_a_returned_referral_is_back_at_the_center_with_the_reason(tenant, director, liaison, then, state):
    police = factories.department_of(tenant)
    case = case_in(S.ASSESSED, Staff(tenant, director=director.user.memberships[0]))
    _refer(director, case, police)
    referral = _referral(case)
    liaison.post(f"/t/alpha/referrals/{referral.id}/accept", data={"csrf_token": liaison.csrf})

    returned = liaison.post(f"/t/alpha/cases/{case.id}/do/return_referral",
                            data={"reason": "系土地权属争议，不属治安调解范围", "csrf_token": liaison.csrf})
    assert returned.status_code == 302
    assert case.state == S.RETURNED and case.department_id is None
    assert (referral.status, referral.return_reason) == (ReferralStatus.RETURNED, "系土地权属争议，不属治安调解范围")
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                               .order_by(CaseEvent.id.desc())).first()
    assert (event.from_state, event.to_state, event.note) == (S.REFERRED, S.RETURNED, "系土地权属争议，不属治安调解范围")

    page = _text(director.get(f"/t/alpha/cases/{case.id}"))
    assert "已回流" in page and "回流原因：系土地权属争议，不属治安调解范围" in page
    assert f"/do/{then}" in page

    # The center takes it on itself, or refers it again.
    data = {"start_mediation": {"assignee": director.user.id}, "refer": {"department": police.id}}[then]
    again = director.post(f"/t/alpha/cases/{case.id}/do/{then}", data={**data, "csrf_token": director.csrf})
    assert again.status_code == 302
    assert case.state == state
    if then == "refer":
        assert _referral(case).id != referral.id and _referral(case).status == ReferralStatus.PENDING
        assert case.number in _text(liaison.get("/t/alpha/referrals/"))


def test_a_liaison_sees_only_what_was_referred_to_their_department(db, tenant, liaison):
    court = Department(tenant_id=tenant.id, name="甲镇人民法庭", kind=DepartmentKind.COURT)
    db.session.add(court)
    db.session.flush()
    staff = Staff(tenant)
    ours = case_in(S.REFERRED, staff, title="宅基地边界纠纷")
    not_referred = case_in(S.MEDIATING, staff, title="婚姻家庭纠纷")
    at_court = case_in(S.REFERRED, Staff(tenant, department=court), title="借款合同纠纷")
    db.session.commit()
    court_referral = _referral(at_court)

    listing = _text(liaison.get("/t/alpha/cases/"))
    assert f'id="case-row-{ours.id}"' in listing
    for hidden in (not_referred, at_court):
        assert f'id="case-row-{hidden.id}"' not in listing and hidden.number not in listing
        assert liaison.get(f"/t/alpha/cases/{hidden.id}").status_code == 404
    # Not by searching for it either.
    found = _text(liaison.get("/t/alpha/cases/", query_string={"q": at_court.number}))
    assert f'id="case-row-{at_court.id}"' not in found and "共0件" in found

    inbox = _text(liaison.get("/t/alpha/referrals/"))
    assert ours.number in inbox
    assert at_court.number not in inbox and "甲镇人民法庭" not in inbox and not_referred.number not in inbox

    # Another department's referral cannot be accepted by guessing its number.
    response = liaison.post(f"/t/alpha/referrals/{court_referral.id}/accept", data={"csrf_token": liaison.csrf})
    assert response.status_code == 404
    assert court_referral.status == ReferralStatus.PENDING


def test_the_director_sees_every_departments_referrals(db, tenant, director):
    court = Department(tenant_id=tenant.id, name="甲镇人民法庭", kind=DepartmentKind.COURT)
    db.session.add(court)
    db.session.flush()
    police_case = case_in(S.REFERRED, Staff(tenant))
    court_case = case_in(S.REFERRED, Staff(tenant, department=court))
    db.session.commit()
    inbox = _text(director.get("/t/alpha/referrals/"))
    assert police_case.number in inbox and court_case.number in inbox
    # Only the department's own liaison accepts.
    assert "/accept" not in inbox


def test_a_referral_is_accepted_once(tenant, liaison):
    case = case_in(S.REFERRED, Staff(tenant, liaison=liaison.user.memberships[0]), accepted=True)
    referral = _referral(case)
    response = liaison.post(f"/t/alpha/referrals/{referral.id}/accept", data={"csrf_token": liaison.csrf})
    assert response.status_code == 302 and response.headers["Location"] == "/t/alpha/referrals/"
    assert "此分流案件已被接收。" in _text(liaison.get("/t/alpha/referrals/"))


def test_a_liaison_records_sessions_only_while_the_case_is_with_their_department(db, tenant, liaison):
    court = Department(tenant_id=tenant.id, name="甲镇人民法庭", kind=DepartmentKind.COURT)
    db.session.add(court)
    staff = Staff(tenant, liaison=liaison.user.memberships[0])
    back_at_center = case_in(S.MEDIATING, staff, via_referral=True)  # the police station sent it back
    at_court = case_in(S.RETURNED, staff)
    operations.refer_case(at_court, staff.director, department=court)
    db.session.commit()

    for case in (back_at_center, at_court):
        # Still visible to the station, which once had it, but no longer theirs to work on:
        # the page offers no session form, and a session posted anyway is refused.
        page = liaison.get(f"/t/alpha/cases/{case.id}")
        assert page.status_code == 200 and "记录一次调解" not in _text(page) and "/sessions" not in page.text
        response = liaison.post(f"/t/alpha/cases/{case.id}/sessions", data={
            "held_on": timelimits.today().isoformat(), "place": "派出所", "participants": "张三",
            "notes": "调解记录", "csrf_token": liaison.csrf})
        assert response.status_code == 409, case.state
        assert "此案件已分流到其他单位。" in _text(response)
        assert db.session.scalar(select(MediationSession).where(MediationSession.case_id == case.id)) is None


def test_the_liaison_accepts_a_referral_from_the_case_page_too(tenant, director, liaison):
    """A liaison who opens the case from the overview accepts it there, without the inbox."""
    police = factories.department_of(tenant)
    case = case_in(S.ASSESSED, Staff(tenant, director=director.user.memberships[0]))
    _refer(director, case, police)
    referral = _referral(case)
    accept = f'action="/t/alpha/referrals/{referral.id}/accept"'
    assert accept in _text(liaison.get(f"/t/alpha/cases/{case.id}"))
    assert accept not in _text(director.get(f"/t/alpha/cases/{case.id}"))  # the department's to accept

    accepted = liaison.post(f"/t/alpha/referrals/{referral.id}/accept", data={"csrf_token": liaison.csrf})
    assert accepted.headers["Location"] == f"/t/alpha/cases/{case.id}"
    page = _text(liaison.get(f"/t/alpha/cases/{case.id}"))
    assert accept not in page and "已接收" in page
