"""The role matrix: every role against every guarded action, through the real pages.

The expectations below are written out by hand from the product's rules, not read from
``webapp.permissions``, so a change to the permission table shows up here.
"""
from pathlib import Path

import pytest

from tenants.models import Role
from tenants.scope import tenant_scope
from tests import factories
from webapp.permissions import PERMISSIONS, markdown_table

ALL = {r.value for r in Role}
COUNTY = {"county_admin", "county_reviewer"}
STAFF_VIEW = {"township_admin", "county_admin", "county_reviewer"}
STAFF_MANAGE = {"township_admin", "county_admin"}

TOWNSHIP_STAFF = {"township_admin", "clerk", "mediator", "officer"}

EXPECTED = {
    "case.view": ALL,
    "case.create": TOWNSHIP_STAFF,
    "case.edit": {"township_admin", "clerk", "mediator"},
    "case.record": TOWNSHIP_STAFF | {"liaison"},
    "personal_data.reveal": {"township_admin", "clerk"},
    "referral.inbox": {"township_admin", "liaison"},
    "key_persons.view": TOWNSHIP_STAFF | COUNTY | {"party"},
    "key_persons.manage": {"township_admin", "officer"},
    "township.configure": {"township_admin"},
    "township.view": ALL,
    "villages.view": ALL - {"liaison"},
    # villages, groups, councils and relocation sites: kept by the township's director
    "villages.manage": {"township_admin"},
    "staff.view": STAFF_VIEW,
    "staff.manage": STAFF_MANAGE,
    # a member's password reset, a lockout lifted: the director and the county admin
    "staff.reset": STAFF_MANAGE,
    "county.view": COUNTY,
    # townships created, renamed and closed; the county's accounts and security: the county admin
    "township.create": {"county_admin"},
    "county.accounts": {"county_admin"},
    "county.security": {"county_admin"},
    # one's own password and sessions
    "account.own": ALL,
    "audit.view": {"township_admin"} | COUNTY,
    "board.view": ALL,
    # the party committee and government reads the township's board, like the county
    "board.move": ALL - COUNTY - {"party"},
    # time limits: the bell is for the township's people; the clock is stopped by who mediates;
    # escalations reach the director and the county; everyone answers for their own flags
    "notifications.view": ALL - COUNTY,
    "clock.pause": {"township_admin", "mediator"},
    "escalations.view": {"township_admin", "party"} | COUNTY,
    # what is reported is acknowledged and answered (批示) by the level it went to
    "escalations.answer": {"township_admin", "party", "county_admin"},
    "flags.view": ALL,
    "flags.manage": {"township_admin"},
    "deadlines.operate": {"township_admin"},
    # case files: the full file only to who may reveal personal data; single documents for
    # everyone who meets the parties (masked for most); the county takes whole townships' files
    "documents.print": TOWNSHIP_STAFF | {"liaison"},
    "case_files.review": {"township_admin"} | COUNTY,
    "case_files.render": {"township_admin"},
    "case_files.export": COUNTY,
    # a township's figures: its staff and the county, not a department's liaison
    "figures.view": ALL - {"liaison"},
    # joint meetings: convened and recorded by the director, read by the township and the county
    "meetings.view": ALL - {"liaison"},
    "meetings.manage": {"township_admin"},
    # investigation rounds: opened by the director, reported by the stability officers
    "rounds.view": TOWNSHIP_STAFF | COUNTY,
    "rounds.open": {"township_admin"},
    "rounds.report": {"officer"},
    # rosters and per-case pay: kept and set by the director, reviewed by the county; each
    # person paid per case reads their own statement
    "roster.view": {"township_admin"} | COUNTY,
    "roster.manage": {"township_admin"},
    "pay.view": {"township_admin"} | COUNTY,
    "pay.configure": {"township_admin"},
    "pay.own": {"township_admin", "mediator", "officer"},
    # supervision from above: the county bureau assigns and sends notices; the center's intake
    # takes assignments up; the director answers notices, which the party committee and the county read
    "county.supervise": {"county_admin"},
    "assignments.take_up": {"township_admin", "clerk"},
    "supervision.view": {"township_admin", "party"} | COUNTY,
}


