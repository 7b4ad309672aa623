"""The case forms on a phone: phone and ID fields open the right keyboard on every form that
has them, the villager-group list follows the chosen village, and a photo shows as a
thumbnail, added in place without the page jumping."""
import importlib
import io
import pkgutil
import re

from flask_wtf import FlaskForm
from PIL import Image
from sqlalchemy import select

import webapp
from tests import factories
from webapp.cases.models import Attachment
from webapp.forms import ID_NUMBER_KEYBOARD, PHONE_KEYBOARD
from webapp.villages.models import Village, VillagerGroup


def _forms():
    for module in pkgutil.walk_packages(webapp.__path__, "webapp."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    seen, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen and sub.__module__.startswith("webapp."):
                seen.add(sub)
                todo.append(sub)
    return seen


def test_every_phone_and_id_number_field_asks_for_its_keyboard(app):
    found = []
    for form in _forms():
        for name in dir(form):
            unbound = getattr(form, name, None)
            kwargs = getattr(unbound, "kwargs", None)
            if kwargs is None or not hasattr(unbound, "field_class"):
                continue
            if name.endswith("phone"):
                found.append(name)
                assert kwargs.get("render_kw") == PHONE_KEYBOARD, f"{form.__name__}.{name}"
            elif name.endswith("id_number"):
                found.append(name)
                assert kwargs.get("render_kw") == ID_NUMBER_KEYBOARD, f"{form.__name__}.{name}"
    assert {"phone", "party_phone", "id_number", "party_id_number"} <= set(found)


def test_the_intake_form_renders_the_keyboards(login_as):
    page = login_as("clerk").get("/t/alpha/cases/new").get_data(as_text=True)
    phone = re.search(r'<input[^>]*name="party_phone"[^>]*>', page).group(0)
    assert 'type="tel"' in phone and 'inputmode="tel"' in phone
    id_number = re.search(r'<input[^>]*name="party_id_number"[^>]*>', page).group(0)
    assert 'autocapitalize="characters"' in id_number and 'spellcheck="false"' in id_number


def _two_villages(db, tenant):
    first = factories.village_of(tenant)
    second = Village(tenant_id=tenant.id, name="甲镇二村")
    db.session.add(second)
    db.session.flush()
    db.session.add_all([VillagerGroup(tenant_id=tenant.id, village_id=first.id, name="一组"),
                        VillagerGroup(tenant_id=tenant.id, village_id=second.id, name="二组")])
    db.session.commit()
    return first, second


def test_the_group_list_follows_the_chosen_village(db, tenant, login_as):
    first, second = _two_villages(db, tenant)
    clerk = login_as("clerk")
    page = clerk.get("/t/alpha/cases/new").get_data(as_text=True)
    village = re.search(r'<select[^>]*name="village"[^>]*>', page).group(0)
    assert 'hx-get="/t/alpha/cases/groups"' in village and 'hx-target="#field-group"' in village
    # Without JavaScript the list names every group with its village.
    assert "甲镇二村 二组" in page

    kept = db.session.scalar(select(VillagerGroup.id).where(VillagerGroup.village_id == second.id))
    answer = clerk.get(f"/t/alpha/cases/groups?village={second.id}&group={kept}", headers={"HX-Request": "true"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and html.lstrip().startswith('<div class="field" id="field-group">')
    assert "甲镇二村 二组" in html and "一组" not in html
    assert f'<option selected value="{kept}">' in html
    assert "甲镇二村 二组" in clerk.get("/t/alpha/cases/groups").get_data(as_text=True)
    # The mediator edits cases too; a liaison registers none.
    assert login_as("mediator").get(f"/t/alpha/cases/groups?village={first.id}").status_code == 200
    assert login_as("liaison").get("/t/alpha/cases/groups").status_code == 403


def _photo(size=(800, 600)):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_a_photo_is_added_in_place_and_shown_as_a_small_thumbnail(db, tenant, login_as, storage_dir):
    clerk = login_as("clerk")
    case = factories.case(tenant)
    db.session.commit()
    page = clerk.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
    file_input = re.search(r'<input[^>]*type="file"[^>]*>', page).group(0)
    assert 'accept="image/*,.heic,.heif,application/pdf"' in file_input and "capture" not in file_input
    assert f'hx-target="#case-{case.id}-attachments"' in page

    answer = clerk.post(f"/t/alpha/cases/{case.id}/attachments", content_type="multipart/form-data",
                        headers={"HX-Request": "true", "HX-Target": f"case-{case.id}-attachments"},
                        data={"file": (io.BytesIO(_photo()), "现场.jpg"), "csrf_token": clerk.csrf})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    # The block alone (and the message out of band): not the case, whose head would take focus.
    assert f'<section class="card" id="case-{case.id}-attachments">' in html
    assert f'id="case-{case.id}"' not in html and "autofocus" not in html
    assert 'hx-swap-oob="true"' in html and "附件已添加。" in html
    item = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    thumb_url = f"/t/alpha/cases/{case.id}/attachments/{item.id}/thumbnail"
    assert f'src="{thumb_url}"' in html

    thumb = clerk.get(thumb_url)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(thumb.data)) as image:
        assert max(image.size) <= 192 and image.size == (192, 144)
    assert len(thumb.data) < item.size

    # A refused upload answers in place too, with the reason beside the field.
    refused = clerk.post(f"/t/alpha/cases/{case.id}/attachments", content_type="multipart/form-data",
                         headers={"HX-Request": "true"},
                         data={"file": (io.BytesIO(b"not a photo"), "x.png"), "csrf_token": clerk.csrf})
    assert refused.status_code == 422
    assert 'id="file-error"' in refused.get_data(as_text=True)


def test_a_scan_has_no_thumbnail(db, tenant, login_as, storage_dir):
    clerk = login_as("clerk")
    case = factories.case(tenant)
    db.session.commit()
    clerk.post(f"/t/alpha/cases/{case.id}/attachments", content_type="multipart/form-data",
               data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "scan.pdf"), "csrf_token": clerk.csrf})
    item = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    assert clerk.get(f"/t/alpha/cases/{case.id}/attachments/{item.id}/thumbnail").status_code == 404
    assert "/thumbnail" not in clerk.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
