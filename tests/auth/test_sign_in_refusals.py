"""Signing in tells an outsider nothing: where ``next`` may send a user (only to this site),
and one answer for an unknown name, a wrong password and a locked account."""
import re
from datetime import timedelta

import pytest

from tests import factories
from tests.conftest import csrf_token
from webapp.auth.models import User
from webapp.types import utcnow


def _sign_in(client, username, password=factories.PASSWORD, query=""):
    token = csrf_token(client)
    return client.post(f"/login{query}", data={"username": username, "password": password, "csrf_token": token})


# Each is what `?next=` holds once the query string is decoded (as the app reads it).
LEAVING_THE_SITE = [
    "https://evil.example/",
    "http://evil.example",
    "http:evil.example",
    "https:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\r\nSet-Cookie: x=1",
    "\t//evil.example",
    " //evil.example",
    " /x",
    "\u3000/x",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%252F%252Fevil.example",
    "/%255Cevil.example",
    "/%2509/evil.example",
    "/\uff0f/evil.example",   # fullwidth solidus
    "/\u2215/evil.example",   # division slash
    "/\u29f5evil.example",    # reverse solidus operator
    "/\uff3cevil.example",    # fullwidth reverse solidus
    "/evil\u3002example",     # ideographic full stop
    "evil.example",
    "@evil.example",
    "",
]


@pytest.mark.parametrize("target", LEAVING_THE_SITE)
def test_next_never_leaves_the_site(client, tenant, target):
    user = factories.user("mediator", tenant)
    response = _sign_in(client, user.username, query="?" + _query(target))
    if any(ord(c) < 32 for c in target):
        # A control character is refused at the edge (webapp/input_rules.py), before any sign-in.
        assert response.status_code == 400
        assert client.get("/settings").status_code == 302  # not signed in
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def _query(target: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": target})


@pytest.mark.parametrize("target", ["/t/alpha/cases/7", "/t/alpha/cases/?q=%E7%94%B2&state=registered",
                                    "/t/alpha/board/?view=mine#card-3", "/settings"])
def test_next_goes_back_to_a_page_of_this_site(client, tenant, target):
    user = factories.user("mediator", tenant)
    response = _sign_in(client, user.username, query="?" + _query(target))
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_the_login_form_a_township_page_sends_to_comes_back_to_it(client, tenant):
    user = factories.user("mediator", tenant)
    sent = client.get("/t/alpha/cases/?q=甲")
    assert sent.status_code == 302
    response = _sign_in(client, user.username, query="?" + sent.headers["Location"].split("?", 1)[1])
    assert response.headers["Location"] == "/t/alpha/cases/?q=%E7%94%B2"


def _seen_by_the_user(response, username):
    """What a person at the browser can tell apart: the status, the headers that are not
    per-request, and the page with this request's CSRF token and the typed name taken out."""
    page = response.get_data(as_text=True)
    page = re.sub(r'(name="csrf-token" content="|name="csrf_token" type="hidden" value="|"X-CSRFToken": ")[^"]+',
                  r"\1TOKEN", page)
    page = page.replace(username, "NAME")
    headers = {key: value for key, value in response.headers.items()
               if key not in ("Set-Cookie", "Content-Length", "Date", "Vary", "Retry-After")
               and not key.startswith("X-RateLimit")}
    return response.status_code, headers, page


def test_unknown_locked_and_wrong_password_answer_alike(app, db, tenant):
    # Names of one length, so that no byte count tells them apart either.
    wrong = factories.user("mediator", tenant, username="user.aaaa")
    locked = factories.user("mediator", tenant, username="user.bbbb")
    locked.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()

    answers = {}
    for case, username, password in [("unknown", "user.cccc", "Wrong-pass-1"),
                                     ("wrong password", wrong.username, "Wrong-pass-1"),
                                     ("locked, right password", locked.username, factories.PASSWORD),
                                     ("locked, wrong password", locked.username, "Wrong-pass-1")]:
        answers[case] = _seen_by_the_user(_sign_in(app.test_client(), username, password), username)

    first = answers["unknown"]
    assert first[0] == 422 and "用户名或密码错误" in first[2]
    for case, answer in answers.items():
        assert answer == first, case
    # The lock still holds: the right password did not get in, and the failures counted.
    assert db.session.get(User, locked.id).locked_until > utcnow()
    assert db.session.get(User, wrong.id).failed_logins == 1


def test_the_failure_that_locks_an_account_answers_like_any_other(app, db, tenant):
    user = factories.user("mediator", tenant, username="user.dddd")
    db.session.commit()
    answers = [_seen_by_the_user(_sign_in(app.test_client(), user.username, "Wrong-pass-1"), user.username)
               for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1)]
    assert db.session.get(User, user.id).locked_until > utcnow()
    # The third and fourth say how many tries are left; the one that locks says no more than
    # the first, and neither does any while the lock holds.
    assert answers[0] == answers[1] == answers[4] == answers[5]
    assert answers[2] != answers[0] and answers[3] != answers[2]
    # A name that is no account is counted and answered the same, failure by failure.
    nobody = [_seen_by_the_user(_sign_in(app.test_client(), "user.eeee", "Wrong-pass-1"), "user.eeee")
              for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1)]
    assert nobody == answers
