"""Who may see and change villages, councils and sites, and that another township's are
not there at all."""
import pytest

from tests import factories
from tests.villages.conftest import text


def _theirs(other_tenant):
    council = factories.council(other_tenant)
    site = factories.relocation_project(other_tenant, name="乙镇安置点")
    return {"council": council.id, "member": council.members[0].id, "group": council.group_id, "site": site.id,
            "village": council.group.village_id}


def test_another_townships_council_and_site_answer_404(db, tenant, other_tenant, login_as):
    ids = _theirs(other_tenant)
    director = login_as("township_admin")
    gets = [f"/t/alpha/villages/councils/{ids['council']}", f"/t/alpha/relocation/{ids['site']}",
            f"/t/alpha/villages/{ids['village']}", f"/t/alpha/villages/groups/{ids['group']}/edit",
            f"/t/alpha/relocation/{ids['site']}/phases/site_selection", f"/t/alpha/relocation/{ids['site']}/edit"]
    posts = [f"/t/alpha/villages/councils/{ids['council']}/members",
             f"/t/alpha/villages/councils/{ids['council']}/members/{ids['member']}/remove",
             f"/t/alpha/villages/councils/{ids['council']}/confirm",
             f"/t/alpha/villages/councils/{ids['council']}/reopen",
             f"/t/alpha/villages/groups/{ids['group']}/council",
             f"/t/alpha/relocation/{ids['site']}/council",
             f"/t/alpha/relocation/{ids['site']}/phases/site_selection"]
    for path in gets:
        response = director.get(path)
        assert response.status_code == 404, path
        assert "乙镇" not in text(response), path
    for path in posts:
        assert director.post(path, data={"csrf_token": director.csrf, "name": "某", "role": "member",
                                         "status": "done"}).status_code == 404, path
    # Nor do their councils or sites turn up in lists and choices.
    for path in ("/t/alpha/villages/councils/", "/t/alpha/relocation/", "/t/alpha/cases/new"):
        assert "乙镇" not in text(director.get(path)), path


def test_a_case_cannot_be_linked_to_another_townships_council(db, tenant, other_tenant, login_as):
    ids = _theirs(other_tenant)
    clerk = login_as("clerk")
    response = clerk.post("/t/alpha/cases/new", data={"title": "跨镇", "source": "council",
                                                      "reporting_council": str(ids["council"]),
                                                      "csrf_token": clerk.csrf})
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["clerk", "mediator", "officer", "county_reviewer", "county_admin"])
def test_only_the_director_changes_councils_others_read_them(db, tenant, login_as, role):
    council = factories.council(tenant, members=5)
    site = factories.relocation_project(tenant)
    client = login_as(role)
    page = text(client.get(f"/t/alpha/villages/councils/{council.id}"))
    assert "理事1" in page and f"/councils/{council.id}/members" not in page
    assert "/phases/" not in text(client.get(f"/t/alpha/relocation/{site.id}"))
    data = {"csrf_token": client.csrf, "name": "某", "role": "member"}
    assert client.post(f"/t/alpha/villages/councils/{council.id}/members", data=data).status_code == 403
    assert client.post(f"/t/alpha/villages/councils/{council.id}/reopen", data=data).status_code == 403
    assert client.post(f"/t/alpha/relocation/{site.id}/phases/quality",
                       data={"csrf_token": client.csrf, "status": "done"}).status_code == 403


def test_a_liaison_does_not_see_villages_councils_or_sites(db, tenant, login_as):
    council = factories.council(tenant)
    site = factories.relocation_project(tenant)
    liaison = login_as("liaison")
    for path in (f"/t/alpha/villages/councils/{council.id}", "/t/alpha/villages/councils/",
                 f"/t/alpha/relocation/{site.id}", "/t/alpha/relocation/"):
        assert liaison.get(path).status_code == 403, path
