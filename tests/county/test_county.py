"""The county creates townships; reviewers only read."""
from sqlalchemy import func, select

from tenants.models import Tenant


def test_county_admin_creates_a_township_and_goes_on_to_add_its_director(db, login_as):
    admin = login_as("county_admin")
    response = admin.post("/county/townships", data={"name": "清水乡", "slug": "qingshui", "csrf_token": admin.csrf})
    assert response.status_code == 302 and response.headers["Location"] == "/t/qingshui/staff/"
    page = admin.get("/t/qingshui/staff/").get_data(as_text=True)
    assert "已创建清水乡" in page
    assert "清水乡" in admin.get("/county/").get_data(as_text=True)


def test_bad_slug_is_explained_and_typing_kept(db, login_as):
    admin = login_as("county_admin")
    before = db.session.scalar(select(func.count(Tenant.id)))
    response = admin.post("/county/townships", data={"name": "清水乡", "slug": "Qing Shui", "csrf_token": admin.csrf})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "只能使用小写字母、数字和" in page and 'value="清水乡"' in page
    assert db.session.scalar(select(func.count(Tenant.id))) == before


def test_taken_slug_is_refused(db, login_as, tenant):
    admin = login_as("county_admin")
    response = admin.post("/county/townships", data={"name": "另一个", "slug": "alpha", "csrf_token": admin.csrf})
    assert response.status_code == 422
    assert "已被其他乡镇使用" in response.get_data(as_text=True)


def test_reviewer_sees_the_townships_but_no_form(login_as, other_tenant):
    page = login_as("county_reviewer").get("/county/").get_data(as_text=True)
    assert "甲镇" in page and "乙镇" in page
    assert "新建乡镇" not in page
