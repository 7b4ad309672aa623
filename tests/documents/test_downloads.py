"""Downloads are named in Chinese (芒棒〔2026〕第0049号-调解协议书-第1版.pdf) with an ASCII name
beside it; the county's ZIP lists its files in case-number order, and its form's days are
Beijing days."""
import io
import re
import zipfile
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from sqlalchemy import select

from tests.cases.builders import S, Staff, case_in
from tests.documents.test_access import _ready_case_file
from webapp import downloads
from webapp.documents.models import Document
from webapp.types import clock_at
from worker.jobs import render_document


def test_a_chinese_name_goes_out_as_rfc_5987_with_an_ascii_name_beside_it():
    name = "芒棒〔2026〕第0049号-调解协议书-第1版.pdf"
    header = downloads.disposition(name, fallback="2026-0049-agreement-v1.pdf")
    assert header == ("attachment; filename=\"2026-0049-agreement-v1.pdf\"; "
                      f"filename*=UTF-8''{quote(name)}")
    assert downloads.disposition(name).startswith('attachment; filename="2026-0049-1.pdf";')
    assert downloads.disposition("report.csv") == 'attachment; filename="report.csv"'
    assert downloads.ascii_name('甲"乙.pdf') == "download.pdf"
    assert downloads.disposition("照片.png", inline=True).startswith('inline; filename="download.png"')


def _filename_star(response) -> str:
    from urllib.parse import unquote

    header = response.headers["Content-Disposition"]
    assert re.search(r'filename="[\x20-\x7e]+"', header), header
    return unquote(header.split("filename*=UTF-8''", 1)[1])


def test_case_documents_and_exports_are_named_in_chinese(db, tenant, login_as):
    case = case_in(S.CLOSED, Staff(tenant))
    document = _ready_case_file(db, case)
    director = login_as("township_admin")

    for url in (f"/t/alpha/cases/{case.id}/file.pdf", f"/t/alpha/cases/{case.id}/documents/{document.id}.pdf"):
        response = director.get(url)
        assert response.status_code == 200
        assert _filename_star(response) == f"{case.number}-卷宗-第{document.version}版.pdf"
        assert f'filename="{case.year}-{case.seq:04d}-case-file-v{document.version}.pdf"' in \
            response.headers["Content-Disposition"]

    figures = director.get("/t/alpha/figures/export.xlsx?period=2026-H1")
    assert _filename_star(figures) == f"{tenant.name}-2026-H1.xlsx"
    county = login_as("county_reviewer").get("/county/export.csv?period=2026-Q3")
    assert _filename_star(county).endswith("-2026-Q3.csv")


def test_the_zip_takes_todays_beijing_date_and_lists_its_files_in_case_number_order(db, tenant, login_as):
    """00:30 in Beijing is still yesterday in UTC: the form's "归档日期至" is Beijing's today,
    so a case archived a minute ago is in the ZIP."""
    staff = Staff(tenant)
    late = datetime(2026, 3, 31, 16, 30, tzinfo=timezone.utc)  # 2026-04-01 00:30 in Beijing
    with clock_at(late - timedelta(days=2)):
        cases = [case_in(S.ARCHIVED, staff) for _ in range(3)]
    # Archived in another order than their numbers: the last number first, the first one last.
    for case, ago in zip(cases, (timedelta(minutes=1), timedelta(hours=5), timedelta(days=1))):
        case.archived_at = late - ago
    for case in cases:
        _ready_case_file(db, case, f"%PDF {case.number}".encode())
    db.session.commit()

    county = login_as("county_reviewer")
    with clock_at(late):
        page = county.get("/county/case-files/").get_data(as_text=True)
        end = re.search(r'name="end"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="end"', page)
        start = re.search(r'name="start"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="start"', page)
        assert (start[1], end[1]) == ("2026-01-01", "2026-04-01")
        county.post("/county/case-files/", data={"csrf_token": county.csrf, "township": tenant.id,
                                                 "start": start[1], "end": end[1]})
        document = db.session.scalar(select(Document).where(Document.kind == "archive_zip"))
        assert render_document(tenant.id, document.id) == "ready"
        response = county.get(f"/county/case-files/{document.id}.zip")
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    assert names == [f"{c.number}.pdf" for c in cases] + ["清单.csv"]
    assert _filename_star(response) == f"{tenant.name}_2026-01-01—2026-04-01_归档卷宗.zip"
