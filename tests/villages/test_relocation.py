"""Relocation sites (易地扶贫搬迁点): the five key phases, each with a status and notes."""
from sqlalchemy import select

from tests import factories
from tests.villages.conftest import field_block, text
from webapp.extensions import db
from webapp.villages.models import Phase, PhaseStatus, ProjectPhase, RelocationProject


def _post(client, path, **data):
    return client.post(path, data=dict(data, csrf_token=client.csrf))


def test_a_new_site_has_the_five_phases_in_order_not_started(db, tenant, login_as):
    director = login_as("township_admin")
    village = factories.village_of(tenant)
    response = _post(director, "/t/alpha/relocation/new", name="甲镇一村安置点", village=str(village.id),
                     households="36", notes="群众自筹20%")
    assert response.status_code == 302, text(response)
    site = db.session.scalar(select(RelocationProject))
    assert [p.phase for p in site.phases] == list(Phase)
    assert {p.status for p in site.phases} == {PhaseStatus.NOT_STARTED}
    page = text(director.get(f"/t/alpha/relocation/{site.id}"))
    positions = [page.index(f'id="phase-{p.value}"') for p in Phase]
    assert positions == sorted(positions)


def test_a_site_needs_a_village_and_households_not_negative(db, tenant, login_as):
    director = login_as("township_admin")
    response = _post(director, "/t/alpha/relocation/new", name="无村安置点", village="", households="-1")
    assert response.status_code == 422
    page = text(response)
    assert 'class="error"' in field_block(page, "village") and 'class="error"' in field_block(page, "households")
    assert 'value="无村安置点"' in page
    assert db.session.scalar(select(RelocationProject)) is None


def test_a_phase_is_updated_with_its_status_and_notes(db, tenant, login_as):
    site = factories.relocation_project(tenant)
    director = login_as("township_admin")
    path = f"/t/alpha/relocation/{site.id}/phases/construction"
    assert director.get(path).status_code == 200
    response = _post(director, path, status="in_progress", notes="理事会成员轮流监督施工")
    assert response.status_code == 302
    phase = db.session.scalar(select(ProjectPhase).where(ProjectPhase.project_id == site.id,
                                                         ProjectPhase.phase == Phase.CONSTRUCTION))
    assert (phase.status, phase.notes, phase.updated_by_id) == (PhaseStatus.IN_PROGRESS, "理事会成员轮流监督施工",
                                                                director.user.id)
    assert "理事会成员轮流监督施工" in text(director.get(f"/t/alpha/relocation/{site.id}"))


def test_a_phase_updated_in_place_answers_with_the_phase_alone(db, tenant, login_as):
    site = factories.relocation_project(tenant)
    director = login_as("township_admin")
    response = director.post(f"/t/alpha/relocation/{site.id}/phases/acceptance", data={
        "status": "done", "notes": "已验收", "csrf_token": director.csrf}, headers={"HX-Request": "true"})
    page = text(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<li id="phase-acceptance"') and "已验收" in page and "<html" not in page


def test_a_phase_without_a_status_is_refused(db, tenant, login_as):
    site = factories.relocation_project(tenant)
    director = login_as("township_admin")
    response = _post(director, f"/t/alpha/relocation/{site.id}/phases/quality", notes="抽检")
    assert response.status_code == 422
    assert "抽检" in text(response)
    phase = db.session.scalar(select(ProjectPhase).where(ProjectPhase.project_id == site.id,
                                                         ProjectPhase.phase == Phase.QUALITY))
    assert phase.notes == ""


def test_an_unknown_phase_is_not_found(db, tenant, login_as):
    site = factories.relocation_project(tenant)
    assert login_as("township_admin").get(f"/t/alpha/relocation/{site.id}/phases/demolition").status_code == 404


def test_a_site_gets_its_council(db, tenant, login_as):
    site = factories.relocation_project(tenant, households=60)
    director = login_as("township_admin")
    response = _post(director, f"/t/alpha/relocation/{site.id}/council")
    assert response.status_code == 302
    db.session.refresh(site)
    assert response.headers["Location"] == f"/t/alpha/villages/councils/{site.council.id}"
    page = text(director.get(response.headers["Location"]))
    assert "安置点" in page and "应为7至9人" in page


def test_duplicate_site_names_are_refused(db, tenant, login_as):
    factories.relocation_project(tenant, name="一号安置点")
    director = login_as("township_admin")
    village = factories.village_of(tenant)
    response = _post(director, "/t/alpha/relocation/new", name="一号安置点", village=str(village.id), households="10")
    assert response.status_code == 422
    assert 'class="error"' in field_block(text(response), "name")
