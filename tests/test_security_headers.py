"""What every answer tells the browser: a Content-Security-Policy that runs no inline script
and no eval, no framing by other sites, no sniffing, no referrer to other sites, HTTPS only
once the cookies are, and nothing with personal data kept in a cache; static files still
kept for a year. The templates hold nothing the policy would stop."""
import re
from pathlib import Path

import pytest

from tests import factories
from tests.conftest import login

ROOT = Path(__file__).resolve().parent.parent


def _policy(response) -> dict[str, str]:
    directives = [part.strip().split(None, 1) for part in response.headers["Content-Security-Policy"].split(";")]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives if d}


def _assert_hardened(response):
    policy = _policy(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'self'"
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in header
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/t/alpha/", "/t/alpha/cases/", "/t/alpha/board/", "/settings"])
def test_signed_in_pages_are_hardened_and_never_cached(login_as, path):
    client = login_as("township_admin")
    response = client.get(path)
    assert response.status_code == 200
    _assert_hardened(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_htmx_partials_errors_and_the_login_page_are_hardened_too(login_as, client):
    _assert_hardened(client.get("/login"))
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    signed_in = login_as("township_admin")
    partial = signed_in.get("/t/alpha/cases/", headers={"HX-Request": "true"})
    _assert_hardened(partial)
    assert partial.headers["Cache-Control"] == "no-store"
    missing = signed_in.get("/t/alpha/cases/999999")
    assert missing.status_code == 404
    _assert_hardened(missing)


def test_the_boards_poll_is_not_kept_either(login_as):
    client = login_as("township_admin")
    page = client.get("/t/alpha/board/").get_data(as_text=True)
    poll = re.search(r'id="board-poll" hidden hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(poll, headers={"HX-Request": "true"})
    assert response.status_code in (200, 304)
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_year_long_cache(client):
    page = client.get("/login").get_data(as_text=True)
    script = re.search(r'src="(/static/js/app\.js\?v=[0-9a-f]+)"', page).group(1)
    response = client.get(script)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"] and "immutable" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_https_is_required_once_cookies_are_secure(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers  # TestConfig: plain HTTP
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    hsts = client.get("/login").headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600


def test_a_413_is_the_apps_own_page_in_chinese(app, client, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    big = {"username": "x" * (2 * 1024 * 1024), "password": "x"}
    page = client.post("/login", data=big)
    assert page.status_code == 413
    text = page.get_data(as_text=True)
    assert "提交的内容过大（不能超过1 MB）" in text and '<html lang="zh-CN">' in text
    _assert_hardened(page)
    # For htmx: the message alone, for the page to show where the form is (static/js/app.js).
    partial = client.post("/login", data=big, headers={"HX-Request": "true"})
    assert partial.status_code == 413
    assert '<p class="flash-error">提交的内容过大' in partial.get_data(as_text=True)
    assert "<html" not in partial.get_data(as_text=True)


# -- the templates hold nothing the policy stops --------------------------------------------

# Rendered by WeasyPrint into PDF files, never sent to a browser: inline styles are fine there.
PRINTED = {"documents/_page.html", "documents/_sections.html", "documents/case_file.html", "documents/agreement.html",
           "documents/intake_form.html", "meetings/minutes_pdf.html"}
TEMPLATES = sorted(path.relative_to(ROOT / "templates").as_posix() for path in (ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_template_holds_inline_script_handlers_or_eval(name):
    text = (ROOT / "templates" / name).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>: move it to static/js"
    assert not re.search(r"\son[a-z]+=[\"']", text, re.I), "inline event handler: use a data- attribute and static/js"
    assert not re.search(r"\bhx-on\b|hx-on:|hx-on::", text), "hx-on runs through eval"
    assert not re.search(r"javascript:|hx-vals=['\"]\s*js:|hx-vars", text), "script in an attribute"
    for trigger in re.findall(r'hx-trigger="([^"]*)"', text):
        # ``[…]`` after an event is a filter, run through eval; after ``from:`` it is a selector.
        assert "[" not in re.sub(r"from:\S+", "", trigger), f"a trigger filter runs through eval: {trigger}"
    if name not in PRINTED:
        assert not re.search(r"\sstyle\s*=", text), "inline style: use a class in app.css"
        assert not re.search(r"<style\b", text), "a <style> element: use app.css"
