"""Moving a card is a workflow transition: a drop on a column or a choice from the menu, a
form in place when the move needs data, the card put back with the reason when it is refused,
and never a lost update."""
import re

from sqlalchemy import func, select, update

from tests import factories
from tests.board.conftest import S, hx, prefixed
from tests.races import at_once, one_winner, two_directors_and_a_case
from webapp.cases import operations, transitions
from webapp.cases.models import Case, CaseEvent
from webapp.extensions import db


def move(client, case, **data):
    return hx(client, "POST", f"/t/alpha/board/cards/{case.id}/move", {"version": case.version, **data})


def submit(client, case, name, version=None, **fields):
    data = {"version": case.version if version is None else version, **prefixed(case, **fields)}
    return hx(client, "POST", f"/t/alpha/board/cards/{case.id}/do/{name}", data)


def transitions_of(case):
    return db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case.id,
                                                                    CaseEvent.kind == "transition"))


def card_of(html, case):
    match = re.search(rf'<article id="card-{case.id}"[^>]*>', html)
    assert match, html[:500]
    return match.group(0)


def attr(tag, name):
    return re.search(rf'{name}="([^"]*)"', tag).group(1)


# -- drag and drop --------------------------------------------------------------------------


def test_a_drop_that_needs_data_opens_the_form_in_place_and_the_form_moves_the_case(login_as, desk):
    case = desk.case(S.ASSESSED)
    client = login_as("township_admin", display_name="钱主任")

    response = move(client, case, to="mediating")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tag = card_of(html, case)
    # The card stays in the column it was dropped on while its form is open…
    assert attr(tag, "data-column") == "mediating" and attr(tag, "data-state") == "assessed"
    assert f'action="/t/alpha/board/cards/{case.id}/do/start_mediation"' in html
    assert f'name="card{case.id}-assignee"' in html
    assert case.state == S.ASSESSED  # …and nothing has moved yet.

    response = submit(client, case, "start_mediation", assignee=client.user.id, note="今天开始")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert attr(card_of(html, case), "data-state") == "mediating"
    assert attr(card_of(html, case), "data-version") == str(case.version)
    assert "钱主任" in html  # the card shows who has the case now
    assert case.state == S.MEDIATING and case.assignee_id == client.user.id
    assert 'id="flash" class="flash" hx-swap-oob="true"' in html and "已完成：开始调处" in html


def test_a_drop_that_needs_nothing_more_moves_at_once(login_as, desk):
    case = desk.case(S.CLOSED)
    client = login_as("township_admin")

    response = move(client, case, to="archived")

    assert response.status_code == 200
    assert case.state == S.ARCHIVED
    assert attr(card_of(response.get_data(as_text=True), case), "data-column") == "archived"


def test_a_drop_on_its_own_column_changes_nothing(login_as, desk):
    case = desk.case(S.ASSESSED)
    version = case.version
    response = move(login_as("township_admin"), case, to="assessed")
    assert response.status_code == 200
    assert case.state == S.ASSESSED and case.version == version


# -- the menu -------------------------------------------------------------------------------


def test_the_menu_offers_the_moves_of_the_role_and_makes_them(login_as, desk):
    case = desk.case(S.ASSESSED)
    client = login_as("township_admin")
    menu = hx(client, "GET", f"/t/alpha/board/cards/{case.id}/move").get_data(as_text=True)
    assert '<details class="move-menu" open>' in menu
    assert re.findall(r'name="transition" value="(\w+)"', menu) == ["start_mediation", "refer", "escalate"]

    response = move(client, case, transition="refer")
    assert response.status_code == 200
    assert f'name="card{case.id}-department"' in response.get_data(as_text=True)

    response = submit(client, case, "refer", department=desk.department.id, note="请派出所协助")
    assert response.status_code == 200
    assert case.state == S.REFERRED and case.department_id == desk.department.id


