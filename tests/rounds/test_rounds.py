"""Investigation rounds (排查): the director opens one, the stability officers report each
village's findings (each a registered dispute) or a nil report; the round shows who reported what."""
from sqlalchemy import func, select

from tests import factories
from webapp import timelimits
from webapp.cases.models import Case, Source
from webapp.extensions import db
from webapp.rounds.models import Round, RoundKind, RoundReport
from webapp.villages.models import Village, VillagerGroup


def _second_village(tenant):
    village = Village(tenant_id=tenant.id, name="甲镇二村", groups=[VillagerGroup(name="一组", households=30)])
    db.session.add(village)
    db.session.flush()
    return village


def test_the_director_opens_a_monthly_round_due_at_the_end_of_the_month(db, tenant, login_as):
    client = login_as("township_admin")
    assert client.get("/t/alpha/rounds/new").status_code == 200
    response = client.post("/t/alpha/rounds/new", data={"kind": "monthly", "csrf_token": client.csrf})
    assert response.status_code == 302
    round_ = db.session.scalar(select(Round).where(Round.tenant_id == tenant.id))
    assert round_.kind is RoundKind.MONTHLY
    assert round_.due_on == timelimits.month_end(timelimits.today())
    assert client.get("/t/alpha/rounds/").get_data(as_text=True).count(round_.title) == 1


def test_a_special_round_with_a_past_deadline_is_refused_beside_the_field(db, tenant, login_as):
    client = login_as("township_admin")
    response = client.post("/t/alpha/rounds/new", data={
        "kind": "special", "due_on": "2020-01-01", "title": "春节前专项排查", "csrf_token": client.csrf})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "截止日期不能早于今天" in body and 'value="春节前专项排查"' in body
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_an_officer_files_a_finding_in_one_tap_and_a_nil_report_and_the_round_shows_who(db, tenant, login_as):
    round_ = factories.investigation_round(tenant)
    first, second = factories.village_of(tenant), _second_village(tenant)
    officer = login_as("officer", display_name="赵维稳员")
    page = officer.get(f"/t/alpha/rounds/{round_.id}").get_data(as_text=True)
    assert "登记为纠纷" in page and "零报告" in page

    # An empty finding: the message beside the field, nothing registered.
    response = officer.post(f"/t/alpha/rounds/{round_.id}/villages/{first.id}/findings",
                            data={f"v{first.id}-title": " ", "csrf_token": officer.csrf})
    assert response.status_code == 422 and "请简要写明排查发现的问题" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0

    response = officer.post(f"/t/alpha/rounds/{round_.id}/villages/{first.id}/findings",
                            data={f"v{first.id}-title": "两户因灌溉用水发生争执", "csrf_token": officer.csrf})
    assert response.status_code == 302
    case = db.session.scalar(select(Case).where(Case.tenant_id == tenant.id))
    assert (case.source, case.village_id, case.title) == (Source.INVESTIGATION, first.id, "两户因灌溉用水发生争执")

    assert officer.post(f"/t/alpha/rounds/{round_.id}/villages/{second.id}/nil",
                        data={"csrf_token": officer.csrf}).status_code == 302
    # A nil report where something was found, or twice, is refused and changes nothing.
    response = officer.post(f"/t/alpha/rounds/{round_.id}/villages/{first.id}/nil", data={"csrf_token": officer.csrf})
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(RoundReport)) == 2

    director = login_as("township_admin")
    page = director.get(f"/t/alpha/rounds/{round_.id}").get_data(as_text=True)
    assert case.number in page and "赵维稳员" in page and "零报告" in page
    assert "登记为纠纷" not in page  # the director reads; the officers report


def test_only_stability_officers_report(db, tenant, login_as):
    round_ = factories.investigation_round(tenant)
    village = factories.village_of(tenant)
    mediator = login_as("mediator")
    response = mediator.post(f"/t/alpha/rounds/{round_.id}/villages/{village.id}/nil",
                             data={"csrf_token": mediator.csrf})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(RoundReport)) == 0
