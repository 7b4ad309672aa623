"""Periods the figures are counted over: a month, a quarter, a half-year, a year, or any range
of days. Days are Beijing calendar days (what people count in); a period is the half-open
span [start, end) of moments from the first day's midnight to the midnight after the last.

Query arguments: ``?period=2026-07`` (month), ``2026-Q3`` (quarter), ``2026-H1`` (half-year),
``2026`` (year), or ``?from=2026-01-15&to=2026-03-31`` (a custom range, both days included).
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import request
from flask_babel import lazy_gettext as _l

from webapp.timelimits import BEIJING, today

MAX_DAYS = 366 * 5  # a custom range covers at most five years
YEARS = (2000, 2100)  # what the service counts over (and what a date can be shifted within)


class BadPeriod(ValueError):
    """The query arguments name no period; ``message`` says why, for the person who typed it."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Days ``first`` to ``last``, both included; ``kind`` is month, quarter, half, year or range."""

    first: date
    last: date
    kind: str = "range"

    def __post_init__(self):
        if not (YEARS[0] <= self.first.year and self.last.year <= YEARS[1]):
            raise BadPeriod(_l("Give a period between the years 2000 and 2100."))
        if self.last < self.first:
            raise BadPeriod(_l("The end of the period comes before its start."))

    # -- constructors ----------------------------------------------------------------------

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        first = date(year, month, 1)
        return cls(first, _add_months(first, 1) - timedelta(days=1), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = date(year, 3 * (quarter - 1) + 1, 1)
        return cls(first, _add_months(first, 3) - timedelta(days=1), "quarter")

    @classmethod
    def half(cls, year: int, half: int) -> "Period":
        first = date(year, 1 if half == 1 else 7, 1)
        return cls(first, _add_months(first, 6) - timedelta(days=1), "half")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def between(cls, first: date, last: date) -> "Period":
        if (last - first).days >= MAX_DAYS:
            raise BadPeriod(_l("A period covers at most five years."))
        return cls(first, last, "range")

    @classmethod
    def current_half(cls, day: date | None = None) -> "Period":
        """The half-year of ``day`` (today in Beijing by default): what the joint meetings review."""
        day = day or today()
        return cls.half(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def of(cls, kind: str, day: date) -> "Period":
        """The month, quarter, half-year or year that ``day`` falls in."""
        if kind == "month":
            return cls.month(day.year, day.month)
        if kind == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == "half":
            return cls.half(day.year, 1 if day.month <= 6 else 2)
        return cls.year(day.year)

    @classmethod
    def last_months(cls, count: int = 12, day: date | None = None) -> "Period":
        """The ``count`` calendar months up to and including the month of ``day`` (today in Beijing)."""
        day = day or today()
        first = _add_months(day.replace(day=1), 1 - count)
        return cls(first, _add_months(day.replace(day=1), 1) - timedelta(days=1), "range")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """``2026-07``, ``2026-Q3``, ``2026-H1`` or ``2026``."""
        text = (text or "").strip().upper()
        try:
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                if 1 <= int(m[2]) <= 12:
                    return cls.month(int(m[1]), int(m[2]))
            elif m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
                return cls.quarter(int(m[1]), int(m[2]))
            elif m := re.fullmatch(r"(\d{4})-H([12])", text):
                return cls.half(int(m[1]), int(m[2]))
            elif m := re.fullmatch(r"(\d{4})", text):
                return cls.year(int(m[1]))
        except ValueError:
            pass
        raise BadPeriod(_l("Give a period like 2026, 2026-H1, 2026-Q3 or 2026-07."))

    @classmethod
    def from_args(cls, args, default: "Period | None" = None) -> "Period":
        """The period of a request's query arguments; the current half-year when none is given."""
        start, end = (args.get("from") or "").strip(), (args.get("to") or "").strip()
        if start or end:
            try:
                first, last = date.fromisoformat(start), date.fromisoformat(end)
            except ValueError:
                raise BadPeriod(_l("Give both days of the range as YYYY-MM-DD.")) from None
            return cls.between(first, last)
        if args.get("period"):
            return cls.parse(args["period"])
        return default or cls.current_half()

    # -- what a period is ------------------------------------------------------------------

    @property
    def start(self) -> datetime:
        """The first moment of the period (midnight in Beijing, aware)."""
        return datetime.combine(self.first, time.min, tzinfo=BEIJING)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=BEIJING)

    @property
    def key(self) -> str:
        """What ``parse`` reads back (``2026-H1``), or ``2026-01-15..2026-03-31`` for a range."""
        y = self.first.year
        return {
            "month": f"{y}-{self.first.month:02d}",
            "quarter": f"{y}-Q{(self.first.month - 1) // 3 + 1}",
            "half": f"{y}-H{1 if self.first.month == 1 else 2}",
            "year": f"{y}",
        }.get(self.kind, f"{self.first.isoformat()}..{self.last.isoformat()}")

    def query_args(self) -> dict:
        """The query arguments that name this period (for links and exports)."""
        if self.kind == "range":
            return {"from": self.first.isoformat(), "to": self.last.isoformat()}
        return {"period": self.key}

    def months(self) -> list["Period"]:
        """The calendar months the period touches, each cut to the period (for monthly trends)."""
        out, first = [], self.first
        while first <= self.last:
            month_end = _add_months(first.replace(day=1), 1) - timedelta(days=1)
            last = min(month_end, self.last)
            kind = "month" if first.day == 1 and last == month_end else "range"
            out.append(Period(first, last, kind))
            first = last + timedelta(days=1)
        return out

    def previous(self) -> "Period":
        """The period of the same kind just before (for the picker)."""
        if self.kind == "month":
            d = _add_months(self.first, -1)
            return Period.month(d.year, d.month)
        if self.kind == "quarter":
            d = _add_months(self.first, -3)
            return Period.quarter(d.year, (d.month - 1) // 3 + 1)
        if self.kind == "half":
            d = _add_months(self.first, -6)
            return Period.half(d.year, 1 if d.month == 1 else 2)
        if self.kind == "year":
            return Period.year(self.first.year - 1)
        length = self.last - self.first
        return Period(self.first - length - timedelta(days=1), self.first - timedelta(days=1))

    def next(self) -> "Period":
        if self.kind == "month":
            d = _add_months(self.first, 1)
            return Period.month(d.year, d.month)
        if self.kind == "quarter":
            d = _add_months(self.first, 3)
            return Period.quarter(d.year, (d.month - 1) // 3 + 1)
        if self.kind == "half":
            d = _add_months(self.first, 6)
            return Period.half(d.year, 1 if d.month == 1 else 2)
        if self.kind == "year":
            return Period.year(self.first.year + 1)
        length = self.last - self.first
        return Period(self.last + timedelta(days=1), self.last + length + timedelta(days=1))

    def label(self) -> str:
        """How the period reads on the page and in exports."""
        y, m = self.first.year, self.first.month
        if self.kind == "month":
            return str(_l("%(month)s/%(year)s", year=y, month=m))
        if self.kind == "quarter":
            return str(_l("Q%(quarter)s %(year)s", year=y, quarter=(m - 1) // 3 + 1))
        if self.kind == "half":
            return str(_l("First half of %(year)s", year=y) if m == 1 else _l("Second half of %(year)s", year=y))
        if self.kind == "year":
            return str(_l("Year %(year)s", year=y))
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


# What the period picker offers, newest first: how many of each kind back from today.
CHOICES = (("month", 24), ("quarter", 12), ("half", 8), ("year", 6))
KIND_NAMES = {"month": _l("Month"), "quarter": _l("Quarter"), "half": _l("Half-year"), "year": _l("Year")}


def picker_choices(selected: "Period", day: date | None = None) -> list:
    """``[(kind name, [(key, label), …]), …]``: the periods a select offers, by kind, the
    selected one among them even when it is older than the list reaches."""
    day = day or today()
    groups = []
    for kind, count in CHOICES:
        period, options = Period.of(kind, day), []
        for _ in range(count):
            options.append((period.key, period.label()))
            try:
                period = period.previous()
            except BadPeriod:
                break
        if selected.kind == kind and selected.key not in dict(options):
            options.append((selected.key, selected.label()))
        groups.append((KIND_NAMES[kind], options))
    return groups


def period_from_request() -> tuple["Period", object]:
    """The period the query arguments name, or the current half-year and why they named none."""
    try:
        return Period.from_args(request.args), None
    except BadPeriod as bad:
        return Period.current_half(), bad.message