def test_without_javascript_the_menu_and_forms_are_whole_pages(login_as, desk):
    case = desk.case(S.ASSESSED)
    client = login_as("township_admin")
    page = client.get(f"/t/alpha/board/cards/{case.id}/move")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)

    page = client.post(f"/t/alpha/board/cards/{case.id}/move",
                       data={"transition": "refer", "version": case.version, "csrf_token": client.csrf})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<html" in html and f'name="card{case.id}-department"' in html

    response = client.post(f"/t/alpha/board/cards/{case.id}/do/refer", data={
        "version": case.version, "csrf_token": client.csrf, **prefixed(case, department=desk.department.id)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/alpha/board/#card-{case.id}")
    assert case.state == S.REFERRED

    refused = client.post(f"/t/alpha/board/cards/{case.id}/move",
                          data={"to": "archived", "version": case.version, "csrf_token": client.csrf})
    assert refused.status_code == 409
    assert "<html" in refused.get_data(as_text=True) and "不能移到" in refused.get_data(as_text=True)


# -- refusals -------------------------------------------------------------------------------


def test_a_move_the_role_may_not_make_is_refused_and_the_card_goes_back(login_as, desk):
    case = desk.case(S.ASSESSED)
    response = move(login_as("clerk"), case, to="mediating")

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert attr(card_of(html, case), "data-column") == "assessed"
    assert "您的角色不能" in html and "开始调处" in html
    assert case.state == S.ASSESSED


def test_a_drop_on_a_column_no_transition_leads_to_is_refused(login_as, desk):
    case = desk.case(S.REGISTERED)
    response = move(login_as("township_admin"), case, to="resolved")
    assert response.status_code == 409
    assert "“已登记”的案件不能移到“调解成功”" in response.get_data(as_text=True)


def test_a_guard_of_the_workflow_refuses_with_its_reason(login_as, desk):
    case = desk.case(S.REFERRED)
    liaison = login_as("liaison")
    response = move(liaison, case, to="resolved")
    assert response.status_code == 409
    assert "请先接收分流案件，再报告办理结果。" in response.get_data(as_text=True)
    assert case.state == S.REFERRED


def test_form_errors_stay_on_the_card(login_as, desk):
    case = desk.case(S.REGISTERED)
    client = login_as("clerk")
    response = submit(client, case, "assess", note="缺少难度")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert attr(card_of(html, case), "data-column") == "assessed"
    assert 'class="error"' in html and "缺少难度" in html
    assert case.state == S.REGISTERED


def test_a_refusal_about_one_field_is_shown_beside_it(login_as, desk):
    case = desk.case(S.ASSESSED)
    mediator = login_as("mediator")
    someone_else = factories.member("mediator", desk.tenant)
    response = submit(mediator, case, "start_mediation", assignee=someone_else.user_id)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="card{case.id}-assignee-error">[^<]+<', html)
    assert case.state == S.ASSESSED


def test_a_move_without_the_cards_version_is_a_bad_request(login_as, desk):
    case = desk.case(S.ASSESSED)
    client = login_as("township_admin")
    response = hx(client, "POST", f"/t/alpha/board/cards/{case.id}/move", {"to": "mediating"})
    assert response.status_code == 400


# -- no lost updates ------------------------------------------------------------------------


def test_a_move_based_on_a_stale_card_is_refused_with_the_fresh_card(login_as, desk):
    case = desk.case(S.ASSESSED)
    seen = case.version
    client = login_as("township_admin", display_name="李主任")
    other = factories.member("township_admin", desk.tenant, display_name="赵主任")
    operations.refer_case(case, other, department=desk.department)  # someone else was quicker
    db.session.commit()

    response = hx(client, "POST", f"/t/alpha/board/cards/{case.id}/move", {"to": "mediating", "version": seen})

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    tag = card_of(html, case)
    assert attr(tag, "data-version") == str(case.version) != str(seen)
    assert attr(tag, "data-state") == attr(tag, "data-column") == "referred"
    assert "赵主任" in html and "已分流" in html and "没有执行" in html
    assert case.state == S.REFERRED and transitions_of(case) == 2  # assess, refer


def test_a_form_submitted_on_a_stale_card_is_refused_too(login_as, desk):
    case = desk.case(S.ASSESSED)
    seen = case.version
    client = login_as("township_admin")
    operations.refer_case(case, desk.director, department=desk.department)
    db.session.commit()

    response = submit(client, case, "start_mediation", version=seen, assignee=client.user.id)

    assert response.status_code == 409
    assert case.state == S.REFERRED


def test_a_write_that_lands_between_our_read_and_our_write_is_refused_not_overwritten(login_as, desk, monkeypatch):
    """The version check passed, then another request committed: the database's version
    column catches it (StaleDataError), and the answer is the same refusal."""
    case = desk.case(S.ASSESSED)
    client = login_as("township_admin")
    apply = transitions.apply
    table = Case.__table__

    def someone_else_first(name, target, membership, data):
        db.session.connection().execute(
            update(table).where(table.c.id == target.id).values(version=table.c.version + 1))
        return apply(name, target, membership, data)

    monkeypatch.setattr(transitions, "apply", someone_else_first)
    response = submit(client, case, "start_mediation", assignee=client.user.id)

    assert response.status_code == 409
    assert "没有执行" in response.get_data(as_text=True)
    assert case.state == S.ASSESSED and case.assignee_id is None


# -- two people, one card, at the same moment: real requests on a real database -----------------


def test_two_people_moving_one_card_at_once_end_with_one_winner_and_one_message(live_app, monkeypatch):
    clients, ids = two_directors_and_a_case(live_app, "两人同时拖动的案件", "/settings")
    answers = at_once(clients, monkeypatch, lambda client: client.post(
        f"/t/jietou/board/cards/{ids['case']}/do/start_mediation",
        data={"version": ids["version"], f"card{ids['case']}-assignee": client.user_id},
        headers={"HX-Request": "true", "X-CSRFToken": client.csrf}))
    one_winner(live_app, clients, ids, answers)
