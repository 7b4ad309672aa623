"""The stability officer who answers for a village (属地): set by the director on the village's
page; the officer sees the village's cases as their own on the overview, the board and the
case list, not only those assigned to them, and never another village's or township's."""
import re
from datetime import timedelta

from sqlalchemy import select

from tenants.models import Tenant
from tenants.scope import tenant_scope
from tests import factories
from tests.conftest import login
from tests.cases.builders import Staff, case_in
from tests.villages.conftest import field_block, text
from webapp import timelimits
from webapp.auth.models import User
from webapp.cases.models import Case, CaseState
from webapp.extensions import db
from webapp.villages.models import Village


def _linked(page, case):
    return f'href="/t/alpha/cases/{case.id}"' in page


def test_the_director_sets_the_village_s_officer_on_the_village_page(db, tenant, other_tenant, login_as):
    director = login_as("township_admin")
    officer = factories.user("officer", tenant, display_name="张德全")
    mediator = factories.user("mediator", tenant)
    elsewhere = factories.user("officer", other_tenant)
    village = factories.village_of(tenant)
    form = text(director.get(f"/t/alpha/villages/{village.id}/edit"))
    assert "张德全" in field_block(form, "officer") and elsewhere.username not in form
    for wrong in (mediator.id, elsewhere.id, "abc"):
        response = director.post(f"/t/alpha/villages/{village.id}/edit", data={
            "name": "新名字村", "kind": "village", "officer": wrong, "csrf_token": director.csrf})
        assert response.status_code == 422, wrong
        assert "has-error" in field_block(text(response), "officer") and 'value="新名字村"' in text(response)
        db.session.expire_all()
        assert (village.name, village.officer_id) == ("甲镇一村", None)
    response = director.post(f"/t/alpha/villages/{village.id}/edit", data={
        "name": village.name, "kind": "village", "officer": officer.id, "csrf_token": director.csrf})
    assert response.status_code == 302
    db.session.expire_all()
    assert village.officer_id == officer.id
    assert "综治维稳员：张德全" in re.sub(r"\s+", "", text(director.get(f"/t/alpha/villages/{village.id}")))
    # The clerk may not set it.
    clerk = login_as("clerk")
    assert clerk.post(f"/t/alpha/villages/{village.id}/edit", data={
        "name": village.name, "kind": "village", "officer": "", "csrf_token": clerk.csrf}).status_code == 403


def test_the_officer_sees_their_villages_cases_and_no_others(db, tenant, other_tenant, login_as):
    officer = login_as("officer")
    staff = Staff(tenant)
    mine = factories.village_of(tenant)
    other = Village(tenant_id=tenant.id, name="甲镇二村")
    db.session.add(other)
    mine.officer_id = officer.user.id
    db.session.flush()
    far_village = factories.village_of(other_tenant)
    with tenant_scope(other_tenant.id):
        far_village.officer_id = officer.user.id  # even so: the officer is no member there
        db.session.flush()

    # Cases mediated by the director, none of them the officer's by assignment or registration.
    visit_mine = case_in(CaseState.FOLLOW_UP, staff, village=mine)
    visit_other = case_in(CaseState.FOLLOW_UP, staff, village=other)
    two_days_ago = timelimits.today() - timedelta(days=2)
    for case in (visit_mine, visit_other):  # the first visit made, the next one two days overdue
        next(f for f in case.follow_ups if f.done_at is None).due_on = two_days_ago
    running_mine = case_in(CaseState.MEDIATING, staff, village=mine)
    running_other = case_in(CaseState.MEDIATING, staff, village=other)
    far = factories.case(other_tenant, village=far_village).id  # read now: out of reach after a request
    db.session.flush()

    overview = text(officer.get("/t/alpha/"))
    assert _linked(overview, visit_mine) and _linked(overview, running_mine)
    assert "已超期2天" in overview
    assert not any(_linked(overview, c) for c in (visit_other, running_other))

    # An officer's board opens on their own cases (no view asked for).
    board = "".join(text(officer.get(f"/t/alpha/board/column?state={state}")) for state in ("mediating", "follow_up"))
    assert f'id="card-{running_mine.id}"' in board and f'id="card-{visit_mine.id}"' in board
    assert f'id="card-{running_other.id}"' not in board and f'id="card-{visit_other.id}"' not in board

    listed = text(officer.get("/t/alpha/cases/?mine=1"))
    rows = {int(n) for n in re.findall(r'id="case-row-(\d+)"', listed)}
    assert rows == {visit_mine.id, running_mine.id}
    assert far not in rows and officer.get(f"/t/beta/cases/{far}").status_code == 404

    # Another officer of the township does not see them as theirs.
    someone = login_as("officer")
    assert not _linked(text(someone.get("/t/alpha/")), running_mine)


def test_the_demo_officer_s_overview_shows_the_overdue_visit_in_their_village(demo_app, demo_db):
    client = demo_app.test_client()
    assert login(client, "mangbang.officer", "Demo-2026").status_code == 302
    page = text(client.get("/t/mangbang/"))
    visits = page[page.index('id="work-visits"'):]
    visits = visits[:visits.index("</section>")]
    assert "已超期" in visits and "light-red" in visits
    # Among them a case that is the officer's by its village alone.
    officer = demo_db.session.scalar(select(User).where(User.username == "mangbang.officer"))
    tenant = demo_db.session.scalar(select(Tenant).where(Tenant.slug == "mangbang"))
    with tenant_scope(tenant.id):
        listed = demo_db.session.scalars(select(Case).where(
            Case.id.in_([int(n) for n in re.findall(r'href="/t/mangbang/cases/(\d+)"', visits)]))).all()
        assert any(c.village.officer_id == officer.id and officer.id not in (c.assignee_id, c.created_by_id)
                   for c in listed)
