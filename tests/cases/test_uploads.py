"""Uploaded files cannot carry anything but what they show: a photo is stored as its pixels
(turned upright, no metadata, nothing hidden after or inside it), and every file is served as
what its type says, with nothing in it allowed to run; only photos open in the browser."""
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests import factories
from webapp.cases.models import Attachment
from webapp.storage import get_storage

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _image(fmt, size=(30, 20), **save):
    out = io.BytesIO()
    Image.new("RGB", size, (220, 40, 40)).save(out, fmt, **save)
    return out.getvalue()


def _exif(orientation=None, gps=False, comment=False):
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"  # camera make
    if gps:
        exif[0x8825] = {1: "N", 2: (25.0, 1.0, 2.0), 3: "E", 4: (98.0, 5.0, 6.0)}
    if comment:
        exif[0x9286] = b"ASCII\0\0\0" + HTML  # user comment
    return exif


def _upload(client, case, data, filename):
    return client.post(f"/t/alpha/cases/{case.id}/attachments", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename), "csrf_token": client.csrf})


def _stored(db, case):
    attachment = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    return attachment, get_storage().get(attachment.storage_key)


@pytest.fixture
def officer_and_case(db, tenant, login_as, storage_dir):
    officer = login_as("officer")
    case = factories.case(tenant)
    db.session.commit()
    return officer, case


def _png_with_text_chunk(text: bytes) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text.decode())
    return _image("PNG", pnginfo=info)


POLYGLOTS = [
    ("HTML after the PNG", lambda: _image("PNG") + HTML, "x.png", "image/png"),
    ("HTML in a PNG text chunk", lambda: _png_with_text_chunk(HTML), "x.png", "image/png"),
    ("HTML after the JPEG", lambda: _image("JPEG") + HTML, "x.jpg", "image/jpeg"),
    ("HTML in the JPEG's EXIF", lambda: _image("JPEG", exif=_exif(comment=True)), "x.jpg", "image/jpeg"),
    ("HTML after the WebP", lambda: _image("WEBP") + HTML, "x.webp", "image/webp"),
]


@pytest.mark.parametrize("what, make, filename, content_type", POLYGLOTS, ids=[p[0] for p in POLYGLOTS])
def test_a_photo_keeps_nothing_but_its_pixels(db, officer_and_case, what, make, filename, content_type):
    officer, case = officer_and_case
    sent = make()
    assert b"<script" in sent
    assert _upload(officer, case, sent, filename).status_code == 302
    attachment, stored = _stored(db, case)
    assert b"<script" not in stored and b"<html" not in stored
    assert attachment.content_type == content_type and attachment.size == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (30, 20)
        assert image.getpixel((5, 5))[:3] == pytest.approx((220, 40, 40), abs=8)


def test_a_photo_is_turned_upright_and_loses_its_location_and_camera(db, officer_and_case):
    officer, case = officer_and_case
    # Taken with the phone on its side: 30 × 20 pixels, EXIF says "turn 90° clockwise".
    sent = _image("JPEG", exif=_exif(orientation=6, gps=True))
    with Image.open(io.BytesIO(sent)) as before:
        assert before.getexif().get(0x0112) == 6 and before.getexif().get_ifd(0x8825)
    assert _upload(officer, case, sent, "侧拍.jpg").status_code == 302
    _, stored = _stored(db, case)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (20, 30)
        assert not image.getexif()
        assert "exif" not in image.info and "icc_profile" not in image.info and "comment" not in image.info


def test_a_file_that_only_starts_like_a_photo_is_refused(db, officer_and_case, storage_dir):
    officer, case = officer_and_case
    response = _upload(officer, case, b"\x89PNG\r\n\x1a\n" + HTML, "x.png")
    assert response.status_code == 422
    assert "无法读取这张照片" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert [path for path in storage_dir.rglob("*") if path.is_file()] == []


def test_a_picture_too_big_to_decode_safely_is_refused(db, officer_and_case):
    officer, case = officer_and_case
    # A tiny file that would unpack into 100 million pixels.
    bomb = _image("PNG", size=(10_000, 10_000))
    assert len(bomb) < 1024 * 1024
    response = _upload(officer, case, bomb, "bomb.png")
    assert response.status_code == 422 and "无法读取这张照片" in response.get_data(as_text=True)


SERVED = [
    ("photo", lambda: _image("PNG") + HTML, "照片.png", "image/png", "inline"),
    ("PDF scan", lambda: b"%PDF-1.4\n" + HTML, "扫描件.pdf", "application/pdf", "attachment"),
    ("HEIC photo", lambda: b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + HTML, "照片.heic", "image/heic", "attachment"),
]


@pytest.mark.parametrize("what, make, filename, content_type, disposition", SERVED, ids=[s[0] for s in SERVED])
def test_every_file_is_served_as_its_type_with_nothing_allowed_to_run(db, officer_and_case, what, make, filename,
                                                                      content_type, disposition):
    officer, case = officer_and_case
    assert _upload(officer, case, make(), filename).status_code == 302
    attachment, _ = _stored(db, case)
    response = officer.get(f"/t/alpha/cases/{case.id}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Content-Disposition"].startswith(disposition)
    assert response.headers["Cache-Control"] == "no-store"
