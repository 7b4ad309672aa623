"""The audit pages: the director's township, the county's whole; filters, pages, CSV; and the
second factor's reset by the director and the county admin, audited."""
import pyotp
from sqlalchemy import select

from tests import factories
from webapp import audit
from webapp.audit import AuditEvent
from webapp.auth import two_factor
from webapp.auth.models import SecondFactor


def test_the_director_sees_their_township_newest_first_filtered_and_as_csv(db, tenant, other_tenant, login_as):
    director = login_as("township_admin")
    clerk = factories.user("clerk", tenant)
    audit.record("personal_data.reveal", user=clerk, tenant=tenant, detail={"case": "A-1", "field": "phone"})
    audit.record("login.success", user=clerk)
    audit.record("personal_data.reveal", username="elsewhere", tenant=other_tenant, detail={"case": "B-1"})
    db.session.flush()
    page = director.get("/t/alpha/audit/").get_data(as_text=True)
    assert "<td>personal_data.reveal" in page and clerk.username in page and "elsewhere" not in page
    assert page.index("<td>login.success") < page.index("<td>personal_data.reveal")  # newest first
    only = director.get(f"/t/alpha/audit/?case=A-1&person={clerk.username}").get_data(as_text=True)
    assert "<td>personal_data.reveal" in only and "<td>login.success" not in only
    bad = director.get("/t/alpha/audit/?since=2026-02-01&until=2026-01-01")
    assert bad.status_code == 422 and 'id="until-error"' in bad.get_data(as_text=True)
    assert 'value="2026-02-01"' in bad.get_data(as_text=True)
    csv = director.get("/t/alpha/audit/export.csv?action=personal_data.reveal")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "A-1" in csv.get_data(as_text=True) and "B-1" not in csv.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "audit.export",
                                                      AuditEvent.user_id == director.user.id)) is not None


def test_the_county_sees_every_township(db, tenant, other_tenant, login_as):
    reviewer = login_as("county_reviewer")
    audit.record("document.download", username="in.beta", tenant=other_tenant, detail={"case": "B-9"})
    db.session.flush()
    page = reviewer.get("/county/audit/?case=B-9").get_data(as_text=True)
    assert "in.beta" in page
    assert login_as("clerk").get("/county/audit/").status_code == 403


def test_pages_of_fifty(db, tenant, login_as):
    director = login_as("township_admin")
    for i in range(55):
        audit.record("test.page", user=director.user, tenant=tenant, detail={"n": i})
    db.session.flush()
    first = director.get("/t/alpha/audit/?action=test.page").get_data(as_text=True)
    assert first.count('id="audit-') == 50 and "page=2" in first
    second = director.get("/t/alpha/audit/?action=test.page&page=2").get_data(as_text=True)
    assert second.count('id="audit-') == 5


def _enrolled(user):
    factor = two_factor.begin_enrolment(user)
    assert two_factor.confirm_enrolment(user, factor, pyotp.TOTP(factor.secret).now())


def test_a_director_resets_a_members_second_factor_and_not_a_county_account(db, tenant, other_tenant, login_as):
    director = login_as("township_admin")
    clerk = factories.user("clerk", tenant)
    _enrolled(clerk)
    db.session.flush()
    edit = director.get(f"/t/alpha/staff/{clerk.memberships[0].id}").get_data(as_text=True)
    assert "two-factor/reset" in edit
    answer = director.post(f"/t/alpha/staff/{clerk.memberships[0].id}/two-factor/reset",
                           data={"csrf_token": director.csrf})
    assert answer.status_code == 302
    assert db.session.get(SecondFactor, clerk.id, populate_existing=True) is None
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "two_factor.reset"))
    assert entry.user_id == director.user.id and entry.detail == {"member": clerk.username}
    elsewhere = factories.user("clerk", other_tenant)
    assert director.post(f"/t/alpha/staff/{elsewhere.memberships[0].id}/two-factor/reset",
                         data={"csrf_token": director.csrf}).status_code == 404
    other_clerk = login_as("clerk")
    assert other_clerk.post(f"/t/alpha/staff/{clerk.memberships[0].id}/two-factor/reset",
                            data={"csrf_token": other_clerk.csrf}).status_code == 403


def test_the_county_admin_sets_the_required_roles_and_resets_any_account(db, tenant, county, login_as):
    admin = login_as("county_admin")
    reviewer = factories.user("county_reviewer", tenant)
    _enrolled(reviewer)
    db.session.flush()
    page = admin.get("/county/security/two-factor")
    assert page.status_code == 200 and f"/county/accounts/{reviewer.id}/two-factor/reset" in page.get_data(as_text=True)
    saved = admin.post("/county/security/two-factor", data={"csrf_token": admin.csrf,
                                                            "roles": ["county_admin", "township_admin"]})
    assert saved.status_code == 302
    assert two_factor.required_roles(county.two_factor_roles) == {"county_admin", "township_admin"}
    assert admin.post(f"/county/accounts/{reviewer.id}/two-factor/reset",
                      data={"csrf_token": admin.csrf}).status_code == 302
    assert db.session.get(SecondFactor, reviewer.id, populate_existing=True) is None
    events = db.session.scalars(select(AuditEvent.event).where(AuditEvent.user_id == admin.user.id)).all()
    assert "county.two_factor_roles" in events and "two_factor.reset" in events
    assert admin.post("/county/accounts/999999/two-factor/reset", data={"csrf_token": admin.csrf}).status_code == 404
