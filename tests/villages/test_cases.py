"""Councils report disputes (来源: 理事会上报) and handle the group-level ones (小纠纷不出组);
a dispute at a relocation site belongs to the site. Shown on the case and on the council
or site; each link a line on the case's timeline."""
import pytest
from sqlalchemy import func, select

from tests import factories
from tests.villages.conftest import field_block, text
from webapp.cases.models import Case, CaseEvent, Level, Source
from webapp.extensions import db
from webapp.villages import operations
from webapp.villages.models import CaseLink, VillagerGroup


def _register(client, **data):
    return client.post("/t/alpha/cases/new", data=dict({"title": "灌溉用水纠纷", "source": "council"}, **data,
                                                       csrf_token=client.csrf))


def _cases():
    return db.session.scalar(select(func.count(Case.id)))


def test_a_council_reported_dispute_names_the_council_and_shows_on_both_pages(db, tenant, login_as):
    council = factories.council(tenant)
    clerk = login_as("clerk")
    choices = field_block(text(clerk.get("/t/alpha/cases/new")), "reporting_council")
    assert f'<option value="{council.id}">甲镇一村第一村民小组</option>' in choices
    response = _register(clerk, reporting_council=str(council.id))
    assert response.status_code == 302, text(response)
    case = db.session.scalar(select(Case))
    assert case.source == Source.COUNCIL and case.link.reporting_council_id == council.id
    case_page = text(clerk.get(f"/t/alpha/cases/{case.id}"))
    assert f'/t/alpha/villages/councils/{council.id}' in case_page and "甲镇一村第一村民小组" in case_page
    council_page = text(clerk.get(f"/t/alpha/villages/councils/{council.id}"))
    assert f'id="council-case-{case.id}"' in council_page and "灌溉用水纠纷" in council_page
    assert db.session.scalar(select(CaseEvent.kind).where(CaseEvent.case_id == case.id,
                                                          CaseEvent.kind == "council_reported"))


def test_a_council_reported_dispute_without_its_council_is_refused(db, tenant, login_as, shown):
    factories.council(tenant)
    clerk = login_as("clerk")
    response = _register(clerk)
    assert response.status_code == 422
    block = field_block(text(response), "reporting_council")
    assert shown(operations.case_link_problems(source="council", level="township", group_id=None, reporting=None,
                                               handling=None)["reporting_council"]) in block
    assert 'value="灌溉用水纠纷"' in text(response)
    assert _cases() == 0


def test_only_a_council_reported_dispute_names_a_reporting_council(db, tenant, login_as):
    council = factories.council(tenant)
    response = _register(login_as("clerk"), source="visit", reporting_council=str(council.id))
    assert response.status_code == 422
    assert 'class="error"' in field_block(text(response), "reporting_council")
    assert _cases() == 0


def test_a_forming_council_neither_reports_nor_handles(db, tenant, login_as):
    council = factories.council(tenant, members=2, confirm=False)
    clerk = login_as("clerk")
    choices = field_block(text(clerk.get("/t/alpha/cases/new")), "reporting_council")
    assert f'<option value="{council.id}"' not in choices
    assert _register(clerk, reporting_council=str(council.id)).status_code == 422
    assert _cases() == 0


def test_a_group_level_dispute_is_handed_to_its_groups_council(db, tenant, login_as):
    council = factories.council(tenant)
    group = council.group
    case = factories.case(tenant, source="visit", village=group.village, group=group, level=Level.GROUP)
    clerk = login_as("clerk")
    response = clerk.post(f"/t/alpha/villages/case-links/{case.id}", data={
        "handling_council": str(council.id), "csrf_token": clerk.csrf})
    assert response.status_code == 302, text(response)
    assert response.headers["Location"] == f"/t/alpha/cases/{case.id}"
    council_page = text(clerk.get(f"/t/alpha/villages/councils/{council.id}"))
    assert f'id="council-case-{case.id}"' in council_page
    case_page = text(clerk.get(f"/t/alpha/cases/{case.id}"))
    assert "甲镇一村第一村民小组" in case_page


def test_a_council_handles_only_group_level_disputes(db, tenant, login_as):
    council = factories.council(tenant)
    case = factories.case(tenant, source="visit", level=Level.VILLAGE)
    clerk = login_as("clerk")
    response = clerk.post(f"/t/alpha/villages/case-links/{case.id}", data={
        "handling_council": str(council.id), "csrf_token": clerk.csrf})
    assert response.status_code == 422
    assert 'class="error"' in field_block(text(response), "handling_council")
    assert db.session.scalar(select(func.count(CaseLink.id))) == 0


def test_a_council_handles_the_disputes_of_its_own_group_only(db, tenant, login_as):
    council = factories.council(tenant)
    village = council.group.village
    second = VillagerGroup(village=village, name="第二村民小组", households=20)
    db.session.add(second)
    db.session.flush()
    case = factories.case(tenant, source="visit", village=village, group=second, level=Level.GROUP)
    with pytest.raises(operations.Refused) as refused:
        operations.set_case_links(case, None, reporting=None, handling=council, project=None)
    assert refused.value.field == "handling_council"


def test_the_intake_form_links_a_site_and_a_handling_council(db, tenant, login_as):
    council = factories.council(tenant)
    site = factories.relocation_project(tenant)
    group = council.group
    clerk = login_as("clerk")
    response = _register(clerk, source="visit", village=str(group.village_id), group=str(group.id), level="group",
                         handling_council=str(council.id), project=str(site.id))
    assert response.status_code == 302, text(response)
    case = db.session.scalar(select(Case))
    assert (case.link.handling_council_id, case.link.project_id) == (council.id, site.id)
    site_page = text(clerk.get(f"/t/alpha/relocation/{site.id}"))
    assert f'id="project-case-{case.id}"' in site_page


def test_unlinking_is_a_timeline_line_too(db, tenant, login_as):
    site = factories.relocation_project(tenant)
    case = factories.case(tenant, source="visit")
    operations.set_case_links(case, None, reporting=None, handling=None, project=site)
    clerk = login_as("clerk")
    assert clerk.post(f"/t/alpha/villages/case-links/{case.id}", data={"csrf_token": clerk.csrf}).status_code == 302
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)
                               .order_by(CaseEvent.id)).all()
    assert kinds.count("relocation_site") == 2
    assert db.session.scalar(select(CaseLink.project_id).where(CaseLink.case_id == case.id)) is None


def test_a_liaison_sees_the_council_of_a_referred_case_without_a_link_to_it(db, tenant, login_as):
    council = factories.council(tenant)
    case = factories.referred_case(tenant)
    case.source = Source.COUNCIL
    operations.set_case_links(case, None, reporting=council, handling=None, project=None)
    liaison = login_as("liaison")
    page = text(liaison.get(f"/t/alpha/cases/{case.id}"))
    assert "甲镇一村第一村民小组" in page and "/villages/councils/" not in page
