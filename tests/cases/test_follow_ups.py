"""Follow-up visits (回访): after an agreement the parties are visited to check that it is
carried out and that the dispute has not flared up again (DOMAIN.md, step 5)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.cases.builders import Staff, case_in
from webapp import timelimits
from webapp.cases.models import CaseEvent, CaseState, FollowUp

# Dates the test counts from today are the dates its pages count from today (``one_moment``).
pytestmark = pytest.mark.usefixtures("one_moment")

S = CaseState


def _text(response):
    return response.get_data(as_text=True)


def _visits(case):
    return list(case.follow_ups)


def _visit(client, case, *, may_flare_up="no", carried_out="yes", notes="协议已履行，双方关系缓和"):
    visit = next(f for f in case.follow_ups if f.done_at is None)
    response = client.post(f"/t/alpha/cases/{case.id}/do/follow_up", data={
        "visit": visit.id, "carried_out": carried_out, "may_flare_up": may_flare_up, "notes": notes,
        "csrf_token": client.csrf})
    return response, visit


@pytest.fixture
def director(login_as):
    return login_as("township_admin")


@pytest.fixture
def officer(login_as):
    return login_as("officer", display_name="老李")


def test_an_agreement_schedules_visits_seven_and_thirty_days_after_signing(db, tenant, director):
    case = case_in(S.MEDIATING, Staff(tenant, director=director.user.memberships[0]))
    signed = timelimits.today() - timedelta(days=3)
    response = director.post(f"/t/alpha/cases/{case.id}/do/resolve", data={
        "text": "李四赔偿张三800元，十日内付清", "amount": "800", "signed_on": signed.isoformat(),
        "perform_by": (signed + timedelta(days=10)).isoformat(), "csrf_token": director.csrf})
    assert response.status_code == 302
    assert case.state == S.RESOLVED
    assert [(f.due_on, f.done_at) for f in _visits(case)] == \
        [(signed + timedelta(days=7), None), (signed + timedelta(days=30), None)]
    page = _text(director.get(f"/t/alpha/cases/{case.id}"))
    for days in (7, 30):
        assert f"应于{signed + timedelta(days=days)}回访" in page
    assert page.count("尚未回访") == 2


def test_the_first_visit_moves_the_case_into_follow_up(db, tenant, officer):
    case = case_in(S.RESOLVED, Staff(tenant))
    response, visit = _visit(officer, case)
    assert response.status_code == 302
    assert case.state == S.FOLLOW_UP
    visit = db.session.get(FollowUp, visit.id)
    assert (visit.done_by_id, visit.carried_out, visit.may_flare_up, visit.notes) == \
        (officer.user.id, True, False, "协议已履行，双方关系缓和")
    page = _text(officer.get(f"/t/alpha/cases/{case.id}"))
    assert "已回访" in page and "（老李）" in page and "正在履行" in page and "记录了回访" in page


def test_a_visit_that_finds_the_dispute_may_flare_up_reopens_the_case(db, tenant, officer):
    case = case_in(S.FOLLOW_UP, Staff(tenant))
    response, _ = _visit(officer, case, may_flare_up="yes", carried_out="no", notes="李四拒付余款，双方又起争执")
    assert response.status_code == 302
    assert case.state == S.MEDIATING
    reopened = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                  .order_by(CaseEvent.id.desc())).first()
    assert (reopened.kind, reopened.from_state, reopened.to_state) == ("transition", S.FOLLOW_UP, S.MEDIATING)
    assert (reopened.actor_id, reopened.note) == (officer.user.id, "李四拒付余款，双方又起争执")
    assert reopened.data == {"transition": "reopen", "reason": "flare_up"}
    page = _text(officer.get(f"/t/alpha/cases/{case.id}"))
    assert "未履行" in page and "可能反弹" in page
    timeline = page.split("办理过程", 1)[1]
    assert "重新调处" in timeline and "李四拒付余款，双方又起争执" in timeline


def test_a_case_is_closed_only_after_every_visit(db, tenant, director):
    case = case_in(S.RESOLVED, Staff(tenant, director=director.user.memberships[0]))
    second = _visits(case)[1].due_on

    _visit(director, case)
    refused = director.post(f"/t/alpha/cases/{case.id}/do/close", data={"csrf_token": director.csrf})
    assert refused.status_code == 409
    assert f"尚有回访未完成：{second}。" in _text(refused)
    assert case.state == S.FOLLOW_UP

    response, _ = _visit(director, case)
    assert response.status_code == 302 and case.state == S.FOLLOW_UP
    # Nothing left to visit: no visit button, and recording one more is refused.
    page = _text(director.get(f"/t/alpha/cases/{case.id}"))
    assert "/do/follow_up" not in page and "/do/close" in page
    extra = director.post(f"/t/alpha/cases/{case.id}/do/follow_up", data={
        "carried_out": "yes", "may_flare_up": "no", "notes": "再次回访", "csrf_token": director.csrf})
    assert extra.status_code == 409 and "所有回访均已记录。" in _text(extra)

    closed = director.post(f"/t/alpha/cases/{case.id}/do/close", data={"note": "协议履行完毕", "csrf_token": director.csrf})
    assert closed.status_code == 302
    assert case.state == S.CLOSED


def test_a_visit_is_recorded_once(db, tenant, officer):
    case = case_in(S.FOLLOW_UP, Staff(tenant))
    done = next(f for f in case.follow_ups if f.done_at is not None)
    response = officer.post(f"/t/alpha/cases/{case.id}/do/follow_up", data={
        "visit": done.id, "carried_out": "yes", "may_flare_up": "no", "notes": "重复记录", "csrf_token": officer.csrf})
    # The recorded visit is no longer offered; choosing it anyway is refused beside the field.
    assert response.status_code == 422
    field = re.search(r'<div class="field[^"]*" id="field-visit">.*?</div>', _text(response), re.S).group(0)
    assert "不是有效的选择。" in field and f'value="{done.id}"' not in field
    assert "重复记录" in _text(response)  # the typed record is kept
    assert db.session.get(FollowUp, done.id).notes == "协议正在履行"
