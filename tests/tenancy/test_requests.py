"""The township of a request comes from the URL and the user's membership alone."""
from tests import factories
from tests.conftest import login


def test_other_township_answers_404(login_as, other_tenant):
    mediator = login_as("mediator")
    assert mediator.get("/t/alpha/").status_code == 200
    assert mediator.get("/t/beta/").status_code == 404
    assert mediator.get("/t/beta/villages/").status_code == 404


def test_unknown_township_answers_404(login_as):
    assert login_as("mediator").get("/t/nowhere/").status_code == 404


def test_signed_out_visitor_is_sent_to_login(client, tenant):
    response = client.get("/t/alpha/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_headers_cannot_choose_the_township(login_as, other_tenant):
    mediator = login_as("mediator")
    page = mediator.get("/t/alpha/villages/", headers={"X-Tenant": "beta", "X-Tenant-Id": str(other_tenant.id)})
    assert "甲镇一村" in page.get_data(as_text=True) and "乙镇一村" not in page.get_data(as_text=True)


def test_county_roles_see_every_township_of_their_county(login_as, other_tenant):
    reviewer = login_as("county_reviewer")
    assert reviewer.get("/t/alpha/").status_code == 200
    assert reviewer.get("/t/beta/villages/").status_code == 200


def test_county_roles_do_not_see_another_county(app, db, login_as):
    elsewhere = factories.township(factories.county("别县"), "gamma", "丙镇")
    assert login_as("county_reviewer").get(f"/t/{elsewhere.slug}/").status_code == 404


def test_deactivated_membership_loses_the_township(app, db, tenant):
    user = factories.user("mediator", tenant)
    user.memberships[0].active = False
    db.session.flush()
    client = app.test_client()
    login(client, user.username)
    assert client.get("/t/alpha/").status_code == 404
