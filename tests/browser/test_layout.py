"""The foundation on a phone: tenancy in the URL, the two languages, no sideways
scrolling anywhere at 390 px, thumb-sized controls, and a failed sign-in that keeps
what was typed."""
import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.conftest import PHONE, sign_in

WIDTH = PHONE["viewport"]["width"]
TAP = 44
MAX_PAGES = 60

# Widths of one page, and the elements that stick out past the phone's right edge or hold
# content wider than it (for the failure message). The yardstick is the phone's width, not
# innerWidth: on a mobile viewport Chromium widens the layout viewport to fit overflowing
# content, so innerWidth grows along with it. body.scrollWidth matters as much as the
# html element's: app.css clips overflow on both (overflow-x: hidden), which keeps
# html.scrollWidth at 390 while content is merely cut off.
MEASURE = """(width) => {
  const doc = document.documentElement, body = document.body;
  const wide = [];
  for (const el of body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.width && r.right > width + 0.5) || el.scrollWidth > width) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.classList.length ? '.' + [...el.classList].join('.') : '')
                + ' right=' + Math.round(r.right) + ' scrollWidth=' + el.scrollWidth);
    }
  }
  return {inner: window.innerWidth, client: doc.clientWidth, doc: doc.scrollWidth,
          body: body.scrollWidth, wide: wide.slice(0, 5)};
}"""


def _overflow(page) -> str | None:
    m = page.evaluate(MEASURE, WIDTH)
    if max(m["inner"], m["client"], m["doc"], m["body"]) > WIDTH:
        return (f"innerWidth={m['inner']} clientWidth={m['client']} html.scrollWidth={m['doc']} "
                f"body.scrollWidth={m['body']} sticking out: {m['wide']}")
    return None


DOWNLOADS = (".pdf", ".csv", ".xlsx", ".zip")


