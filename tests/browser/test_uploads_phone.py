"""Photos attached on a phone: added in place, refused in place when too large for the server
(its own message, in Chinese, at the form), and shown inline only as the pixels kept."""
import io

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_case_flow import case_of, register

expect = pytest.importorskip("playwright.sync_api").expect


def _png(size=(40, 30), tail=b"") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue() + tail


def _attachments(page, case_id):
    section = page.locator(f"#case-{case_id}-attachments")
    section.locator("summary").tap()
    return section


def test_a_file_too_large_for_the_server_is_refused_at_the_form_in_chinese(phone, base_url, live_app, monkeypatch):
    monkeypatch.setitem(live_app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    sign_in(phone, base_url, "mangbang.clerk")
    case_id = register(phone, title="芒棒村照片过大的纠纷")
    section = _attachments(phone, case_id)
    phone.evaluate("window.__samePage = true")
    section.locator("input[type=file]").set_input_files(
        {"name": "现场照片.png", "mimeType": "image/png", "buffer": _png(tail=b"\0" * (2 * 1024 * 1024))})
    with phone.expect_response(lambda r: r.request.method == "POST" and "/attachments" in r.url) as answer:
        section.get_by_role("button", name="上传", exact=True).tap()
    assert answer.value.status == 413

    error = section.locator("form .form-error")
    expect(error).to_have_text("提交的内容过大（不能超过1 MB）。请选择较小的文件，或降低拍照分辨率后重试。")
    expect(error).to_be_in_viewport()
    assert phone.evaluate("window.__samePage") is True, "the refusal came as a new page, not in place"
    expect(section.locator("li.muted")).to_have_text("暂无。")


def test_a_photo_is_added_in_place_and_opens_as_its_pixels_only(phone, base_url):
    sign_in(phone, base_url, "mangbang.clerk")
    case_id = register(phone, title="芒棒村带照片的纠纷")
    section = _attachments(phone, case_id)
    phone.evaluate("window.__samePage = true")
    polyglot = _png(tail=b"<html><script>document.title='owned'</script></html>")
    section.locator("input[type=file]").set_input_files(
        {"name": "现场照片.png", "mimeType": "image/png", "buffer": polyglot})
    button = section.get_by_role("button", name="上传", exact=True)
    button.scroll_into_view_if_needed()
    scrolled = phone.evaluate("window.scrollY")
    assert scrolled > 0
    button.tap()

    link = case_of(phone, case_id).get_by_role("link", name="现场照片.png")
    expect(link).to_be_visible()
    assert phone.evaluate("window.__samePage") is True, "the upload answered with a new page, not in place"
    # The page stayed where it was (the block alone was swapped), and the photo shows small.
    assert abs(phone.evaluate("window.scrollY") - scrolled) < 60
    thumb = section.locator("img")
    expect(thumb).to_be_visible()
    assert phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert thumb.bounding_box()["width"] <= 96
    # Fetched with the phone's cookies, not opened: Chromium's own viewer for an image styles
    # itself inline, which the file's policy (no style, no script, nothing) rightly refuses.
    response = phone.request.get(base_url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.body().startswith(b"\x89PNG") and b"<script" not in response.body()
