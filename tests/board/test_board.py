"""The board: one column per workflow stage, cards with what a mediator needs at a glance,
columns that load lazily page by page, the views, and who sees which board."""
import re

import pytest

from tests import factories
from tests.board.conftest import S, hx
from tests.conftest import without_csrf_tokens
from webapp.cases.models import Risk

CARD = re.compile(r'<article id="card-(\d+)"')


def card_ids(html):
    return [int(i) for i in CARD.findall(html)]


def column(client, state, **args):
    query = "&".join(f"{k}={v}" for k, v in {"state": state, **args}.items())
    return hx(client, "GET", f"/t/alpha/board/column?{query}")


def test_the_board_has_one_column_per_stage_with_its_count(login_as, desk):
    desk.case(S.MEDIATING)
    desk.case(S.MEDIATING)
    desk.case(S.REGISTERED)
    client = login_as("township_admin")

    page = client.get("/t/alpha/board/").get_data(as_text=True)

    for state in S:
        assert f'id="column-{state.value}"' in page
    assert re.search(r'id="count-mediating" class="count">2<', page)
    assert re.search(r'id="count-registered" class="count">1<', page)
    assert re.search(r'id="count-archived" class="count">0<', page)
    # Columns load lazily, and only those that hold cards.
    assert 'href="/t/alpha/board/column?state=mediating&amp;view=all"' in page
    assert 'hx-get="/t/alpha/board/column?state=mediating" hx-trigger="intersect once"' in page
    assert "/t/alpha/board/column?state=archived" not in page
    assert card_ids(page) == []


def test_the_board_is_in_the_menu(login_as):
    page = login_as("mediator").get("/t/alpha/").get_data(as_text=True)
    assert 'href="/t/alpha/board/"' in page and "看板" in page


def test_a_card_shows_number_title_village_level_risk_light_assignee_and_flags(login_as, desk):
    mediator = factories.member("mediator", desk.tenant, display_name="王调解")
    case = desk.case(S.MEDIATING, title="赵营村土地纠纷", risk=Risk.MAY_ESCALATE, days_ago=9, assignee=mediator)
    client = login_as("township_admin")

    html = column(client, "mediating").get_data(as_text=True)

    assert card_ids(html) == [case.id]
    assert case.number in html and "赵营村土地纠纷" in html
    assert "甲镇一村 · 镇级" in html                    # village · level, never a bare 镇
    assert "王调解" in html                             # assignee
    assert "card-risk-may_escalate" in html            # risk colour
    assert "light light-red" in html                   # time-limit light
    assert 'flag flag-may_escalate">可激化' in html
    # A 7-day limit, accepted 9 days (and a few moments) ago: a part-day late counts as a day.
    assert 'flag flag-overdue">已超期3天' in html
    assert f'data-version="{case.version}"' in html


def test_a_card_speaks_the_language_of_each_page_it_is_on(login_as, desk):
    """The words cards repeat are kept once translated: one language's never reach another's page."""
    desk.case(S.MEDIATING, risk=Risk.MAY_ESCALATE, days_ago=9)
    client = login_as("township_admin")

    chinese = column(client, "mediating").get_data(as_text=True)
    client.get("/t/alpha/board/?lang=en")
    english = column(client, "mediating").get_data(as_text=True)
    client.get("/t/alpha/board/?lang=zh_CN")
    again = column(client, "mediating").get_data(as_text=True)

    assert "移到…" in chinese and "可激化" in chinese and "已超期3天" in chinese
    assert "Move to…" in english and "May escalate" in english and "Overdue by 3 days" in english
    assert "移到…" not in english and "可激化" not in english
    # The same page again, but for its CSRF tokens, which are signed with the second they are made in.
    assert without_csrf_tokens(again) == without_csrf_tokens(chinese)


