"""Signing in on a phone: the name as a phone types it (a capital first letter, a space from
autocomplete) signs in; the keyboard is told not to correct it; after three failures the page
says how many tries are left, counted alike whether or not the name is an account."""
import re

import pytest
from sqlalchemy import select

from tenants.models import Role
from tests import factories
from tests.conftest import csrf_token, login
from webapp.audit import AuditEvent
from webapp.auth.models import User
from webapp.staff.operations import StaffError, create_staff


def test_the_name_is_trimmed_and_compared_without_case(client, db, tenant):
    user = factories.user("mediator", tenant, username="li.wei")
    db.session.commit()
    response = login(client, "  Li.Wei ")
    assert response.status_code == 302
    assert db.session.scalar(select(AuditEvent.user_id).where(AuditEvent.event == "login.success")) == user.id


def test_the_fields_ask_the_phone_for_the_right_keyboard(client):
    page = client.get("/login").get_data(as_text=True)
    username = re.search(r'<input[^>]*name="username"[^>]*>', page).group(0)
    for attribute in ('autocapitalize="off"', 'autocomplete="username"', 'spellcheck="false"'):
        assert attribute in username
    assert 'autocomplete="current-password"' in re.search(r'<input[^>]*name="password"[^>]*>', page).group(0)


def _password_error(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('id="password-error">')[1].split("</p>")[0]


@pytest.mark.parametrize("exists", [True, False], ids=["account", "no account"])
def test_after_three_failures_the_page_says_how_many_tries_are_left(client, db, tenant, exists):
    if exists:
        factories.user("clerk", tenant, username="zhao.liu")
        db.session.commit()
    said = [_password_error(login(client, name, "Wrong-pass-1"))
            for name in ("zhao.liu", "Zhao.Liu", "zhao.liu ", "ZHAO.LIU", "zhao.liu", "zhao.liu")]
    base = "用户名或密码错误。连续失败5次后，账户将锁定15分钟。"
    assert said == [base, base, base + " 还可尝试2次，之后将锁定。", base + " 还可尝试1次，之后将锁定。", base, base]


def test_a_name_that_is_no_account_is_locked_like_one(client, db):
    for _ in range(5):
        login(client, "nobody.here", "Wrong-pass-1")
    login(client, "nobody.here", "Wrong-pass-1")
    events = db.session.scalars(select(AuditEvent.event).where(AuditEvent.username == "nobody.here")
                                .order_by(AuditEvent.id)).all()
    assert events == ["login.failure"] * 5 + ["login.lockout", "login.locked"]


def test_new_accounts_are_stored_in_lower_case_and_may_not_differ_only_in_case(db, tenant):
    create_staff(tenant, " Wang.Wu ", factories.PASSWORD, Role.MEDIATOR)
    assert db.session.scalar(select(User.username).where(User.username.like("%wang%"))) == "wang.wu"
    with pytest.raises(StaffError) as refused:
        create_staff(tenant, "WANG.wu", factories.PASSWORD, Role.CLERK)
    assert refused.value.field == "username"


def test_the_command_line_lists_names_that_differ_only_in_case(runner, db, tenant):
    # Accounts made before names were kept in lower case.
    factories.user("clerk", tenant, username="Chen.Qi")
    factories.user("mediator", tenant, username="chen.qi")
    db.session.commit()
    result = runner.invoke(args=["users", "case-collisions"])
    assert result.exit_code == 1
    assert result.output.split() == ["Chen.Qi", "chen.qi"]
    # Sign-in takes the one typed exactly, and no other.
    assert login(runner.app.test_client(), "chen.qi").status_code == 302
    assert login(runner.app.test_client(), "CHEN.QI").status_code == 422
