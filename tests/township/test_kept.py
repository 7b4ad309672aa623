"""What a process keeps of a township between requests (its settings, its calendar, who can
be given a case) is never older than the database: a change made anywhere, by a page, a job,
another process or a bulk statement, shows on the next request."""
import re

import pytest
from sqlalchemy import update

from tenants.models import Membership
from tenants.scope import tenant_scope
from tests import factories
from tests.conftest import csrf_token
from tests.deadlines.conftest import Center, bj
from tests.deadlines.test_days_left import _said, _text
from webapp.cases.models import CaseSettings
from webapp.extensions import db
from webapp.township.settings import calendar_for, settings_for


@pytest.fixture
def director(login_as):
    return login_as("township_admin", display_name="周主任")


@pytest.fixture
def center(db, tenant, director):
    return Center(tenant, director=director.user.memberships[0])


def test_a_change_of_calendar_shows_on_the_next_page(center, tenant, director):
    # Due on Monday 2 March: on 20 February, 6 working days or 10 calendar days away.
    with tenant_scope(tenant.id):
        center.count_working_days()
    case = center.case(bj(2026, 2, 13, 10))
    url = f"/t/{tenant.slug}/cases/{case.id}"
    db.session.commit()
    assert _said(_text(director, url)) == {"剩余6天"}  # kept by this process now
    # A bulk statement, as another process or a script might write.
    with tenant_scope(tenant.id):
        db.session.execute(update(CaseSettings).where(CaseSettings.tenant_id == tenant.id)
                           .values(count_working_days=False))
        db.session.commit()
    assert _said(_text(director, url)) == {"剩余10天"}
    with tenant_scope(tenant.id):
        center.count_working_days()  # through the ORM, as the settings page does
        db.session.commit()
    assert _said(_text(director, url)) == {"剩余6天"}


def test_what_is_kept_is_not_the_sessions_and_not_changed_in_place(app, center, tenant, director):
    director.get(f"/t/{tenant.slug}/board/")  # the settings are read, and kept
    with app.test_request_context():
        from flask import g

        g.tenant = tenant
        with tenant_scope(tenant.id):
            settings = settings_for(tenant.id)
        assert settings not in db.session
        assert calendar_for(tenant.id) is not None


def _assign(client, tenant, case_id, user_id):
    page = f"/t/{tenant.slug}/board/"
    return client.post(f"/t/{tenant.slug}/board/cards/{case_id}/do/start_mediation",
                       data={"version": 2, f"card{case_id}-assignee": user_id, f"card{case_id}-note": "",
                             "csrf_token": csrf_token(client, page)},
                       headers={"HX-Request": "true"})


@pytest.mark.parametrize("how", ["orm", "bulk"])
def test_a_mediator_who_left_cannot_be_given_a_case_on_the_next_request(center, tenant, director, how):
    first, second = (center.case(bj(2026, 2, 13, 10), mediate=False).id for _ in range(2))
    leaving = factories.member("mediator", tenant, display_name="赵离职")
    leaving_id, leaving_user_id = leaving.id, leaving.user_id
    db.session.commit()
    answer = _assign(director, tenant, first, leaving_user_id)  # the staff list is read, and kept
    assert answer.status_code == 200, answer.get_data(as_text=True)
    if how == "orm":
        db.session.get(Membership, leaving_id).active = False
    else:
        db.session.execute(update(Membership).where(Membership.id == leaving_id).values(active=False))
    db.session.commit()
    answer = _assign(director, tenant, second, leaving_user_id)
    assert answer.status_code == 422
    assert "赵离职" not in re.sub(r"<option[^>]*selected[^>]*>.*?</option>", "", answer.get_data(as_text=True))
