"""The pay report as XLSX, with Chinese headers (the interface language), for the township's
finance office. Amounts are numbers with two decimals, and each total is the sum of the
lines above it, written as a value so that any reader sees the same figure as the page."""
from io import BytesIO

from flask_babel import gettext as _
from flask_babel import ngettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from webapp import downloads, spreadsheets
from webapp.pay.rates import DIFFICULTY_LABELS, EMPLOYMENT_LABELS, KIND_LABELS, OUTCOME_LABELS

MONEY = "#,##0.00"


def _line_headers():
    return [_("Date"), _("Case number"), _("Case"), _("Difficulty"), _("Outcome"), _("Rate in force from"),
            _("Amount (yuan)")]


def _line_row(line):
    return [line.day.isoformat(), line.number, line.title, str(DIFFICULTY_LABELS[line.difficulty]),
            str(OUTCOME_LABELS[line.outcome]), line.rate_from.isoformat() if line.rate_from else _("No rate set"),
            line.amount]


def _person(entry) -> list:
    return [entry.name, str(KIND_LABELS[entry.kind]), str(EMPLOYMENT_LABELS[entry.employment]),
            entry.village.name if entry.village else ""]


def _sheet(sheet, title_row, headers, rows, total=None, money_columns=()):
    spreadsheets.append(sheet, title_row)
    sheet["A1"].font = Font(bold=True)
    spreadsheets.append(sheet, headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        spreadsheets.append(sheet, row)
    if total is not None:
        spreadsheets.append(sheet, total)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for column in money_columns:
        for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            cell.number_format = MONEY
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[index - 1])) for r in rows] + [6])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width * 2 + 2)


def statement_workbook(tenant, stmt) -> bytes:
    """One person's month: a line per case, then the total."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(stmt.month)
    person = _person(stmt.entry)
    title = [_("%(township)s per-case pay %(month)s: %(name)s (%(kind)s, %(employment)s)",
               township=tenant.name, month=str(stmt.month), name=person[0], kind=person[1], employment=person[2])]
    rows = [_line_row(line) for line in stmt.lines]
    total = [_("Total"), ngettext("%(num)d case", "%(num)d cases", len(rows)), "", "", "", "", stmt.total]
    _sheet(sheet, title, _line_headers(), rows, total, money_columns=(7,))
    return _save(book)


def summary_workbook(tenant, month, rows, statements) -> bytes:
    """The township's month: one row per person, then every line of every person."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")
    headers = [_("Name"), _("Serves as"), _("Employment"), _("Village"), _("Number of cases"), _("Amount (yuan)")]
    body = [_person(r.entry) + [r.cases, r.total] for r in rows]
    total = [_("Total"), "", "", "", sum(r.cases for r in rows), sum((r.total for r in rows), start=0)]
    _sheet(sheet, [_("%(township)s per-case pay %(month)s", township=tenant.name, month=str(month))],
           headers, body, total, money_columns=(6,))
    lines = book.create_sheet(_("Lines"))
    headers = [_("Name")] + _line_headers()
    body = [[stmt.entry.name] + _line_row(line) for stmt in statements for line in stmt.lines]
    _sheet(lines, [_("%(township)s per-case pay %(month)s: every case", township=tenant.name, month=str(month))],
           headers, body, money_columns=(8,))
    return _save(book)


def attachment(filename: str) -> str:
    """A Content-Disposition that carries a Chinese file name (webapp.downloads)."""
    return downloads.disposition(filename, fallback="pay-" + filename)


def _save(book) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()
