"""The county dashboard, a township's figures page, their charts and exports, and who sees what."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook


def _rows(page):
    """The figures table as {row head: [cells]} (text only)."""
    table = page.split('id="table-figures"', 1)[1].split("</table>", 1)[0]
    out = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        head = re.search(r'<th scope="row">(.*?)(?:<span class="row-links">|</th>)', tr, re.S)
        if head:
            cells = [re.sub(r"<[^>]+>|▼.*", "", c, flags=re.S).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            out[head.group(1).strip()] = cells
    return out


@pytest.fixture
def county_page(half_year, login_as, frozen):
    client = login_as("county_reviewer")
    response = client.get("/county/?period=2026-H1")
    assert response.status_code == 200
    return client, response.get_data(as_text=True)


def test_dashboard_shows_every_township_and_the_total_with_shortfalls_marked(county_page):
    _, page = county_page
    rows = _rows(page)
    assert set(rows) >= {"甲镇", "乙镇"} and len(rows) == 3  # and the total
    alpha, beta = rows["甲镇"], rows["乙镇"]
    assert alpha[:5] == ["13", "84.6%", "66.7%", "38.5%", "33.3%"]
    assert beta[:5] == ["2", "100.0%", "100.0%", "100.0%", "100.0%"]
    assert list(rows.values())[-1][:2] == ["15", "86.7%"]
    table = page.split('id="table-figures"', 1)[1].split("</table>", 1)[0]
    alpha_tr = next(tr for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "甲镇" in tr)
    beta_tr = next(tr for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "乙镇" in tr)
    assert alpha_tr.count('class="short"') == 3 and 'class="short"' not in beta_tr
    # click through to the township's figures, board, cases and flags
    for path in ("/t/alpha/figures/?period=2026-H1", "/t/alpha/board/", "/t/alpha/cases/", "/t/alpha/flags/"):
        assert f'href="{path}"' in page


def _comparisons(client, page):
    """The dashboard's comparison charts, loaded when scrolled to, as HTMX would."""
    hrefs = [href for href in re.findall(r'hx-get="([^"]+)"', page) if "/compare?" in href]
    assert len(hrefs) == 4
    return "".join(client.get(href.replace("&amp;", "&"), headers={"HX-Request": "true"}).get_data(as_text=True)
                   for href in hrefs)


def test_charts_are_inline_svg_with_the_numbers(county_page):
    client, page = county_page
    page = page + _comparisons(client, page)
    charts = re.findall(r"<svg class=\"chart\".*?</svg>", page, re.S)
    assert len(charts) >= 7
    for svg in charts:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and "viewBox" in svg
    comparison = next(svg for svg in charts if "84.6%" in svg)  # 调处率 by township
    assert "100.0%" in comparison and "甲镇" in comparison
    lights = next(svg for svg in charts if 'fill="#d9a400"' in svg)
    assert re.findall(r">(\d+)</text>", lights) == ["1", "1", "3", "1"]  # green, yellow, red, paused
    for svg in charts:  # drawn on the server: no script, nothing fetched from elsewhere
        assert "<script" not in svg and "href=" not in svg


def test_the_page_charts_a_table_beside_each_chart(county_page):
    client, page = county_page
    page = page + _comparisons(client, page)
    assert page.count('class="card chart-card"') == page.count("<svg class=\"chart\"")
    for card in page.split('class="card chart-card"')[1:]:
        card = card.split("</section>", 1)[0]
        assert "<svg" in card and "<table" in card


def test_a_comparison_is_a_page_of_its_own_too(county_page):
    """Without JavaScript the form's button opens the chart and its table as a page."""
    client, page = county_page
    href = re.search(r'hx-get="(/county/compare\?[^"]+)"', page).group(1).replace("&amp;", "&")
    full = client.get(href).get_data(as_text=True)
    assert "<html" in full and "<svg" in full and "甲镇" in full
    assert client.get("/county/compare?figure=nonsense&period=2026-H1").status_code == 404


def test_the_dashboard_stays_small_per_township(county_page):
    """The breakdowns show the county total on the page (one column), per township in the downloads."""
    _, page = county_page
    category = page.split('id="table-category"', 1)[1].split("</table>", 1)[0]
    header = re.findall(r'<th scope="col">(.*?)</th>', category)
    assert len(header) == 2  # the item, the county total


def test_csv_has_a_bom_and_the_numbers_of_the_page(county_page):
    client, page = county_page
    response = client.get("/county/export.csv?period=2026-H1")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, data = lines[1], {line[0]: line[1:] for line in lines[2:]}
    assert header[0] == "镇" and len(header) == 16
    rows = _rows(page)
    assert data["甲镇"] == rows["甲镇"] and data["乙镇"] == rows["乙镇"]


def test_xlsx_has_every_table_with_the_same_numbers(county_page):
    client, page = county_page
    response = client.get("/county/export.xlsx?period=2026-H1")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert len(book.sheetnames) == 8  # figures, trend, category, source, risk, difficulty, level, lights
    sheet = book.worksheets[0]
    values = list(sheet.values)
    header = values[1]
    assert header[0] == "镇"
    alpha = next(row for row in values if row[0] == "甲镇")
    assert alpha[1] == 13 and alpha[2] == pytest.approx(11 / 13)
    assert sheet.cell(row=3, column=3).number_format == "0.0%"


def test_exports_speak_the_users_language(county_page):
    """The header row follows the interface: Chinese by default, English when chosen."""
    client, _ = county_page
    zh = client.get("/county/export.csv?period=2026-H1").get_data().decode("utf-8-sig").splitlines()[1]
    assert zh.split(",")[:6] == ["镇", "受理数", "调处率", "成功率", "化解率", "归档率"]
    client.get("/county/?lang=en")
    en = client.get("/county/export.csv?period=2026-H1").get_data().decode("utf-8-sig").splitlines()[1]
    assert "Mediation coverage" in en


def test_a_bad_period_is_explained_and_the_typing_kept(half_year, login_as):
    client = login_as("county_reviewer")
    response = client.get("/county/?period=2026-H7")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="period-error"' in page and 'value="2026-H7"' in page
    assert client.get("/county/export.csv?period=2026-H7").status_code == 422


def test_a_township_sees_its_own_figures_only(half_year, login_as, frozen):
    client = login_as("mediator")
    page = client.get("/t/alpha/figures/?period=2026-H1").get_data(as_text=True)
    assert _rows(page)  # the figures table
    assert "84.6%" in page and "<svg" in page
    assert client.get("/t/beta/figures/").status_code == 404
    assert client.get("/t/beta/figures/export.csv").status_code == 404
    assert client.get("/county/").status_code == 403
    assert client.get("/county/export.csv").status_code == 403
    lines = client.get("/t/alpha/figures/export.csv?period=2026-H1").get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("甲镇") and lines[2].split(",")[1] == "13"
    book = load_workbook(io.BytesIO(client.get("/t/alpha/figures/export.xlsx?period=2026-H1").get_data()))
    villages = book.worksheets[1]
    assert [row[1] for row in villages.values][2:] == [2, 11]


def test_a_liaison_has_no_figures(half_year, login_as):
    assert login_as("liaison").get("/t/alpha/figures/").status_code == 403


@pytest.mark.parametrize("path", ["/county/export.csv", "/county/export.xlsx", "/county/"])
def test_county_roles_only_read(half_year, login_as, path):
    client = login_as("county_reviewer")
    assert client.post(path, data={"csrf_token": client.csrf}).status_code == 405
    # a reviewer reads a township's figures, read-only
    assert client.get("/t/alpha/figures/?period=2026-H1").status_code == 200
