"""The pay pages and files as the director, the county, a mediator and another township see them."""
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests import factories
from tests.pay.helpers import beijing, failed, resolved, schedule
from tests.pay.pages import field, text
from webapp import timelimits
from webapp.cases.models import Difficulty
from webapp.extensions import db
from webapp.pay.models import PayRate
from webapp.pay.rates import ALL_KEYS

# Dates the test counts from today are the dates its pages count from today (``one_moment``).
pytestmark = pytest.mark.usefixtures("one_moment")


def _march(tenant):
    """Two mediators' March: 甲 (part-time) 50 + 100 + 20 = 170.00; 乙 (full-time) 30.00."""
    schedule(tenant, date(2026, 1, 1), mediator_part_time_ordinary_resolved="50",
             mediator_part_time_complex_resolved="100", mediator_part_time_ordinary_failed="20",
             mediator_full_time_ordinary_resolved="30")
    director = factories.member("township_admin", tenant)
    first, second = factories.member("mediator", tenant), factories.member("mediator", tenant)
    one = factories.roster_entry(tenant, user=first.user, name="调解员甲", employment="part_time")
    two = factories.roster_entry(tenant, user=second.user, name="调解员乙", employment="full_time")
    resolved(tenant, director, first, beijing(3, 2), title="=SUM(A1)纠纷")
    resolved(tenant, director, first, beijing(3, 9), title="土地纠纷", difficulty=Difficulty.COMPLEX)
    failed(tenant, director, first, beijing(3, 30), title="邻里纠纷")
    resolved(tenant, director, second, beijing(3, 3), title="婚姻纠纷")
    return one, two, first, second


def _sheet_rows(response, index=0):
    book = load_workbook(BytesIO(response.data))
    return [list(row) for row in book.worksheets[index].iter_rows(values_only=True)]


def test_the_director_reads_the_month_and_each_persons_lines(tenant, login_as):
    one, two, *_ = _march(tenant)
    director = login_as("township_admin")

    page = text(director.get("/t/alpha/pay/?month=2026-03"))
    assert "2026-03：共4件" in page and "¥200.00" in page
    assert "调解员甲" in page and "¥170.00" in page and "调解员乙" in page and "¥30.00" in page

    page = text(director.get(f"/t/alpha/pay/people/{one.id}?month=2026-03"))
    page = " ".join(page.split())
    assert "土地纠纷" in page and "复杂 · 调解成功 · 标准自 2026-01-01 起" in page
    assert "邻里纠纷" in page and "一般 · 调解不成" in page
    assert page.count("¥170.00") == 2  # above and below the lines
    assert "婚姻纠纷" not in page

    assert "本月没有办结结果的案件。" in text(director.get(f"/t/alpha/pay/people/{one.id}?month=2026-02"))


def test_the_xlsx_has_chinese_headers_and_totals_equal_to_the_sum_of_the_lines(tenant, login_as):
    one, two, *_ = _march(tenant)
    director = login_as("township_admin")

    response = director.get(f"/t/alpha/pay/people/{one.id}/export.xlsx?month=2026-03")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    rows = _sheet_rows(response)
    assert rows[1] == ["日期", "案件编号", "案件", "难易程度", "结果", "标准执行起始日", "金额（元）"]
    lines, total = rows[2:-1], rows[-1]
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in lines] == [
        ("2026-03-02", "'=SUM(A1)纠纷", "一般", "调解成功", "2026-01-01"),  # a title is never a formula
        ("2026-03-09", "土地纠纷", "复杂", "调解成功", "2026-01-01"),
        ("2026-03-30", "邻里纠纷", "一般", "调解不成", "2026-01-01"),
    ]
    assert total[0] == "合计"
    assert Decimal(str(total[-1])) == sum(Decimal(str(r[-1])) for r in lines) == Decimal("170")

    response = director.get("/t/alpha/pay/export.xlsx?month=2026-03")
    summary, detail = _sheet_rows(response, 0), _sheet_rows(response, 1)
    assert summary[1] == ["姓名", "身份", "专兼职", "村（社区）", "件数", "金额（元）"]
    people, total = summary[2:-1], summary[-1]
    assert [(r[0], r[1], r[2], r[4], Decimal(str(r[5]))) for r in people] == [
        ("调解员乙", "人民调解员", "专职", 1, Decimal("30")),
        ("调解员甲", "人民调解员", "兼职", 3, Decimal("170")),
    ]
    assert total[4] == 4 and Decimal(str(total[5])) == Decimal("200")
    assert sum(Decimal(str(r[-1])) for r in detail[2:]) == Decimal("200") and len(detail) == 2 + 4


