"""The tables of the figures pages, built once and shown three ways: on the page, as CSV (UTF-8
with a byte-order mark, so Excel opens Chinese correctly) and as XLSX (one sheet per table).
Headers are in the user's language (zh_CN by default); rates go to XLSX as numbers formatted
as percentages, to CSV and the page as the same rounded text.
"""
import io
from dataclasses import dataclass, field

from flask import Response
from flask_babel import gettext as _, lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from webapp import downloads, spreadsheets
from webapp.figures.charts import percent
from webapp.figures.definitions import BREAKDOWN_DEFINITIONS, FIGURES, TABLE
from webapp.labels import label, label_sets, register


@dataclass
class Table:
    key: str
    title: object
    header: list            # column titles
    rows: list              # lists of cells: str, int, or Rate
    definition: object = ""
    marks: list = field(default_factory=list)  # per row: the set of column indexes falling short


@dataclass(frozen=True)
class Rate:
    value: float | None

    def __str__(self):
        return percent(self.value)


def cell_text(cell) -> str:
    return "" if cell is None else str(cell)


def _labels():
    return label_sets()


def _figure_cells(row) -> list:
    return [Rate(row[k]) if FIGURES[k].is_rate else row[k] for k in TABLE]


def _figure_header(first) -> list:
    return [first] + [str(FIGURES[k].label) for k in TABLE]


def _marks(row) -> set:
    return {1 + TABLE.index(k) for k in row["shortfalls"] if k in TABLE}


def figures_table(rows, total, first_header, names, key="figures", title=None) -> Table:
    """Rows of figures (townships or villages) with a total row (if ``total``) last."""
    table = Table(key, title or _l("Figures"), _figure_header(first_header), [],
                  _l("Each figure is defined under the table."))
    for row, name in zip(rows, names):
        table.rows.append([name] + _figure_cells(row))
        table.marks.append(_marks(row))
    if total is not None:
        table.rows.append([_("Total")] + _figure_cells(total))
        table.marks.append(_marks(total))
    return table


def breakdown_tables(columns, names) -> list[Table]:
    """Counts by category, source, risk, difficulty and light: one column per item of
    ``columns`` (rows of figures: a township each, then the total), titled by ``names``."""
    labels = _labels()
    header = lambda first: [first] + list(names)  # noqa: E731
    tables = []
    categories = []
    for row in columns:
        for name, _n in row["by_category"]:
            if name not in categories:
                categories.append(name)
    cat = Table("category", _l("By category"), header(_("Category")), [], BREAKDOWN_DEFINITIONS["category"])
    for name in categories:
        cat.rows.append([str(label("category", name)) if name else _("No category")]
                        + [dict(r["by_category"]).get(name, 0) for r in columns])
    tables.append(cat)
    for key, title, first, label_key in (("source", _l("By source"), _l("Source"), "source"),
                                         ("risk", _l("By risk"), _l("Risk"), "risk"),
                                         ("difficulty", _l("By difficulty"), _l("Difficulty"), "difficulty"),
                                         ("level", _l("By level"), _l("Level"), "level")):
        t = Table(key, title, header(str(first)), [], BREAKDOWN_DEFINITIONS[key])
        for code, text in labels[label_key].items():
            t.rows.append([str(text)] + [r[f"by_{key}"][code.value] for r in columns])
        if key in ("risk", "difficulty"):
            t.rows.append([_("Not yet assessed")] + [r["registered"] - sum(r[f"by_{key}"].values()) for r in columns])
        tables.append(t)
    light = Table("light", _l("Time-limit lights"), header(_("Light")), [], BREAKDOWN_DEFINITIONS["light"])
    for code, text in LIGHT_LABELS.items():
        light.rows.append([str(text)] + [r["lights"][code] for r in columns])
    tables.append(light)
    return tables


LIGHT_LABELS = register("light", {"green": _l("Green"), "yellow": _l("Yellow"), "red": _l("Red"),
                                   "paused": _l("Paused")})


def trend_table(row) -> Table:
    t = Table("trend", _l("Monthly trend"), [_("Month"), _("Registered"), _("Brought to an end")], [],
              BREAKDOWN_DEFINITIONS["trend"])
    for item in row["trend"]:
        t.rows.append([item["month"].key, item["registered"], item["settled"]])
    return t


def department_table(rows) -> Table:
    t = Table("department", _l("Referrals by department"),
              [_("Department"), _("Referred"), _("Accepted in time"), _("Resolved by the department"),
               _("Returned"), _("Still open"), _("Success rate")], [], BREAKDOWN_DEFINITIONS["department"])
    for d in rows:
        t.rows.append([d["name"], d["referred"], d["accepted_in_time"], d["succeeded"], d["returned"], d["open"],
                       Rate(d["success_rate"])])
    return t


# -- the files ---------------------------------------------------------------------------------


def csv_response(table: Table, filename: str, preface=()) -> Response:
    rows = [*preface, table.header, *([cell_text(c) for c in row] for row in table.rows)]
    return Response(spreadsheets.csv_text(rows).encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _attachment(filename)})


def xlsx_response(tables, filename: str, preface=()) -> Response:
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(str(table.title)))
        for line in preface:
            spreadsheets.append(sheet, line)
        spreadsheets.append(sheet, table.header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in table.rows:
            spreadsheets.append(sheet, [c.value if isinstance(c, Rate) else c for c in row])
            for value, cell in zip(row, sheet[sheet.max_row]):
                if isinstance(value, Rate):
                    cell.number_format = "0.0%"
        sheet.column_dimensions["A"].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": _attachment(filename)})


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]


def _attachment(filename: str) -> str:
    return downloads.disposition(filename, fallback="figures-" + filename)
