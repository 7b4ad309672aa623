"""Walks every URL rule of the app as each township role of tenant A, with tenant B's slug
and object ids: the answer is 404 (or 403 for a role limit inside A), never B's data.

New routes are covered automatically; a route with a new kind of id fails here until
OBJECT_IDS says how to find one of tenant B's objects for it.
"""
import pytest

from tenants.models import TOWNSHIP_ROLES, Role
from tenants.scope import tenant_scope
from sqlalchemy import select

from webapp.cases.models import Category
from webapp.meetings.models import Decision
from webapp.extensions import db
from tests import factories
from webapp.permissions import SAFE_METHODS, can, may_write

def _referred_case(tenant):
    """One of tenant's cases with a party, a referral and an attachment: ids for every kind."""
    case = factories.referred_case(tenant)
    with tenant_scope(tenant.id):
        return {"case_id": case.id, "party_id": case.parties[0].id, "referral_id": case.referrals[0].id,
                "attachment_id": case.attachments[0].id}


def _key_person(tenant):
    from webapp.keypersons.operations import save_key_person

    with tenant_scope(tenant.id):
        return save_key_person(None, name="钱某", kind="其他", village_id=None, measures="走访", responsible="村支书").id


def _first(tenant, model):
    with tenant_scope(tenant.id):
        return db.session.scalar(select(model.id).where(model.tenant_id == tenant.id).order_by(model.id))


def _escalation(tenant, case_id):
    from webapp.deadlines.models import AlertKind, Escalation, EscalationLevel

    with tenant_scope(tenant.id):
        item = Escalation(tenant_id=tenant.id, case_id=case_id, level=EscalationLevel.DIRECTOR,
                          reason=AlertKind.RED, key="red:director:1")
        db.session.add(item)
        db.session.flush()
        return item.id


def _flag(tenant, case_id):
    from webapp.deadlines.models import Flag, FlagKind

    with tenant_scope(tenant.id):
        item = Flag(tenant_id=tenant.id, case_id=case_id, kind=FlagKind.MANUAL, fault=7, key="manual:walk",
                    evidence="乙镇证据")
        db.session.add(item)
        db.session.flush()
        return item.id


def _document(tenant, case_id):
    from webapp.documents.models import Document, DocumentStatus

    with tenant_scope(tenant.id):
        item = Document(tenant_id=tenant.id, kind="intake_form", case_id=case_id, subject_id=case_id, version=1,
                        status=DocumentStatus.READY, masked=True, storage_key=f"walk/{tenant.id}/v1.pdf",
                        sha256="0" * 64, size=1, title="乙镇文书")
        db.session.add(item)
        db.session.flush()
        return item.id


OBJECT_IDS = {
    "membership_id": lambda t, objs: factories.user("clerk", t).memberships[0].id,
    "village_id": lambda t, objs: factories.village_of(t).id,
    "case_id": lambda t, objs: objs["case_id"],
    "party_id": lambda t, objs: objs["party_id"],
    "referral_id": lambda t, objs: objs["referral_id"],
    "attachment_id": lambda t, objs: objs["attachment_id"],
    "person_id": lambda t, objs: _key_person(t),
    "category_id": lambda t, objs: _first(t, Category),
    "department_id": lambda t, objs: factories.department_of(t).id,
    "escalation_id": lambda t, objs: _escalation(t, objs["case_id"]),
    "flag_id": lambda t, objs: _flag(t, objs["case_id"]),
    "document_id": lambda t, objs: _document(t, objs["case_id"]),
    "meeting_id": lambda t, objs: factories.meeting(t).id,
    "decision_id": lambda t, objs: _first(t, Decision),
    "group_id": lambda t, objs: factories.council(t).group_id,
    "council_id": lambda t, objs: factories.council(t).id,
    "member_id": lambda t, objs: factories.council(t).members[0].id,
    "project_id": lambda t, objs: factories.relocation_project(t).id,
    "roster_id": lambda t, objs: factories.roster_entry(t, name="乙镇调解员").id,
    # the county's pages: an account and a township of the county, fresh ones (a walk that
    # closes or deactivates them must not shut out the walkers)
    "user_id": lambda t, objs: factories.user("clerk", t).id,
    "township_id": lambda t, objs: factories.township(t.county, f"walk{next(factories._numbers)}", "走访镇").id,
    "key": lambda t, objs: "0" * 64,
    "round_id": lambda t, objs: factories.investigation_round(t).id,
    "assignment_id": lambda t, objs: factories.assignment(t, title="乙镇交办纠纷").id,
    "notice_id": lambda t, objs: factories.supervision_notice(t, subject="乙镇督办事由").id,
    # Not ids, but parts of the path that must be valid for the route to be reached at all.
    "name": lambda t, objs: "assess",
    "field": lambda t, objs: "phone",
    "what": lambda t, objs: "pack",
    "phase": lambda t, objs: "site_selection",
    "kind": lambda t, objs: "intake-form",
}

