"""The overview (概览), where everyone lands after signing in: what waits on them, the most
urgent first, in the steps of the workflow their role moves."""
import re
from datetime import timedelta

import pytest

from tenants.scope import tenant_scope
from tests import factories
from tests.board.conftest import Desk
from webapp import timelimits
from webapp.cases import operations
from webapp.cases.models import CaseState
from webapp.home import work
from webapp.types import utcnow

# Dates the test counts from today are the dates its pages count from today (``one_moment``).
pytestmark = pytest.mark.usefixtures("one_moment")

S = CaseState


def _section(page: str, key: str) -> str | None:
    found = re.search(rf'<section class="work" id="work-{key}">(.*?)</section>', page, re.S)
    return found.group(1) if found else None


def _numbers(section: str) -> list[str]:
    return re.findall(r'<small class="muted">([^<]+)</small>', section)


def _overview(client, tenant) -> str:
    response = client.get(f"/t/{tenant.slug}/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_mediator_sees_their_running_cases_overdue_first(desk, tenant, login_as):
    mediator = login_as("mediator")
    me = mediator.user.memberships[0]
    in_time = desk.case(S.MEDIATING, assignee=me, days_ago=1)
    overdue = desk.case(S.MEDIATING, assignee=me, days_ago=10)
    others = desk.case(S.MEDIATING, days_ago=10)
    finished = desk.case(S.FAILED, assignee=me, days_ago=3)

    page = _overview(mediator, tenant)
    mine = _section(page, "mine")
    assert _numbers(mine) == [overdue.number, in_time.number]
    assert others.number not in page and finished.number not in page
    now = utcnow()  # the notes say what the board's cards say
    days = timelimits.CALENDAR_DAYS  # the township counts calendar days
    assert f"已超期{-timelimits.days_left(overdue.due_at, now, days)}天" in mine
    assert f"剩余{timelimits.days_left(in_time.due_at, now, days)}天" in mine
    # A mediator assesses nothing and routes nothing: those steps are not theirs.
    assert _section(page, "assess") is None and _section(page, "route") is None


def test_the_director_sees_each_step_that_waits_on_the_center(desk, tenant, other_tenant, login_as):
    director = login_as("township_admin")
    registered = desk.case(S.REGISTERED)
    assessed = desk.case(S.ASSESSED)
    overdue = desk.case(S.MEDIATING, days_ago=9)
    elsewhere = Desk(other_tenant)
    with tenant_scope(other_tenant.id):
        foreign = elsewhere.case(S.MEDIATING, days_ago=9).number

    page = _overview(director, tenant)
    assert _numbers(_section(page, "assess")) == [registered.number]
    assert _numbers(_section(page, "route")) == [assessed.number]
    assert _numbers(_section(page, "overdue")) == [overdue.number]
    assert foreign not in page


def test_a_case_returned_by_a_department_waits_for_the_director_again(desk, tenant, login_as):
    director = login_as("township_admin")
    case = desk.case(S.REFERRED)
    liaison = factories.member("liaison", tenant)
    operations.accept_referral(case, liaison)
    operations.return_referral(case, liaison, reason="不属于本单位职责")

    assert case.number in _numbers(_section(_overview(director, tenant), "route"))


def test_a_liaison_sees_only_their_departments_referrals(desk, tenant, login_as):
    liaison = login_as("liaison")
    referred = desk.case(S.REFERRED)
    kept = desk.case(S.MEDIATING)

    page = _overview(liaison, tenant)
    section = _section(page, "referrals")
    assert _numbers(section) == [referred.number] and "待接收" in section
    assert kept.number not in page
    assert _section(page, "mine") is None


def test_a_clerk_sees_what_waits_for_assessment_and_nothing_to_mediate(desk, tenant, login_as):
    clerk = login_as("clerk")
    registered = desk.case(S.REGISTERED)
    page = _overview(clerk, tenant)
    assert _numbers(_section(page, "assess")) == [registered.number]
    assert _section(page, "mine") is None and _section(page, "visits") is None


def test_follow_up_visits_coming_due_are_listed_until_recorded(desk, tenant, login_as):
    mediator = login_as("mediator")
    me = mediator.user.memberships[0]
    case = desk.case(S.MEDIATING, assignee=me)
    today = timelimits.today()
    operations.resolve_case(case, me, text="李四赔偿张三500元", signed_on=today - timedelta(days=8))
    visits = sorted(case.follow_ups, key=lambda f: f.due_on)
    # The first visit falls due seven days after the agreement: yesterday. The later one is weeks away.
    assert visits[0].due_on == today - timedelta(days=1)

    section = _section(_overview(mediator, tenant), "visits")
    assert _numbers(section) == [case.number] and "已超期1天" in section

    operations.record_follow_up(case, me, visits[0], carried_out=True, may_flare_up=False, notes="已履行")
    assert "三天内没有到期的回访" in _section(_overview(mediator, tenant), "visits")


def test_a_long_list_shows_the_most_urgent_and_links_to_the_rest(desk, tenant, login_as):
    director = login_as("township_admin")
    cases = [desk.case(S.MEDIATING, days_ago=8 + n) for n in range(work.SHOWN + 2)]

    section = _section(_overview(director, tenant), "overdue")
    most_urgent = [c.number for c in sorted(cases, key=lambda c: c.due_at)][:work.SHOWN]
    assert _numbers(section) == most_urgent
    assert f"全部 {work.SHOWN + 2} 件" in section and "view=overdue" in section


def test_a_county_reviewer_sees_the_townships_overdue_cases(desk, tenant, login_as):
    reviewer = login_as("county_reviewer")
    overdue = desk.case(S.MEDIATING, days_ago=9)
    page = _overview(reviewer, tenant)
    assert _numbers(_section(page, "overdue")) == [overdue.number]
    assert _section(page, "mine") is None


def test_nothing_waiting_says_so(desk, tenant, login_as):
    page = _overview(login_as("township_admin"), tenant)
    assert "登记的纠纷都已研判" in _section(page, "assess")
    assert "没有超期案件" in _section(page, "overdue")
    assert "三天内没有到期的回访" in _section(page, "visits")


def test_who_registers_disputes_can_start_from_the_overview(tenant, login_as):
    for role, offered in (("officer", True), ("clerk", True), ("mediator", True), ("liaison", False)):
        page = _overview(login_as(role), tenant)
        assert (f'href="/t/{tenant.slug}/cases/new"' in page) is offered, role
