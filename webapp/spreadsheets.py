"""Every CSV and XLSX the service writes goes through here, so that what a user typed is read
back as text by whoever opens the file.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading a formula) would run as a formula in Excel or WPS: a case
titled ``=HYPERLINK(…)`` in the county's ZIP manifest would be a link the reviewer clicks.
Such text gets a leading ``'``, the spreadsheets' own mark for "this is text". XLSX cannot
hold control characters at all; any that got into the database (SQLite takes a NUL) are
dropped, so that one bad title does not break a whole export.
"""
import csv
import io
import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell(value):
    """One cell as it is safe to write: numbers, dates and empty cells as they are, text
    without control characters and never read as a formula."""
    if hasattr(value, "__html__") and not isinstance(value, str):
        value = str(value)  # a translated label
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def row(values) -> list:
    return [cell(v) for v in values]


def csv_text(rows) -> str:
    """The rows as CSV with a byte-order mark (Excel then reads the Chinese as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for values in rows:
        writer.writerow(row(values))
    return out.getvalue()


def append(sheet, values) -> None:
    """One row at the foot of an openpyxl sheet."""
    sheet.append(row(values))
