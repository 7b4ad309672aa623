"""The case page and the board make a transition one way (``webapp.cases.transitions``): the
same checks, the same refusals in the same words, the same result, and no lost update on
either page: a form drawn from an older version of the case is refused, and two people
submitting at the same moment end with one winner and one clear 409."""
import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.races import at_once, one_winner, two_directors_and_a_case
from webapp.cases import operations, transitions, workflow
from webapp.cases.models import CaseEvent, CaseState, Difficulty, Risk
from webapp.extensions import db

S = CaseState
HTMX = {"HX-Request": "true"}


def on_case_page(client, case, name, version=None, **fields):
    data = {"csrf_token": client.csrf, **fields}
    if version is not None:
        data["version"] = version
    return client.post(f"/t/alpha/cases/{case.id}/do/{name}", data=data, headers=HTMX)


def on_board(client, case, name, version, **fields):
    data = {"version": version, **{f"card{case.id}-{key}": value for key, value in fields.items()}}
    return client.post(f"/t/alpha/board/cards/{case.id}/do/{name}", data=data,
                       headers={**HTMX, "X-CSRFToken": client.csrf})


def assessed(tenant, director):
    case = factories.case(tenant, director)
    operations.assess_case(case, director, difficulty=Difficulty.ORDINARY, risk=Risk.RESOLVABLE)
    db.session.commit()
    return case


def text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_every_transition_of_the_workflow_has_a_way_to_be_made():
    assert set(transitions.WAYS) == set(workflow.TRANSITIONS)


def test_the_case_page_form_carries_the_version_of_the_case(db, tenant, login_as):
    director = login_as("township_admin")
    case = assessed(tenant, director.user.memberships[0])
    page = text(director.get(f"/t/alpha/cases/{case.id}/do/start_mediation"))
    assert f'<input type="hidden" name="version" value="{case.version}">' in page


@pytest.mark.parametrize("where", ["case page", "board"])
def test_a_form_drawn_from_an_older_version_is_refused_the_same_way_on_both_pages(db, tenant, login_as, where):
    director = login_as("township_admin", display_name="李主任")
    case = assessed(tenant, director.user.memberships[0])
    seen = case.version
    other = factories.member("township_admin", tenant, display_name="赵主任")
    operations.refer_case(case, other, department=factories.department_of(tenant))  # someone else was quicker
    db.session.commit()

    submit = on_case_page if where == "case page" else on_board
    response = submit(director, case, "start_mediation", version=seen, assignee=director.user.id)

    assert response.status_code == 409
    page = text(response)
    assert "赵主任刚刚修改了案件" in page and "已分流" in page and "没有执行" in page
    assert case.state == S.REFERRED and case.assignee_id is None


def test_the_same_transition_gives_the_same_refusal_and_the_same_result_on_both_pages(db, tenant, login_as):
    director = factories.member("township_admin", tenant)
    mediator = login_as("mediator")
    someone_else = factories.member("mediator", tenant)
    first, second = assessed(tenant, director), assessed(tenant, director)

    # The same form, with what can be guessed filled in: a mediator takes the case on themselves.
    forms = [text(mediator.get(f"/t/alpha/cases/{first.id}/do/start_mediation", headers=HTMX)),
             text(mediator.post(f"/t/alpha/board/cards/{second.id}/move",
                                data={"version": second.version, "transition": "start_mediation"},
                                headers={**HTMX, "X-CSRFToken": mediator.csrf}))]
    for page in forms:
        assert re.search(rf'<option (?=[^>]*selected)(?=[^>]*value="{mediator.user.id}")', page), page[-1500:]

    # A mediator cannot give a case to someone else: said beside the mediator field, on both.
    refusals = [on_case_page(mediator, first, "start_mediation", version=first.version,
                             assignee=someone_else.user_id),
                on_board(mediator, second, "start_mediation", second.version, assignee=someone_else.user_id)]
    assert [r.status_code for r in refusals] == [422, 422]
    for response, field in zip(refusals, ("assignee", f"card{second.id}-assignee")):
        error = re.search(rf'id="{field}-error">([^<]+)<', text(response))
        assert error and error.group(1).strip() == "调解员只能将案件分配给自己。"
    assert first.state == second.state == S.ASSESSED

    # Taken on themselves: the same move, the same timeline line.
    done = [on_case_page(mediator, first, "start_mediation", version=first.version,
                         assignee=mediator.user.id, note="今天开始"),
            on_board(mediator, second, "start_mediation", second.version, assignee=mediator.user.id, note="今天开始")]
    assert [r.status_code for r in done] == [200, 200]
    lines = [db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id)
                                .order_by(CaseEvent.id.desc())).first() for c in (first, second)]
    assert [(c.state, c.assignee_id) for c in (first, second)] == [(S.MEDIATING, mediator.user.id)] * 2
    assert [(e.kind, e.from_state, e.to_state, e.note, e.data) for e in lines][0] == \
           [(e.kind, e.from_state, e.to_state, e.note, e.data) for e in lines][1]


def test_an_unknown_transition_is_a_bad_request_on_both_pages(db, tenant, login_as):
    director = login_as("township_admin")
    case = assessed(tenant, director.user.memberships[0])
    answers = [
        director.get(f"/t/alpha/cases/{case.id}/do/delete"),
        director.post(f"/t/alpha/cases/{case.id}/do/delete", data={"csrf_token": director.csrf}),
        on_board(director, case, "delete", case.version),
        director.post(f"/t/alpha/board/cards/{case.id}/move", data={"version": case.version, "transition": "delete"},
                      headers={**HTMX, "X-CSRFToken": director.csrf}),
    ]
    assert [a.status_code for a in answers] == [400] * 4
    assert case.state == S.ASSESSED


# -- two people, one case page, at the same moment: real requests on a real database ---------


def test_two_people_submitting_one_case_page_at_once_end_with_one_winner_and_one_message(live_app, monkeypatch):
    clients, ids = two_directors_and_a_case(live_app, "两人同时办理的案件", "/t/jietou/cases/{case}/do/start_mediation")
    answers = at_once(clients, monkeypatch, lambda client: client.post(
        f"/t/jietou/cases/{ids['case']}/do/start_mediation",
        data={"csrf_token": client.csrf, "version": ids["version"], "assignee": client.user_id}, headers=HTMX))
    loser = one_winner(live_app, clients, ids, answers)
    assert f'id="case-{ids["case"]}"' in loser  # the case as it is now, in place of the form
