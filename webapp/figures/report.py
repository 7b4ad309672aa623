"""What a figures page shows, built from the queries: the tables (also exported) and the charts.
The county dashboard and a township's own figures page differ only in their rows."""
from flask_babel import gettext as _

from webapp.figures import charts
from webapp.labels import label
from webapp.figures.charts import percent
from webapp.figures.definitions import BREAKDOWN_DEFINITIONS, FIGURES, TABLE
from webapp.figures.exports import (
    LIGHT_LABELS, Rate, Table, breakdown_tables, department_table, figures_table, trend_table,
)

KEY_FIGURES = ("registered", "mediation_rate", "success_rate", "resolution_rate", "archive_rate", "on_time_rate",
               "follow_up_rate", "fulfilment_rate", "overdue", "flags")


def tiles(row) -> list[dict]:
    """The headline figures of one row, for the tiles at the top of a page."""
    out = []
    for key in KEY_FIGURES:
        figure = FIGURES[key]
        value = row[key]
        out.append({"key": key, "label": figure.label, "definition": figure.definition,
                    "text": percent(value) if figure.is_rate else str(value),
                    "benchmark": percent(figure.benchmark) if figure.benchmark is not None else None,
                    "short": key in row["shortfalls"]})
    return out


def trend_chart(row):
    trend = row["trend"]
    return charts.columns(
        _("Monthly trend"), str(BREAKDOWN_DEFINITIONS["trend"]),
        [f"{item['month'].first.month}" for item in trend],
        [(_("Registered"), [item["registered"] for item in trend], "primary"),
         (_("Brought to an end"), [item["settled"] for item in trend], "secondary")])


def township_trends(rows) -> dict:
    """Per township, its registered cases and those brought to an end in each month of the
    rows' period (the last twelve months): a small line chart each, and one table of them all."""
    months = [item["month"] for item in rows[0]["trend"]] if rows else []
    labels = [str(m.first.month) for m in months]
    charts_ = []
    table = Table("trends", _("The last 12 months by township"),
                  [_("Township")] + [m.first.strftime("%Y-%m") for m in months], [],
                  _("Registered / brought to an end, by the month the case was accepted."))
    for row in rows:
        registered = [item["registered"] for item in row["trend"]]
        settled = [item["settled"] for item in row["trend"]]
        charts_.append({"name": row["name"], "chart": charts.lines(
            _("%(township)s: the last 12 months", township=row["name"]), str(BREAKDOWN_DEFINITIONS["trend"]),
            labels, [(_("Registered"), registered, "primary"), (_("Brought to an end"), settled, "green")])})
        table.rows.append([row["name"]] + [f"{r} / {e}" for r, e in zip(registered, settled)])
    return {"charts": charts_, "table": table}


def category_chart(row):
    items = [(label("category", name) if name else _("No category"), n, str(n), "primary") for name, n in row["by_category"]]
    return charts.hbars(_("By category"), str(BREAKDOWN_DEFINITIONS["category"]), items)


def light_chart(row):
    items = [(str(LIGHT_LABELS[k]), row["lights"][k], str(row["lights"][k]), k) for k in LIGHT_LABELS]
    return charts.hbars(_("Time-limit lights"), str(BREAKDOWN_DEFINITIONS["light"]), items)


def comparison_chart(rows, key):
    """One figure of every township side by side, with its benchmark line."""
    figure = FIGURES[key]
    items = []
    for row in rows:
        value = row[key]
        color = "short" if key in row["shortfalls"] else "primary"
        items.append((row["name"], value, percent(value) if figure.is_rate else str(value), color))
    benchmark = figure.benchmark
    return charts.hbars(
        _("%(figure)s by township", figure=figure.label), str(figure.definition), items,
        max_value=1.0 if figure.is_rate else None, benchmark=benchmark,
        benchmark_label=_("target %(value)s", value=percent(benchmark)) if benchmark is not None else "")


def comparison_table(rows, key) -> Table:
    figure = FIGURES[key]
    table = Table(f"comparison-{key}", figure.label, [_("Township"), str(figure.label)], [])
    for row in rows:
        table.rows.append([row["name"], Rate(row[key]) if figure.is_rate else row[key]])
        table.marks.append({1} if key in row["shortfalls"] else set())
    return table


COMPARED = ("mediation_rate", "success_rate", "archive_rate", "registered")


def comparison(rows, key) -> tuple:
    """``(label, chart, table)``: one figure of every township, for the comparison page."""
    return FIGURES[key].label, comparison_chart(rows, key), comparison_table(rows, key)


def county_report(rows, total) -> dict:
    """The dashboard shows the township rows once (the main table) and the breakdowns of the
    county total; the breakdowns per township (a column each) go to the downloads, and each
    figure's comparison of the townships to a page of its own (``COMPARED``), loaded when
    scrolled to: so the page stays small with 200 townships."""
    names = [row["name"] for row in rows]
    main = figures_table(rows, total, _("Township"), names, title=_("Townships side by side"))
    breakdowns = breakdown_tables(rows + [total], names + [_("Total")])
    return {
        "main": main, "breakdowns": breakdown_tables([total], [_("Total")]), "trend": trend_table(total),
        "charts": {
            "trend": trend_chart(total), "category": category_chart(total), "light": light_chart(total),
        },
        "compared": [(key, FIGURES[key].label) for key in COMPARED],
        "tables": [main, trend_table(total)] + breakdowns,
    }


def township_report(row, villages, departments) -> dict:
    names = [v["name"] or _("No village") for v in villages]
    village_table = figures_table(villages, None, _("Village"), names, key="village", title=_("By village"))
    breakdowns = breakdown_tables([row], [_("Cases")])
    main = figures_table([row], None, _("Figure"), [_("This township")], title=_("Figures"))
    return {
        "main": main, "villages": village_table, "departments": department_table(departments),
        "breakdowns": breakdowns, "trend": trend_table(row),
        "charts": {"trend": trend_chart(row), "category": category_chart(row), "light": light_chart(row)},
        "tables": [main, village_table, department_table(departments), trend_table(row)] + breakdowns,
    }


def definitions() -> list:
    return [(FIGURES[key].label, FIGURES[key].definition, FIGURES[key].benchmark) for key in TABLE]