def test_rates_are_set_from_today_on_and_a_bad_amount_is_refused_beside_its_cell(tenant, login_as):
    director = login_as("township_admin")
    form = director.get("/t/alpha/pay/rates/new")
    assert form.status_code == 200
    amounts = {key: "10" for key in ALL_KEYS}
    key = "mediator-part_time-complex-resolved"

    for bad in ("-5", "abc", "1.234"):
        response = director.post("/t/alpha/pay/rates/new", data={
            **amounts, key: bad, "valid_from": timelimits.today().isoformat(), "csrf_token": director.csrf})
        assert response.status_code == 422, bad
        assert "请输入 0 元或以上的金额" in field(text(response), key)
        assert f'value="{bad}"' in field(text(response), key)
    yesterday = (timelimits.today() - timedelta(days=1)).isoformat()
    response = director.post("/t/alpha/pay/rates/new", data={
        **amounts, "valid_from": yesterday, "csrf_token": director.csrf})
    assert response.status_code == 422
    assert "新标准只能从今天或以后的日期起执行" in field(text(response), "valid_from")
    assert db.session.scalar(select(func.count(PayRate.id))) == 0

    tomorrow = timelimits.today() + timedelta(days=1)
    response = director.post("/t/alpha/pay/rates/new", data={
        **amounts, key: "120.5", "valid_from": tomorrow.isoformat(), "csrf_token": director.csrf})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(PayRate.id))) == len(ALL_KEYS)
    page = text(director.get("/t/alpha/pay/rates"))
    assert f"自 {tomorrow.isoformat()} 起" in page and "待执行" in page and "¥120.50" in page


def test_a_mediator_sees_their_own_statement_and_nobody_elses(tenant, login_as, app):
    from tests.conftest import csrf_token, login

    one, two, first, second = _march(tenant)
    # Signed in as the first mediator of the month.
    client = app.test_client()
    login(client, first.user.username)
    client.csrf = csrf_token(client, "/settings")

    page = text(client.get("/t/alpha/pay/mine?month=2026-03"))
    assert "我的以案定补" in page and "调解员甲" in page and "¥170.00" in page and "调解员乙" not in page
    assert client.get(f"/t/alpha/pay/mine/{one.id}.xlsx?month=2026-03").status_code == 200
    assert client.get(f"/t/alpha/pay/mine/{two.id}.xlsx?month=2026-03").status_code == 404
    assert client.get(f"/t/alpha/pay/people/{two.id}").status_code == 403
    assert client.get("/t/alpha/pay/").status_code == 403
    assert client.get("/t/alpha/pay/rates/new").status_code == 403
    assert "本月您不在本镇的人员名册中" in text(login_as("officer").get("/t/alpha/pay/mine"))


def test_the_county_reviews_the_report_but_sets_no_rates(tenant, login_as):
    _march(tenant)
    reviewer = login_as("county_reviewer")
    assert "¥200.00" in text(reviewer.get("/t/alpha/pay/?month=2026-03"))
    assert reviewer.get("/t/alpha/pay/export.xlsx?month=2026-03").status_code == 200
    assert "设定新标准" not in text(reviewer.get("/t/alpha/pay/rates"))
    assert reviewer.get("/t/alpha/pay/rates/new").status_code == 403


def test_another_townships_people_and_cases_never_appear(tenant, other_tenant, login_as):
    from tenants.scope import tenant_scope

    _march(tenant)
    with tenant_scope(other_tenant.id):
        schedule(other_tenant, date(2026, 1, 1), mediator_part_time_ordinary_resolved="7777")
        director = factories.member("township_admin", other_tenant)
        theirs = factories.member("mediator", other_tenant)
        entry_id = factories.roster_entry(other_tenant, user=theirs.user, name="乙镇调解员").id
        resolved(other_tenant, director, theirs, beijing(3, 4), title="乙镇的纠纷")

    client = login_as("township_admin")
    for path in ("/t/alpha/pay/?month=2026-03", "/t/alpha/pay/roster/", "/t/alpha/pay/rates"):
        page = text(client.get(path))
        assert "乙镇调解员" not in page and "7,777" not in page and "乙镇的纠纷" not in page, path
    assert client.get(f"/t/alpha/pay/people/{entry_id}?month=2026-03").status_code == 404
    assert client.get(f"/t/alpha/pay/roster/{entry_id}").status_code == 404
    assert client.get("/t/beta/pay/").status_code == 404
    rows = _sheet_rows(client.get("/t/alpha/pay/export.xlsx?month=2026-03"), 1)
    assert not any("乙镇" in str(cell) for row in rows[1:] for cell in row)
