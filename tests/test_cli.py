"""The command line: flask --app webapp tenants|users|demo …"""
from sqlalchemy import func, select

from tenants.models import Membership, Role, Tenant
from tenants.scope import all_tenants
from tests.conftest import login
from webapp.auth.models import User
from webapp.extensions import db as _db


def _row_counts(db):
    counts = {}
    with all_tenants():
        for table in _db.metadata.sorted_tables:
            if table.name not in {"audit_events", "login_sessions"}:
                counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    return counts


def test_demo_accounts_have_the_documented_roles_and_the_demo_password(demo_app, demo_db):
    # The database as `flask demo seed` left it: the seed is the slowest thing the suite does,
    # so it is run once per test run and copied (tests/conftest.py, ``Template``).
    roles = dict(demo_db.session.execute(select(User.username, Membership.role).join(Membership)).all())
    assert roles["county"] == Role.COUNTY_REVIEWER
    assert roles["county.admin"] == Role.COUNTY_ADMIN
    for slug in ("mangbang", "heshun", "jietou"):
        assert roles[f"{slug}.admin"] == Role.TOWNSHIP_ADMIN
        assert roles[f"{slug}.clerk"] == Role.CLERK
        assert roles[f"{slug}.mediator"] == Role.MEDIATOR
        assert roles[f"{slug}.officer"] == Role.OFFICER
        assert roles[f"{slug}.police"] == Role.LIAISON
    client = demo_app.test_client()
    assert login(client, "mangbang.mediator", "Demo-2026").status_code == 302
    assert client.get("/", follow_redirects=True).request.path == "/t/mangbang/"
    assert client.get("/t/heshun/").status_code == 404


def test_tenants_create(runner, db, county):
    result = runner.invoke(args=["tenants", "create", "qingshui", "清水乡"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Tenant.name).where(Tenant.slug == "qingshui")) == "清水乡"
    again = runner.invoke(args=["tenants", "create", "qingshui", "清水乡"])
    assert again.exit_code != 0 and "exists already" in again.output


def test_users_create_and_sign_in(app, runner, db, tenant):
    result = runner.invoke(args=["users", "create", "li.si", "--tenant", "alpha", "--role", "mediator",
                                 "--password", "Tiaojie-2026"])
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "li.si", "Tiaojie-2026").status_code == 302


def test_users_create_prompts_for_the_password(runner, db, tenant):
    result = runner.invoke(args=["users", "create", "li.si", "--tenant", "alpha", "--role", "clerk"],
                           input="Tiaojie-2026\nTiaojie-2026\n")
    assert result.exit_code == 0, result.output


def test_users_create_refuses_a_weak_password_and_saves_nothing(runner, db, tenant):
    result = runner.invoke(args=["users", "create", "li.si", "--tenant", "alpha", "--role", "clerk",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert db.session.scalar(select(User).where(User.username == "li.si")) is None


def test_users_create_liaison_needs_a_department(runner, db, tenant):
    result = runner.invoke(args=["users", "create", "li.si", "--tenant", "alpha", "--role", "liaison",
                                 "--password", "Tiaojie-2026"])
    assert result.exit_code != 0
    ok = runner.invoke(args=["users", "create", "li.si", "--tenant", "alpha", "--role", "liaison",
                             "--department", "甲镇派出所", "--password", "Tiaojie-2026"])
    assert ok.exit_code == 0, ok.output


def test_users_create_county_role(runner, db, tenant):
    result = runner.invoke(args=["users", "create", "reviewer2", "--role", "county_reviewer",
                                 "--password", "Tiaojie-2026"])
    assert result.exit_code == 0, result.output


def test_reset_password_lifts_a_lockout_and_ends_open_sessions(app, runner, db, tenant):
    from datetime import timedelta

    from tests import factories
    from webapp.types import utcnow

    user = factories.user("clerk", tenant)
    signed_in = app.test_client()
    login(signed_in, user.username)
    user.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()

    result = runner.invoke(args=["users", "reset-password", user.username, "--password", "Brand-new-9"])
    assert result.exit_code == 0, result.output
    assert signed_in.get("/t/alpha/").status_code == 302  # the old session is over
    assert login(app.test_client(), user.username, "Brand-new-9").status_code == 302


def test_reset_password_of_unknown_user(runner, db):
    result = runner.invoke(args=["users", "reset-password", "ghost", "--password", "Brand-new-9"])
    assert result.exit_code != 0 and "no user" in result.output
