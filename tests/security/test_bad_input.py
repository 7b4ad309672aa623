"""Ordinary bad input that answered 500 on PostgreSQL: each now gets a 4xx with a Chinese
message and writes nothing (rows and files). The rules behind them (webapp.input_rules): form
lengths follow the columns they fill, control characters are refused at the edge, numbers and
days are range-checked, and a file is kept only with the row that records it."""
import io

import pytest
from sqlalchemy import text

from tenants.scope import tenant_scope
from tests import factories
from tests.security.rows import changed, row_counts

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _refused(response, status, message):
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[-500:]
    assert message in body


def test_an_assessment_tag_longer_than_its_column_is_refused(db, tenant, login_as):
    clerk = login_as("clerk")
    case_id = factories.case(tenant).id
    before = row_counts()
    response = clerk.post(f"/t/alpha/cases/{case_id}/do/assess", data={
        "difficulty": "major", "risk": "may_escalate", "key_areas": "村东," + "长" * 41, "csrf_token": clerk.csrf})
    _refused(response, 422, "每一项最多40个字。")
    assert changed(before, row_counts()) == {}
    # The same tag twice is one tag, not a duplicate row.
    response = clerk.post(f"/t/alpha/cases/{case_id}/do/assess", data={
        "difficulty": "major", "risk": "may_escalate", "key_areas": "村东，村东", "csrf_token": clerk.csrf})
    assert response.status_code == 302


@pytest.mark.parametrize("where", ["title", "narrative", "party_name"])
def test_a_nul_in_any_text_field_is_refused_at_the_edge(db, tenant, login_as, where):
    clerk = login_as("clerk")
    before = row_counts()
    data = {"title": "邻里纠纷", "source": "visit", "narrative": "", "party_name": "", "csrf_token": clerk.csrf}
    data[where] = "甲\x00乙"
    _refused(clerk.post("/t/alpha/cases/new", data=data), 400, "表单中含有不可见的控制字符")
    assert changed(before, row_counts()) == {}


@pytest.mark.parametrize("query, message", [
    ("q=%00", "网址中含有不能使用的字符"),
    ("q=%1b%5B2J", "网址中含有不能使用的字符"),
    ("page=" + "9" * 20, "数字超出范围"),
    ("village=" + "9" * 20, "数字超出范围"),
    ("page=-" + "9" * 20, "数字超出范围"),
])
def test_bad_query_arguments_of_the_case_list_are_refused(db, tenant, login_as, query, message):
    _refused(login_as("clerk").get(f"/t/alpha/cases/?{query}"), 400, message)


@pytest.mark.parametrize("query", ["period=9999", "period=1999", "from=0001-01-01&to=0001-12-31",
                                   "from=9999-01-01&to=9999-12-31"])
def test_periods_outside_the_years_counted_are_refused(db, tenant, login_as, query):
    response = login_as("township_admin").get(f"/t/alpha/figures/?{query}")
    assert 400 <= response.status_code < 500
    assert ("2000" in response.get_data(as_text=True) or "1900" in response.get_data(as_text=True))


def test_an_attachment_name_longer_than_its_column_is_refused_and_no_file_is_left(db, tenant, login_as,
                                                                                 storage_dir):
    clerk = login_as("clerk")
    case_id = factories.case(tenant).id
    before = row_counts()
    response = clerk.post(f"/t/alpha/cases/{case_id}/attachments", data={
        "csrf_token": clerk.csrf, "file": (io.BytesIO(PNG), "长" * 250 + ".png")})
    _refused(response, 422, "文件名超过200个字符")
    assert changed(before, row_counts()) == {}
    assert _files(storage_dir) == []


def test_a_file_is_kept_only_with_the_row_that_records_it(app, db, tenant, storage_dir):
    from webapp.cases import operations
    from webapp.extensions import db as _db
    from webapp.storage import DirectoryStorage

    case = factories.case(tenant)
    director = factories.member("township_admin", tenant)
    storage = DirectoryStorage(str(storage_dir))
    with tenant_scope(tenant.id):
        _db.session.commit()
        operations.add_attachment(case, director, filename="现场.png", content_type="image/png", data=PNG,
                                  storage=storage)
        assert len(_files(storage_dir)) == 1
        _db.session.rollback()  # the request failed after the file was written
        assert _files(storage_dir) == []
        operations.add_attachment(case, director, filename="现场.png", content_type="image/png", data=PNG,
                                  storage=storage)
        _db.session.commit()
    assert len(_files(storage_dir)) == 1


def test_a_nul_that_got_into_sqlite_does_not_break_the_xlsx_exports(db, tenant, login_as):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL takes no NUL in text")
    department = factories.department_of(tenant)
    with tenant_scope(tenant.id):
        db.session.execute(text("UPDATE departments SET name = :name WHERE id = :id"),
                           {"name": "派出\x00所\x1b", "id": department.id})
        db.session.commit()
    director = login_as("township_admin")
    response = director.get("/t/alpha/figures/export.xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    cells = [c.value for sheet in load_workbook(io.BytesIO(response.get_data())) for row in sheet.iter_rows()
             for c in row]
    assert "派出所" in cells
