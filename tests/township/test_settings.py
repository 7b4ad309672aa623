"""A township's own configuration: time limits, categories, departments, key persons."""
from datetime import timedelta

from sqlalchemy import select

from tenants.scope import tenant_scope
from tests import factories
from webapp.cases import operations
from webapp.cases.models import Case, Category, Difficulty, KeyPerson, Risk
from webapp.audit import AuditEvent
from webapp.referrals.models import Department
from webapp.township.settings import settings_for


def _limits(client, **values):
    data = {"limit_ordinary": "7", "limit_complex": "20", "limit_major": "60", "yellow_days": "3",
            "follow_up_days": "7,30", "csrf_token": client.csrf}
    data.update(values)
    return client.post("/t/alpha/settings/limits", data=data)


def test_new_limits_apply_to_cases_assessed_afterwards(db, login_as, tenant):
    director = login_as("township_admin")
    assert _limits(director, limit_ordinary="10").status_code == 302
    case = factories.case(tenant)
    with tenant_scope(tenant.id):
        operations.assess_case(case, factories.member("clerk", tenant), difficulty=Difficulty.ORDINARY,
                               risk=Risk.RESOLVABLE)
        assert case.limit_days == 10
        assert case.due_at - case.accepted_at == timedelta(days=10)


def test_limits_must_grow_with_difficulty_and_keep_what_was_typed(db, login_as):
    director = login_as("township_admin")
    response = _limits(director, limit_complex="5")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "时限不能短于较简单的纠纷" in page and 'value="5"' in page


def test_follow_up_days_must_be_whole_days(db, login_as):
    response = _limits(login_as("township_admin"), follow_up_days="7,三十")
    assert response.status_code == 422
    assert "1到365之间的整数天数" in response.get_data(as_text=True)


def test_categories_are_added_and_retired_not_deleted(db, login_as, tenant):
    director = login_as("township_admin")
    factories.case(tenant)  # creates the default categories
    assert director.post("/t/alpha/settings/categories", data={"name": "山林火灾", "active": "y",
                                                                "csrf_token": director.csrf}).status_code == 302
    with tenant_scope(tenant.id):
        category = db.session.scalar(select(Category).where(Category.name == "山林火灾"))
        category_id = category.id
    response = director.post(f"/t/alpha/settings/categories/{category_id}",
                             data={"name": "山林火灾", "csrf_token": director.csrf})  # "active" unticked
    assert response.status_code == 302
    with tenant_scope(tenant.id):
        assert db.session.get(Category, category_id).active is False
    assert "山林火灾" not in director.get("/t/alpha/cases/new").get_data(as_text=True)


def test_a_duplicate_category_is_refused(db, login_as, tenant):
    director = login_as("township_admin")
    factories.case(tenant)
    response = director.post("/t/alpha/settings/categories", data={"name": "邻里纠纷", "csrf_token": director.csrf})
    assert response.status_code == 422 and "该名称已存在" in response.get_data(as_text=True)


def test_departments_are_tenant_data(db, login_as, tenant, other_tenant):
    director = login_as("township_admin")
    response = director.post("/t/alpha/settings/departments", data={
        "name": "甲镇人民法庭", "kind": "court", "csrf_token": director.csrf})
    assert response.status_code == 302
    with tenant_scope(other_tenant.id):
        assert db.session.scalar(select(Department).where(Department.name == "甲镇人民法庭")) is None


def test_key_person_with_measures_and_responsible_person(db, login_as, tenant):
    officer = login_as("officer")
    response = officer.post("/t/alpha/key-persons/new", data={
        "name": "赵某", "kind": "长期非正常上访人员", "measures": "每周走访一次", "responsible": "村支书李某",
        "id_number": "530522199001011239", "phone": "13812345678", "csrf_token": officer.csrf})
    assert response.status_code == 302
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "每周走访一次" in page and "530522199001011239" not in page and "5305**********1239" in page
    assert "138****5678" in page


def test_key_person_needs_measures_and_a_responsible_person(db, login_as):
    officer = login_as("officer")
    response = officer.post("/t/alpha/key-persons/new", data={"name": "赵某", "kind": "其他", "csrf_token": officer.csrf})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写管控措施" in page and "请填写责任人" in page and 'value="赵某"' in page


def test_a_key_person_linked_at_assessment_shows_on_the_case(db, login_as, tenant):
    with tenant_scope(tenant.id):
        from webapp.keypersons.operations import save_key_person

        person = save_key_person(None, name="孙某", kind="其他", village_id=None, measures="走访", responsible="村支书")
        person_id = person.id
    clerk = login_as("clerk")
    case_id = factories.case(tenant).id
    response = clerk.post(f"/t/alpha/cases/{case_id}/do/assess", data={
        "difficulty": "major", "risk": "may_escalate", "key_persons": str(person_id), "csrf_token": clerk.csrf})
    assert response.status_code == 302
    page = clerk.get(f"/t/alpha/cases/{case_id}").get_data(as_text=True)
    assert "孙某" in page
    assert "1件" in clerk.get("/t/alpha/key-persons/").get_data(as_text=True)
    with tenant_scope(tenant.id):
        assert db.session.get(Case, case_id).limit_days == 60
        assert db.session.get(KeyPerson, person_id).name == "孙某"


def _clock(client, **values):
    data = {"counting": "calendar", "escalate_after_days": "3", "referral_accept_days": "1",
            "assigned_handle_days": "1", "follow_up_grace_days": "3", "quiet_start_hour": "21",
            "quiet_end_hour": "8", "csrf_token": client.csrf}
    data.update(values)
    return client.post("/t/alpha/settings/clock", data=data)


def test_working_days_reach_the_open_cases_at_once_and_are_audited(db, login_as, tenant):
    director = login_as("township_admin")
    case = factories.case(tenant)
    with tenant_scope(tenant.id):
        operations.assess_case(case, factories.member("clerk", tenant), difficulty=Difficulty.ORDINARY,
                               risk=Risk.RESOLVABLE)
        due = case.due_at
    page = director.get("/t/alpha/settings/").get_data(as_text=True)
    assert "立即影响 1 件在办案件的期限" in page
    response = _clock(director, counting="working", escalate_after_days="5")
    assert response.status_code == 302
    assert "已重新计算 1 件在办案件的期限" in director.get("/t/alpha/settings/").get_data(as_text=True)
    with tenant_scope(tenant.id):
        db.session.refresh(case)
        assert case.due_at >= due  # seven working days are at least seven days
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "township.settings"))
    assert row.detail["count_working_days"] == [False, True] and row.detail["escalate_after_days"] == [3, 5]
    assert row.user_id == director.user.id and row.tenant_id == tenant.id


def test_quiet_hours_refuse_bad_hours_beside_the_field_and_keep_the_typing(db, login_as, tenant):
    director = login_as("township_admin")
    response = _clock(director, quiet_start_hour="25", referral_accept_days="0")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "小时数须在0至23之间" in page and 'value="25"' in page
    assert "天数须在1至30之间" in page
    with tenant_scope(tenant.id):
        assert settings_for(tenant.id).quiet_start_hour == 21