def _links(page, origin: str) -> list[str]:
    """Same-origin GET links of the page, without fragments, language switches or logout."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    links = []
    for href in hrefs:
        url = urldefrag(href).url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if "lang=" in parts.query or parts.path.rstrip("/").endswith("/logout") or parts.path.startswith("/static/"):
            continue
        if parts.path.endswith(DOWNLOADS):  # files, not pages
            continue
        links.append(url)
    return links


# -- tenancy in the URL -------------------------------------------------------------------


def test_mediator_lands_in_own_township_and_not_in_another(phone, base_url):
    response = sign_in(phone, base_url, "mangbang.mediator")

    assert response.ok
    assert urlsplit(phone.url).path.startswith("/t/mangbang/")
    assert "芒棒镇" in phone.locator("body").inner_text()

    response = phone.goto(f"{base_url}/t/heshun/")
    assert response.status == 404
    assert "和顺镇" not in phone.content()


# -- languages ----------------------------------------------------------------------------


def test_login_page_is_chinese_and_switches_to_english(phone, base_url):
    phone.goto(f"{base_url}/login")
    assert phone.locator("html").get_attribute("lang") == "zh-CN"
    assert "登录" in phone.title()
    assert phone.locator("main h1").inner_text() == "登录"

    phone.goto(f"{base_url}/login?lang=en")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("main h1").inner_text() == "Sign in"
    assert phone.locator("main button[type=submit]").inner_text() == "Sign in"


# -- no sideways scrolling ----------------------------------------------------------------

# What each account must at least reach from its home page, so a crawl that silently
# stopped early does not pass for a clean one.
CRAWL = {
    "mangbang.admin": {"/t/mangbang/", "/t/mangbang/villages/", "/t/mangbang/staff/", "/settings",
                       "/t/mangbang/meetings/", "/t/mangbang/pay/", "/t/mangbang/figures/",
                       "/t/mangbang/cases/unarchived", "/t/mangbang/relocation/"},
    "mangbang.mediator": {"/t/mangbang/", "/t/mangbang/villages/", "/settings", "/t/mangbang/meetings/",
                          "/t/mangbang/pay/mine"},
    "mangbang.police": {"/t/mangbang/", "/settings"},
    "county": {"/county/", "/t/mangbang/", "/t/heshun/", "/t/jietou/", "/t/mangbang/staff/",
               "/county/case-files/"},
    "county.admin": {"/county/", "/t/mangbang/", "/t/heshun/", "/t/jietou/", "/t/mangbang/staff/"},
}


@pytest.mark.parametrize("username", sorted(CRAWL))
def test_no_page_scrolls_sideways_on_a_phone(phone, base_url, username):
    origin = base_url.rstrip("/")
    response = sign_in(phone, base_url, username)
    assert response.ok and urlsplit(phone.url).path != "/login", f"{username} could not sign in"

    # Breadth first from the signed-in home, GET only (links, never forms), so the crawl
    # changes nothing; problems are gathered so one failure lists every bad page.
    queue, seen, visited, problems = deque([phone.url]), {phone.url}, [], []
    kinds = Counter()
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        response = phone.goto(url)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        visited.append(parts.path)
        if response is None or response.status != 200:
            problems.append(f"{path}: linked for {username} but answers {response and response.status}")
        overflow = _overflow(phone)
        if overflow:
            problems.append(f"{path}: scrolls sideways: {overflow}")
        for link in _links(phone, origin):
            # Two pages of a kind (a case, a meeting, a council…) stand for the rest, so the
            # crawl reaches every kind of page rather than every case.
            kind = re.sub(r"/\d+", "/<id>", urlsplit(link).path)
            if link not in seen and kinds[kind] < 2:
                seen.add(link)
                kinds[kind] += 1
                queue.append(link)

    assert not problems, "\n".join(problems)
    assert CRAWL[username] <= set(visited), f"crawl missed {CRAWL[username] - set(visited)}; visited {visited}"


def test_open_menu_fits_on_a_phone(phone, base_url):
    # The county admin on a township page has the longest menu of all.
    sign_in(phone, base_url, "county.admin")
    phone.goto(f"{base_url}/t/mangbang/")
    menu = phone.locator("details.menu")
    menu.locator("summary").tap()
    assert menu.get_attribute("open") is not None

    nav = menu.locator("nav")
    assert nav.is_visible()
    box = nav.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    assert _overflow(phone) is None, _overflow(phone)
    for item in nav.locator("a, button").all():
        item_box = item.bounding_box()
        assert item_box["x"] >= 0 and item_box["x"] + item_box["width"] <= WIDTH, (item.inner_text(), item_box)
        assert item_box["height"] >= TAP, (item.inner_text(), item_box)


def test_top_bar_and_menu_stay_in_view_on_a_long_page(phone, base_url):
    sign_in(phone, base_url, "mangbang.admin")
    phone.goto(f"{base_url}/t/mangbang/staff/")
    assert phone.evaluate("document.documentElement.scrollHeight > window.innerHeight + 200")

    phone.evaluate("window.scrollTo(0, 200)")
    assert phone.evaluate("window.scrollY") >= 200
    assert phone.locator("header.topbar").bounding_box()["y"] == 0
    assert phone.locator("details.menu summary").is_visible()


# -- thumbs -------------------------------------------------------------------------------


def test_login_controls_are_big_enough_to_tap(phone, base_url):
    phone.goto(f"{base_url}/login")
    form = phone.locator("main form")
    for control in (form.locator("input[name=username]"), form.locator("input[name=password]"),
                    form.locator("button[type=submit]")):
        box = control.bounding_box()
        assert box["height"] >= TAP, (control, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (control, box)


# -- a failed sign-in ---------------------------------------------------------------------


def test_wrong_password_shows_the_error_beside_the_field_and_keeps_the_username(phone, base_url):
    # An account no other browser test signs in with: one failure must not count toward
    # anybody's lockout.
    response = sign_in(phone, base_url, "jietou.clerk", "not-the-password")

    assert response.status == 422
    assert urlsplit(phone.url).path == "/login"
    password = phone.locator("main input[name=password]")
    error = phone.locator("main .field", has=phone.locator("input[name=password]")).locator("p.error")
    assert error.inner_text() == "用户名或密码错误。连续失败5次后，账户将锁定15分钟。"
    assert error.is_visible()
    assert password.get_attribute("aria-invalid") == "true"
    assert password.get_attribute("aria-describedby") == error.get_attribute("id")
    assert password.input_value() == ""
    assert phone.locator("main input[name=username]").input_value() == "jietou.clerk"
    # Beside the field: right below it, not somewhere else on the page.
    field_box, error_box = password.bounding_box(), error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) <= 16