def test_a_column_pages_in_deadline_order_without_gaps_or_repeats(login_as, desk):
    cases = [desk.case(S.ASSESSED, days_ago=n % 5) for n in range(23)]
    client = login_as("township_admin")

    first = column(client, "assessed").get_data(as_text=True)
    assert len(card_ids(first)) == 20
    more = re.search(r'<a class="more" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = hx(client, "GET", more).get_data(as_text=True)

    seen = card_ids(first) + card_ids(second)
    assert sorted(seen) == sorted(c.id for c in cases)
    by_deadline = sorted(cases, key=lambda c: (c.due_at, c.id))
    assert seen == [c.id for c in by_deadline]
    assert 'class="more"' not in second


def test_without_javascript_a_column_is_a_page_of_its_own(login_as, desk):
    desk.case(S.ASSESSED, title="无脚本也能看")
    client = login_as("township_admin")
    response = client.get("/t/alpha/board/column?state=assessed&view=all")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html and "无脚本也能看" in html and "移到…" in html


def test_an_unknown_column_is_not_found(login_as):
    assert login_as("clerk").get("/t/alpha/board/column?state=nowhere").status_code == 404


# -- views ----------------------------------------------------------------------------------


@pytest.fixture
def spread(desk):
    """One case for each view to find, and one no view but "all" finds."""
    me = factories.member("mediator", desk.tenant)
    other_village = _second_village(desk.tenant)
    return {
        "me": me,
        "mine": desk.case(S.MEDIATING, title="我的案件", assignee=me),
        "overdue": desk.case(S.ASSESSED, title="超期案件", days_ago=10),
        "high_risk": desk.case(S.ASSESSED, title="高风险案件", risk=Risk.MAY_ESCALATE),
        "referred": desk.case(S.REFERRED, title="分流案件"),
        "elsewhere": _in_village(desk.case(S.REGISTERED, title="别村案件"), other_village),
        "plain": desk.case(S.REGISTERED, title="普通案件"),
    }


def _second_village(tenant):
    from webapp.extensions import db
    from webapp.villages.models import Village

    village = Village(name="甲镇二村", tenant_id=tenant.id)
    db.session.add(village)
    db.session.flush()
    return village


def _in_village(case, village):
    from webapp.extensions import db

    case.village = village
    db.session.flush()
    return case


def _board_titles(client, **args):
    titles = set()
    for state in S:
        html = column(client, state.value, **args).get_data(as_text=True)
        titles |= set(re.findall(r'id="card-\d+-title"><a [^>]+>([^<]+)<', html))
    return titles


ALL_TITLES = {"我的案件", "超期案件", "高风险案件", "分流案件", "别村案件", "普通案件"}


def test_views_show_what_they_say(app, login_as, spread, desk):
    director = login_as("township_admin")
    assert _board_titles(director, view="all") == ALL_TITLES
    assert _board_titles(director, view="overdue") == {"超期案件"}
    assert _board_titles(director, view="high_risk") == {"高风险案件"}
    assert _board_titles(director, view="referred") == {"分流案件"}
    village_id = spread["elsewhere"].village_id
    assert _board_titles(director, view="village", village=village_id) == {"别村案件"}
    assert _board_titles(director, view="village", village=desk.village.id) == ALL_TITLES - {"别村案件"}

    mediator = app.test_client()
    from tests.conftest import csrf_token, login

    login(mediator, spread["me"].user.username)
    mediator.csrf = csrf_token(mediator, "/settings")
    # A mediator's board opens on their own cases.
    assert _board_titles(mediator) == {"我的案件"}
    assert _board_titles(mediator, view="mine") == {"我的案件"}


def test_the_view_tabs_and_counts_follow_the_view(login_as, spread):
    client = login_as("township_admin")
    page = client.get("/t/alpha/board/?view=high_risk").get_data(as_text=True)
    assert re.search(r'href="/t/alpha/board/\?view=high_risk" aria-current="page"', page)
    assert re.search(r'id="count-assessed" class="count">1<', page)
    assert re.search(r'id="count-registered" class="count">0<', page)
    assert "hx-vals='{\"view\": \"high_risk\"}'" in page


def test_a_liaison_sees_only_their_departments_referrals(login_as, spread, desk):
    liaison = login_as("liaison")
    assert _board_titles(liaison) == {"分流案件"}
    page = liaison.get("/t/alpha/board/").get_data(as_text=True)
    assert re.search(r'id="count-referred" class="count">1<', page)
    assert re.search(r'id="count-registered" class="count">0<', page)
    assert "view=mine" not in page and "view=village" not in page
    # Another case's card is not theirs to see.
    assert hx(liaison, "GET", f"/t/alpha/board/cards/{spread['plain'].id}").status_code == 404


# -- the county's read-only board -----------------------------------------------------------


def test_the_county_reviewer_reads_any_township_of_the_county_and_moves_nothing(login_as, desk, other_tenant):
    case = desk.case(S.ASSESSED, title="县里看得见")
    reviewer = login_as("county_reviewer")

    page = reviewer.get("/t/alpha/board/")
    assert page.status_code == 200
    assert "只读" in page.get_data(as_text=True)
    assert "data-movable" not in page.get_data(as_text=True)
    html = column(reviewer, "assessed").get_data(as_text=True)
    assert "县里看得见" in html
    assert "drag-handle" not in html and "移到…" not in html
    assert reviewer.get("/t/beta/board/").status_code == 200

    response = hx(reviewer, "POST", f"/t/alpha/board/cards/{case.id}/move", {"to": "mediating", "version": case.version})
    assert response.status_code == 403
    assert case.state == S.ASSESSED


def test_a_reviewer_of_another_county_sees_no_board(login_as, desk):
    elsewhere = factories.township(factories.county("别县"), "gamma", "丙镇")
    reviewer = login_as("county_reviewer")
    assert reviewer.get(f"/t/{elsewhere.slug}/board/").status_code == 404


def test_only_targets_the_role_may_reach_get_a_handle(login_as, desk):
    desk.case(S.ASSESSED)
    clerk_html = column(login_as("clerk"), "assessed").get_data(as_text=True)
    director_html = column(login_as("township_admin"), "assessed").get_data(as_text=True)
    # A clerk assesses and registers; nothing takes an assessed case further for them.
    assert "drag-handle" not in clerk_html
    assert re.search(r'data-targets="mediating referred escalated"', director_html)
    assert "drag-handle" in director_html
    assert "开始调处" in director_html