def _new_staff(tenant):
    return {"username": f"new.{factories._numbers.__next__()}", "display_name": "新人", "role": "clerk",
            "department": "0", "password": "Abcdef-123"}


def _case_edit(tenant):
    return {"title": "改过的标题", "source": "call", "level": "village"}


def _session(tenant):
    return {"held_on": "2026-01-05", "place": "村委会", "participants": "双方", "notes": "调解"}


def _key_person(tenant):
    return {"name": "赵某", "kind": "其他", "measures": "每周走访", "responsible": "村支书"}


PROBES = {
    # action: (method, path, form data or None, success status)
    "case.view": ("GET", "/t/alpha/cases/{case_id}", None, 200),
    "case.create": ("POST", "/t/alpha/cases/new", lambda t: {"title": "新纠纷", "source": "visit"}, 302),
    "case.edit": ("POST", "/t/alpha/cases/{case_id}/edit", _case_edit, 302),
    # the probe case is referred to the police station, so the liaison may record on it too
    "case.record": ("POST", "/t/alpha/cases/{case_id}/sessions", _session, 302),
    "personal_data.reveal": ("POST", "/t/alpha/cases/{case_id}/parties/{party_id}/reveal/phone", lambda t: {}, 200),
    "referral.inbox": ("GET", "/t/alpha/referrals/", None, 200),
    "key_persons.view": ("GET", "/t/alpha/key-persons/", None, 200),
    "key_persons.manage": ("POST", "/t/alpha/key-persons/new", _key_person, 302),
    "township.configure": ("GET", "/t/alpha/settings/", None, 200),
    "township.view": ("GET", "/t/alpha/", None, 200),
    "villages.view": ("GET", "/t/alpha/villages/{village_id}", None, 200),
    "villages.manage": ("POST", "/t/alpha/villages/new",
                        lambda t: {"name": f"新村{factories._numbers.__next__()}", "kind": "village"}, 302),
    "staff.view": ("GET", "/t/alpha/staff/", None, 200),
    "staff.manage": ("POST", "/t/alpha/staff/", _new_staff, 302),
    "staff.reset": ("POST", "/t/alpha/staff/{membership_id}/unlock", lambda t: {}, 302),
    "county.accounts": ("GET", "/county/accounts/", None, 200),
    "county.security": ("GET", "/county/security", None, 200),
    "account.own": ("GET", "/account/sessions", None, 200),
    "county.view": ("GET", "/county/", None, 200),
    "township.create": ("POST", "/county/townships", lambda t: {"name": "新镇", "slug": f"new{factories._numbers.__next__()}"}, 302),
    "audit.view": ("GET", "/t/alpha/audit/", None, 200),
    "board.view": ("GET", "/t/alpha/board/", None, 200),
    # the "move to…" page of a card (what the card's menu is without JavaScript)
    "board.move": ("GET", "/t/alpha/board/cards/{case_id}/move", None, 200),
    "notifications.view": ("GET", "/t/alpha/notifications/", None, 200),
    # the form; whether this mediator may stop this case's clock is the operation's business
    "clock.pause": ("GET", "/t/alpha/cases/{case_id}/clock/pause", None, 200),
    "escalations.view": ("GET", "/t/alpha/escalations/", None, 200),
    "escalations.answer": ("GET", "/t/alpha/escalations/{escalation_id}/instruct", None, 200),
    "flags.view": ("GET", "/t/alpha/flags/", None, 200),
    "flags.manage": ("GET", "/t/alpha/flags/new", None, 200),
    "deadlines.operate": ("GET", "/t/alpha/deadlines/", None, 200),
    "documents.print": ("POST", "/t/alpha/cases/{case_id}/documents/intake-form", lambda t: {}, 303),
    "case_files.review": ("GET", "/t/alpha/cases/unarchived", None, 200),
    # the probe case is not closed: the answer is a refusal, but past the permission
    "case_files.render": ("POST", "/t/alpha/cases/{case_id}/documents/case-file", lambda t: {}, 303),
    "case_files.export": ("GET", "/county/case-files/", None, 200),
    "figures.view": ("GET", "/t/alpha/figures/", None, 200),
    "meetings.view": ("GET", "/t/alpha/meetings/", None, 200),
    "meetings.manage": ("POST", "/t/alpha/meetings/new", lambda t: {
        "kind": "mid_year", "year": "2026", "held_on": "2026-07-10", "held_at": "09:00", "place": "镇政府三楼会议室",
        "chair": "王主任"}, 302),
    "rounds.view": ("GET", "/t/alpha/rounds/", None, 200),
    "rounds.open": ("GET", "/t/alpha/rounds/new", None, 200),
    "rounds.report": ("GET", "/t/alpha/rounds/mine", None, 200),
    "roster.view": ("GET", "/t/alpha/pay/roster/", None, 200),
    "roster.manage": ("POST", "/t/alpha/pay/roster/new", lambda t: {
        "name": f"新调解员{factories._numbers.__next__()}", "kind": "mediator", "employment": "part_time",
        "active_from": "2026-01-01"}, 302),
    "pay.view": ("GET", "/t/alpha/pay/", None, 200),
    "pay.configure": ("GET", "/t/alpha/pay/rates/new", None, 200),
    "pay.own": ("GET", "/t/alpha/pay/mine", None, 200),
    "county.supervise": ("GET", "/county/assignments/new", None, 200),
    "assignments.take_up": ("GET", "/t/alpha/assignments/", None, 200),
    "supervision.view": ("GET", "/t/alpha/supervision/", None, 200),
}


DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_docs_show_the_permission_table():
    page = (DOCS / "roles.md").read_text(encoding="utf-8")
    assert markdown_table() in page


def test_every_action_has_an_expectation_and_a_probe():
    assert set(EXPECTED) == set(PERMISSIONS) == set(PROBES)


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_role_matrix(login_as, tenant, role, action):
    client = login_as(role)
    method, path, data, success = PROBES[action]
    if "{case_id}" in path:
        case = factories.referred_case(tenant)
        with tenant_scope(tenant.id):
            path = path.format(case_id=case.id, party_id=case.parties[0].id)
    if "{membership_id}" in path:
        path = path.format(membership_id=factories.member("clerk", tenant).id)
    if "{escalation_id}" in path:
        path = path.format(escalation_id=factories.reported_escalation(tenant).id)
    path = path.format(village_id=factories.village_of(tenant).id)
    form = dict(data(tenant), csrf_token=client.csrf) if data else None
    response = client.open(path, method=method, data=form)
    expected = success if role in EXPECTED[action] else 403
    assert response.status_code == expected, response.get_data(as_text=True)[-600:]


@pytest.mark.parametrize("role", ["township_admin", "county_admin"])
def test_staff_editing_is_for_managers(login_as, tenant, role):
    client = login_as(role)
    other = factories.user("clerk", tenant)
    response = client.post(f"/t/alpha/staff/{other.memberships[0].id}", data={
        "role": "mediator", "department": "0", "active": "y", "csrf_token": client.csrf})
    assert response.status_code == 302


def test_a_reviewer_can_read_staff_but_not_edit_them(login_as, tenant):
    client = login_as("county_reviewer")
    other = factories.user("clerk", tenant)
    path = f"/t/alpha/staff/{other.memberships[0].id}"
    assert client.get(path).status_code == 200
    assert client.post(path, data={"role": "mediator", "department": "0", "csrf_token": client.csrf}).status_code == 403


def test_the_docs_show_the_workflow_table():
    from webapp.cases.workflow import markdown_table as workflow_table

    page = (DOCS / "cases.md").read_text(encoding="utf-8")
    assert workflow_table() in page
