"""axe-core on every kind of page the demo roles reach, at 390 px (a phone) and at 1280 px (a
desk): no serious or critical violation anywhere; and the menu button readable on the red bar.

One browser context per role, signed in once; each page is laid out at both widths in turn. The pages come from a small crawl of
the links on the pages (GET only, so nothing changes). Each URL rule (a case, a meeting, a
village… whatever its id) is checked once per width, by the first role that reaches it, in
the order of ``ROLES``: the director sees the most, and axe takes about a second a page, so
checking the same kind of page again for every role would cost minutes of the suite for
little. axe is the copy pinned in package.json, served from static/vendor (``make assets``)
so that the app's Content-Security-Policy stays as strict as it is for users.
"""
import json
import re
from collections import deque
from urllib.parse import urlsplit


from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_layout import _links

WIDTHS = {"phone": PHONE, "desk": {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"}}
# One account of each role (README.md, webapp/demo.py), the one that sees the most first.
ROLES = ["mangbang.admin", "mangbang.clerk", "mangbang.mediator", "mangbang.officer", "mangbang.police",
         "county", "county.admin"]
MAX_PAGES = 60
SERIOUS = ("serious", "critical")

RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => %s.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n').slice(1).join(' '))
  }));
}""" % json.dumps(list(SERIOUS))

# WCAG's contrast ratio of an element's text colour on the colour behind it (the first
# ancestor with an opaque background).
CONTRAST = """(el) => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let bg = el;
  while (bg && (getComputedStyle(bg).backgroundColor === 'rgba(0, 0, 0, 0)')) bg = bg.parentElement;
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(rgb(getComputedStyle(bg).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _violations(page) -> list[str]:
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(url="/static/vendor/axe.min.js")
    return [f"{v['impact']} {v['id']} ({v['help']}): " + "; ".join(v["nodes"]) for v in page.evaluate(RUN)]


def _rule(url: str) -> str:
    """The URL rule a link leads to: its ids and its township left out."""
    return re.sub(r"/\d+", "/<id>", re.sub(r"^/t/[^/]+/", "/t/<slug>/", urlsplit(url).path))


def test_no_serious_accessibility_violation(browser, base_url):
    """Each kind of page is opened once, on a phone, and checked there and then at a desk's
    width (the same page laid out again: what axe checks is the markup and the styles)."""
    origin = base_url.rstrip("/")
    problems, checked = [], {}

    def check(page, url, key=None):
        rule = _rule(url)
        if (key or rule) in checked:
            return
        checked[key or rule] = url
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for width in ("phone", "desk"):
            page.set_viewport_size(WIDTHS[width]["viewport"])
            problems.extend(f"{path} at {width}: {v}" for v in _violations(page))
        page.set_viewport_size(WIDTHS["phone"]["viewport"])

    for n, username in enumerate(ROLES):
        context = browser.new_context(**WIDTHS["phone"])
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            if n == 0:
                page.goto(f"{base_url}/login")
                check(page, page.url)
            response = sign_in(page, base_url, username)
            assert response.ok and urlsplit(page.url).path != "/login", f"{username} could not sign in"
            if n == 0:
                menu = page.locator("details.menu summary")
                ratio = menu.evaluate(CONTRAST)
                assert ratio >= 4.5, f"the menu button's contrast on the top bar is {ratio:.2f}:1"
            # What differs from role to role is where each lands and what its menu offers:
            # checked for every role, with the menu open.
            if page.locator("details.menu summary").count():
                page.locator("details.menu summary").click()
            check(page, page.url, key=("landing", username))

            # Breadth first from the signed-in home: one page of each rule not yet checked.
            queue, queued, visited = deque([page.url]), set(), 0
            while queue and visited < MAX_PAGES:
                response = page.goto(queue.popleft())
                visited += 1
                if response is None or response.status != 200 or "html" not in response.headers.get("content-type", ""):
                    continue
                check(page, page.url)
                for link in _links(page, origin):
                    rule = _rule(link)
                    if rule not in checked and rule not in queued:
                        queued.add(rule)
                        queue.append(link)
        finally:
            context.close()

    assert not problems, "\n".join(problems)
    # A crawl that stopped early would pass for a clean one.
    for rule in ("/login", "/t/<slug>/board/", "/t/<slug>/cases/<id>", "/t/<slug>/meetings/<id>",
                 "/t/<slug>/villages/<id>", "/county/", "/t/<slug>/pay/mine", "/t/<slug>/referrals/"):
        assert rule in checked, f"the crawl never reached {rule}; checked {sorted(map(str, checked))}"
