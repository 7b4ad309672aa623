"""The county dashboard's period picker, its twelve-month trends per township, its figures by
level, and charts whose labels keep apart."""
import re

from webapp.figures import charts
from webapp.figures.periods import Period, picker_choices


def _boxes(svg: str) -> list[tuple]:
    """(left, right, top, bottom, text) of every label, from its position, anchor and size."""
    out = []
    for attrs, text in re.findall(r"<text ([^>]*)>([^<]*)</text>", svg):
        a = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        size = float(a.get("font-size", charts.FONT))
        w, x, y = charts.text_width(text, size), float(a["x"]), float(a["y"])
        left = {"start": x, "middle": x - w / 2, "end": x - w}[a.get("text-anchor", "start")]
        out.append((left, left + w, y - size * 0.8, y + size * 0.2, text))
    return out


def _collisions(svg: str) -> list:
    boxes, hits = _boxes(svg), []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]:
                hits.append((a[4], b[4]))
    for x, y1, y2 in re.findall(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="[\d.]+" y2="([\d.]+)"[^>]*stroke-dasharray', svg):
        for box in boxes:
            if box[0] - 1 <= float(x) <= box[1] + 1 and box[2] < float(y2) and float(y1) < box[3]:
                hits.append(("target line", box[4]))
    for box in boxes:
        if box[0] < 0 or box[1] > charts.WIDTH:
            hits.append(("outside", box[4]))
    return hits


def test_a_bars_number_moves_off_the_target_line_and_the_target_label_stays_inside():
    items = [(name, value, charts.percent(value), "primary")
             for name, value in (("芒棒镇", 0.97), ("和顺镇", 0.88), ("界头镇", 1.0), ("A very long township name", 0.5))]
    svg = charts.hbars("t", "d", items, max_value=1.0, benchmark=0.99, benchmark_label="target 99.0%")
    assert _collisions(svg) == []
    svg = charts.hbars("t", "d", items, max_value=1.0, benchmark=0.9, benchmark_label="目标 90.0%")
    assert _collisions(svg) == []


def test_column_and_line_charts_keep_their_labels_apart():
    months = [str(m) for m in (7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6)]
    series = [("Registered", [120, 135, 99, 140, 150, 160, 170, 111, 123, 134, 145, 156], "primary"),
              ("Brought to an end", [100, 120, 90, 130, 140, 150, 160, 100, 110, 120, 130, 140], "secondary")]
    assert _collisions(charts.columns("t", "d", months, series)) == []
    assert _collisions(charts.lines("t", "d", months, series)) == []
    days = [str(d) for d in range(1, 32)]
    assert _collisions(charts.columns("t", "d", days, [("登记", list(range(31)), "primary")])) == []


def test_the_picker_offers_months_quarters_halves_and_years_back_from_today():
    from datetime import date

    groups = picker_choices(Period.parse("2019-Q2"), day=date(2026, 12, 5))
    keys = [[key for key, _ in options] for _, options in groups]
    assert keys[0][:2] == ["2026-12", "2026-11"] and len(keys[0]) == 24
    assert keys[1][:2] == ["2026-Q4", "2026-Q3"] and keys[1][-1] == "2019-Q2"  # the chosen one, though older
    assert keys[2][:3] == ["2026-H2", "2026-H1", "2025-H2"] and keys[3][0] == "2026"
    assert Period.last_months(12, date(2026, 12, 5)) == Period(date(2026, 1, 1), date(2026, 12, 31))


def test_the_dashboard_picks_its_period_from_a_list_and_loads_twelve_months_per_township(
        half_year, login_as, frozen):
    client = login_as("county_reviewer")
    page = client.get("/county/?period=2026-H1").get_data(as_text=True)
    assert re.search(r'<select id="period" name="period"', page)
    assert '<option value="2026-H1" selected>' in page and 'placeholder="2026-H1"' not in page
    assert 'hx-get="/county/trends"' in page
    # Figures by level (组/村/镇级) beside those by category.
    assert "按调处层级" in page and "按类别" in page

    fragment = client.get("/county/trends", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert html.count('class="trend"') == 2 and "<html" not in html
    assert "甲镇" in html and "乙镇" in html
    assert html.count("<polyline") == 4  # registered and brought to an end, per township
    assert client.get("/county/trends").status_code == 200
