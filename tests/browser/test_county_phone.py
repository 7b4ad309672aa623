"""The county reviewer's dashboard with the demo data, on a 390 px phone: all three demo
townships side by side with their figures, the charts drawn on the server with their numbers
in a table beside them, and nothing scrolling sideways."""
from tests.browser.conftest import sign_in
from tests.browser.test_layout import _overflow

DEMO_TOWNSHIPS = ("芒棒镇", "和顺镇", "界头镇")


def test_the_county_sees_every_demo_township_with_figures_and_charts(phone, base_url):
    sign_in(phone, base_url, "county")
    assert phone.goto(f"{base_url}/county/?period=2026").status == 200
    main = phone.locator("main")
    text = main.inner_text()
    for township in DEMO_TOWNSHIPS:
        assert township in text, township
    # Figures, not blanks: the county's 调处率 is a percentage, and each township has a row.
    assert "调处率" in text and "%" in text
    rows = main.locator("table tr", has_text=DEMO_TOWNSHIPS[0])
    assert rows.count() >= 1 and "%" in rows.first.inner_text()
    charts = main.locator("svg[role=img]")
    assert charts.count() >= 2
    assert charts.first.locator("title").count() == 1
    assert main.locator("table").count() >= charts.count()
    assert _overflow(phone) is None, _overflow(phone)