SKIP_METHODS = {"HEAD", "OPTIONS"}


def _ids(tenant):
    objs = _referred_case(tenant)
    return {name: make(tenant, objs) for name, make in OBJECT_IDS.items()}


def _tenant_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/t/<slug>")]


def _fill(rule, slug, ids):
    values = {"slug": slug}
    for name in rule.arguments - {"slug"}:
        assert name in ids, f"{rule.rule}: add a factory for <{name}> to OBJECT_IDS"
        values[name] = ids[name]
    return rule.rule if not values else _build(rule, values)


def _build(rule, values):
    path = rule.rule
    for name, value in values.items():
        for converter in ("", "int:", "string:", "path:"):
            path = path.replace(f"<{converter}{name}>", str(value))
    return path


def test_every_tenant_view_declares_its_permission(app):
    for rule in _tenant_rules(app):
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "required_action", None), f"{rule.endpoint} has no @require(...)"


@pytest.mark.parametrize("role", sorted(r.value for r in TOWNSHIP_ROLES))
def test_tenant_b_is_invisible_to_every_role_of_tenant_a(app, db, login_as, tenant, other_tenant, role):
    theirs = _ids(other_tenant)
    their_words = {other_tenant.name, "乙镇一村", other_tenant.slug, "张三", "现场.png", "钱某", "乙镇派出所",
                   "乙镇交办纠纷", "乙镇督办事由"}
    client = login_as(role)
    for rule in _tenant_rules(app):
        action = app.view_functions[rule.endpoint].required_action
        for method in sorted(rule.methods - SKIP_METHODS):
            kwargs = {"headers": {"X-CSRFToken": client.csrf}}
            # B's slug: not a township of this user at all.
            response = client.open(_fill(rule, other_tenant.slug, theirs), method=method, **kwargs)
            assert response.status_code == 404, (method, rule.rule, response.status_code)
            # A's slug with B's object ids.
            if rule.arguments == {"slug"}:
                continue
            response = client.open(_fill(rule, tenant.slug, theirs), method=method, **kwargs)
            # A read-only role (the party committee) is refused any write before the lookup.
            allowed = can(action, Role(role)) and (method in SAFE_METHODS or may_write(action, Role(role)))
            expected = {404} if allowed else {403, 404}
            assert response.status_code in expected, (method, rule.rule, response.status_code)
            body = response.get_data(as_text=True)
            assert not any(word in body for word in their_words - {other_tenant.slug}), (method, rule.rule)


def test_county_role_of_another_county_sees_nothing(app, db, login_as, tenant):
    elsewhere = factories.township(factories.county("别县"), "gamma", "丙镇")
    theirs = _ids(elsewhere)
    client = login_as("county_reviewer")
    for rule in _tenant_rules(app):
        if "GET" in rule.methods:
            assert client.get(_fill(rule, elsewhere.slug, theirs)).status_code == 404, rule.rule
