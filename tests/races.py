"""Two people, one case, the same moment: real requests on a real database, for the case page
and the board alike (tests/cases/test_transitions.py, tests/board/test_moves.py)."""
import threading

from sqlalchemy import func, select

from tenants.models import Tenant
from tenants.scope import tenant_scope
from tests import factories
from tests.conftest import TEST_DATABASE_URL, csrf_token, login
from webapp.cases import operations, transitions
from webapp.cases.models import Case, CaseEvent, CaseState, Difficulty, Risk
from webapp.extensions import db


def two_directors_and_a_case(live_app, title: str, form_path: str):
    """A committed, assessed case in 界头镇, and two directors (先到的主任, 后到的主任) signed in with
    clients of their own, each with the CSRF token of ``form_path`` (``{case}`` filled in)."""
    with live_app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "jietou"))
        first = factories.member("township_admin", tenant, display_name="先到的主任")
        second = factories.member("township_admin", tenant, display_name="后到的主任")
        case = factories.case(tenant, first, title=title)
        with tenant_scope(tenant.id):
            operations.assess_case(case, first, difficulty=Difficulty.ORDINARY, risk=Risk.RESOLVABLE)
            ids = {"case": case.id, "version": case.version, "tenant": tenant.id}
        people = [(m.user.username, m.user_id) for m in (first, second)]
        db.session.commit()
    clients = []
    for username, user_id in people:
        client = live_app.test_client()
        assert login(client, username).status_code == 302
        client.csrf, client.user_id = csrf_token(client, form_path.format(case=ids["case"])), user_id
        clients.append(client)
    return clients, ids


def at_once(clients, monkeypatch, post):
    """Both clients send ``post(client)`` at the same moment; their answers, in client order.

    On PostgreSQL both requests are held after their checks, so that both writes really race:
    the second UPDATE waits for the first to commit, then matches no row. (SQLite serialises
    writers from the first query on, so there the version check itself decides.)"""
    if TEST_DATABASE_URL:
        barrier = threading.Barrier(2, timeout=10)
        apply = transitions.apply

        def together(*args, **kwargs):
            barrier.wait()
            return apply(*args, **kwargs)

        monkeypatch.setattr(transitions, "apply", together)
    answers = [None, None]

    def attempt(n):
        answers[n] = post(clients[n])

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def one_winner(live_app, clients, ids, answers) -> str:
    """One 200 and one 409 naming who came first; the case moved once, by the winner. Returns
    the loser's answer."""
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409], [a.get_data(as_text=True)[-400:] for a in answers]
    winner = next(n for n in range(2) if answers[n].status_code == 200)
    loser = answers[1 - winner].get_data(as_text=True)
    assert ("先到的主任" if winner == 0 else "后到的主任") in loser and "没有执行" in loser
    with live_app.app_context(), tenant_scope(ids["tenant"]):
        case = db.session.get(Case, ids["case"])
        assert case.state == CaseState.MEDIATING and case.version == ids["version"] + 1
        assert case.assignee_id == clients[winner].user_id
        starts = db.session.scalar(select(func.count(CaseEvent.id)).where(
            CaseEvent.case_id == case.id, CaseEvent.to_state == CaseState.MEDIATING))
        assert starts == 1
    return loser
