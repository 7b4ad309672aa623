"""The county dashboard on a 1280 px desktop screen, with the demo data: it takes the width of
the screen, the townships' table (16 columns) fits without sideways scrolling, the period is
chosen from a list, and no label of any chart touches another label or the target line."""
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}

# Every pair of labels of a chart that touch, and every label crossed by a target line.
COLLISIONS = """() => {
  const hits = [];
  const touch = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  for (const svg of document.querySelectorAll("svg.chart")) {
    const name = svg.querySelector("title").textContent;
    const texts = [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++)
        if (touch(texts[i][1], texts[j][1])) hits.push(name + ": " + texts[i][0] + " / " + texts[j][0]);
    for (const line of svg.querySelectorAll("line[stroke-dasharray]")) {
      const box = line.getBoundingClientRect();
      for (const [text, r] of texts)
        if (touch({left: box.left - 1, right: box.right + 1, top: box.top, bottom: box.bottom}, r))
          hits.push(name + ": target line crosses " + text);
    }
  }
  return hits;
}"""

WIDE_BOXES = """() => [...document.querySelectorAll(".table-scroll")]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id + " " + e.scrollWidth + ">" + e.clientWidth)"""


def test_the_county_dashboard_fills_a_desktop_screen_and_no_label_collides(browser, live_server, base_url):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    sign_in(page, base_url, "county")
    assert page.goto(f"{base_url}/county/?period=2026").status == 200

    assert page.evaluate("document.querySelector('main').getBoundingClientRect().width") > 1200
    # The period is chosen, not typed.
    picker = page.locator("select#period")
    assert picker.input_value() == "2026" and picker.locator("option[value='2026-H2']").count() == 1
    # Every comparison and the townships' trends load as they are scrolled to.
    # (One scroll may bring more than one into view, and a slot is replaced as it loads: scroll
    # to whichever is first now, and wait for fewer to be left.)
    while (left := page.locator(".comparison-slot").count()) > 0:
        page.evaluate("() => document.querySelector('.comparison-slot')?.scrollIntoView()")
        page.wait_for_function("n => document.querySelectorAll('.comparison-slot').length < n", arg=left)
    page.locator("#trends").scroll_into_view_if_needed()
    expect(page.locator("#trends svg.chart")).to_have_count(3)
    assert page.locator("svg.chart").count() >= 3 + 4 + 3

    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(WIDE_BOXES) == []
    assert page.evaluate(COLLISIONS) == []

    picker.select_option("2026-H2")
    page.locator(".period-choice button").click()
    page.wait_for_url("**period=2026-H2")
    assert "2026年下半年" in page.locator("h1 + .period-picker h2, .period-picker h2").first.inner_text()
    context.close()
