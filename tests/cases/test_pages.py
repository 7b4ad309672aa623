"""The case pages as people use them: intake at the single window, list and search, the
case page with its timeline and the buttons for the role, edits, HTMX partials, photos."""
import io
import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.cases.builders import Staff, case_in
from webapp.cases.models import Attachment, Case, CaseEvent, CaseState, Category, PartyRole
from webapp.extensions import db
from webapp.villages.models import Village, VillagerGroup

S = CaseState
def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


PNG = _png()  # a real photo: uploads are decoded and written anew (tests/cases/test_uploads.py)


def _text(response):
    return response.get_data(as_text=True)


def _field(page, name):
    found = re.search(rf'<div class="field[^"]*" id="field-{name}">.*?</div>', page, re.S)
    assert found, f"no field {name} on the page"
    return found.group(0)


def _cases():
    return db.session.scalar(select(func.count(Case.id)))


def _rows(page):
    return {int(n) for n in re.findall(r'id="case-row-(\d+)"', page)}


def _buttons(page):
    """The workflow actions offered on a case page, in order."""
    return re.findall(r'<a class="button[^"]*" href="/t/alpha/cases/\d+/do/(\w+)"', page)


# -- intake ---------------------------------------------------------------------------------


def test_a_dispute_is_registered_with_only_a_title_and_a_source(db, tenant, login_as):
    clerk = login_as("clerk")
    response = clerk.post("/t/alpha/cases/new", data={"title": "耕牛踩坏秧苗", "source": "call",
                                                      "csrf_token": clerk.csrf})
    assert response.status_code == 302
    case = db.session.scalar(select(Case))
    assert response.headers["Location"] == f"/t/alpha/cases/{case.id}"
    assert (case.title, case.source.value, case.state, case.created_by_id) == \
        ("耕牛踩坏秧苗", "call", S.REGISTERED, clerk.user.id)
    page = _text(clerk.get(response.headers["Location"]))
    assert f"已登记，案号{case.number}。" in page
    assert "耕牛踩坏秧苗" in page and "来电" in page and "已登记" in page


def test_the_applicant_can_be_registered_at_intake(db, tenant, login_as):
    clerk = login_as("clerk")
    clerk.post("/t/alpha/cases/new", data={"title": "劳务费纠纷", "source": "visit", "party_name": "王五",
                                           "party_phone": "13900001111", "csrf_token": clerk.csrf})
    case = db.session.scalar(select(Case))
    assert [(p.name, p.role, p.phone) for p in case.parties] == [("王五", PartyRole.APPLICANT, "13900001111")]


def test_an_empty_title_is_refused_beside_the_field_with_the_typing_kept(db, tenant, login_as):
    clerk = login_as("clerk")
    response = clerk.post("/t/alpha/cases/new", data={"title": " ", "source": "call", "party_name": "王五",
                                                      "narrative": "双方因耕牛踩坏秧苗发生争执",
                                                      "csrf_token": clerk.csrf})
    page = _text(response)
    assert response.status_code == 422
    assert "请为纠纷填写简短标题。" in _field(page, "title")
    assert '<option selected value="call">' in _field(page, "source")
    assert 'value="王五"' in _field(page, "party_name")
    assert "双方因耕牛踩坏秧苗发生争执" in _field(page, "narrative")
    assert _cases() == 0


def test_a_group_of_another_village_is_refused(db, tenant, login_as):
    first = factories.village_of(tenant)
    second = Village(tenant_id=tenant.id, name="甲镇二村", groups=[VillagerGroup(tenant_id=tenant.id, name="第三村民小组")])
    db.session.add(second)
    db.session.commit()
    clerk = login_as("clerk")
    response = clerk.post("/t/alpha/cases/new", data={
        "title": "灌溉用水纠纷", "source": "investigation", "village": first.id, "group": second.groups[0].id,
        "csrf_token": clerk.csrf})
    page = _text(response)
    assert response.status_code == 422
    assert "该村民小组不属于所选的村。" in _field(page, "group")
    assert 'value="灌溉用水纠纷"' in _field(page, "title")
    assert _cases() == 0

    good = clerk.post("/t/alpha/cases/new", data={
        "title": "灌溉用水纠纷", "source": "investigation", "village": first.id, "group": first.groups[0].id,
        "csrf_token": clerk.csrf})
    assert good.status_code == 302
    case = db.session.scalar(select(Case))
    assert (case.village_id, case.group_id) == (first.id, first.groups[0].id)


def test_roles_outside_intake_cannot_register(db, tenant, login_as):
    liaison = login_as("liaison")
    response = liaison.post("/t/alpha/cases/new", data={"title": "x", "source": "call", "csrf_token": liaison.csrf})
    assert response.status_code == 403
    assert _cases() == 0


# -- list and search ------------------------------------------------------------------------


@pytest.fixture
def three_cases(db, tenant):
    staff = Staff(tenant)
    village = factories.village_of(tenant)
    drain = factories.case(tenant, staff.director, title="宅基地纠纷", village=village,
                           narrative="因排水沟走向发生争执")
    loan = factories.case(tenant, staff.director, title="借款纠纷",
                          parties=[{"name": "李四", "role": PartyRole.RESPONDENT}])
    mediating = case_in(S.MEDIATING, staff, title="婚姻家庭纠纷", parties=[{"name": "赵六"}])
    db.session.commit()
    return drain, loan, mediating


def test_search_by_number_party_village_and_words_and_filter_by_state(db, tenant, login_as, three_cases):
    drain, loan, mediating = three_cases
    mediator = login_as("mediator")
    everything = _text(mediator.get("/t/alpha/cases/"))
    assert _rows(everything) == {drain.id, loan.id, mediating.id} and "共3件" in everything
    for query, expected in [
        ({"q": loan.number}, {loan.id}),
        ({"q": "李四"}, {loan.id}),
        ({"q": "甲镇一村"}, {drain.id}),
        ({"q": "排水沟"}, {drain.id}),
        ({"q": "借款"}, {loan.id}),
        ({"state": "mediating"}, {mediating.id}),
        ({"state": "registered"}, {drain.id, loan.id}),
        ({"state": "registered", "q": "李四"}, {loan.id}),
        ({"q": "没有这个词"}, set()),
    ]:
        page = _text(mediator.get("/t/alpha/cases/", query_string=query))
        assert _rows(page) == expected, query
        assert f"共{len(expected)}件" in page
    assert "没有符合条件的案件。" in _text(mediator.get("/t/alpha/cases/", query_string={"q": "没有这个词"}))


def test_live_search_answers_with_the_results_alone(db, tenant, login_as, three_cases):
    drain, _, _ = three_cases
    mediator = login_as("mediator")
    response = mediator.get("/t/alpha/cases/", query_string={"q": "排水沟"},
                            headers={"HX-Request": "true", "HX-Target": "case-results"})
    page = _text(response)
    assert page.lstrip().startswith('<section id="case-results">') and "<html" not in page
    assert _rows(page) == {drain.id}


# -- the case page --------------------------------------------------------------------------

BUTTONS = {
    # role: {state of the case (the director or mediator is the one in charge): buttons offered}
    "township_admin": {
        S.REGISTERED: ["assess"],
        S.ASSESSED: ["start_mediation", "refer", "escalate"],
        S.MEDIATING: ["refer", "resolve", "fail", "escalate"],
        S.FOLLOW_UP: ["follow_up", "reopen", "escalate"],
        S.CLOSED: ["reopen", "archive"],
    },
    "clerk": {S.REGISTERED: ["assess"], S.MEDIATING: []},
    "mediator": {S.REGISTERED: [], S.ASSESSED: ["start_mediation"], S.MEDIATING: ["resolve", "fail", "escalate"]},
    "officer": {S.MEDIATING: [], S.FOLLOW_UP: ["follow_up", "reopen"]},
    "county_reviewer": {S.MEDIATING: []},
}


@pytest.mark.parametrize("role", BUTTONS)
def test_the_case_page_offers_only_what_the_role_may_do_now(db, tenant, login_as, role):
    client = login_as(role)
    me = client.user.memberships[0]
    staff = Staff(tenant, director=me if role == "township_admin" else None,
                  mediator=me if role == "mediator" else None)
    for state, expected in BUTTONS[role].items():
        case = case_in(state, staff)
        db.session.commit()
        page = _text(client.get(f"/t/alpha/cases/{case.id}"))
        assert _buttons(page) == expected, state
        if not expected:
            assert "此案件目前没有需要您办理的事项。" in page, state


def test_the_liaison_is_offered_the_department_s_steps(db, tenant, login_as):
    liaison = login_as("liaison")
    staff = Staff(tenant, liaison=liaison.user.memberships[0])
    waiting = case_in(S.REFERRED, staff)
    accepted = case_in(S.REFERRED, staff, accepted=True)
    db.session.commit()
    assert _buttons(_text(liaison.get(f"/t/alpha/cases/{waiting.id}"))) == ["return_referral"]
    assert _buttons(_text(liaison.get(f"/t/alpha/cases/{accepted.id}"))) == ["complete_referral", "return_referral"]


def test_the_case_page_shows_the_timeline_newest_first(db, tenant, login_as):
    director = login_as("township_admin", display_name="周主任")
    case = case_in(S.MEDIATING, Staff(tenant, director=director.user.memberships[0]))
    db.session.commit()
    page = _text(director.get(f"/t/alpha/cases/{case.id}"))
    timeline = page.split("办理过程", 1)[1]
    ids = [int(n) for n in re.findall(r'<li id="event-(\d+)">', timeline)]
    assert ids == sorted((e.id for e in case.events), reverse=True) and len(ids) == 3
    assert timeline.count("周主任") == 3
    assert re.search(r"<strong>研判</strong>\s*已登记 → 已研判", timeline)
    assert re.search(r"<strong>开始调处</strong>\s*已研判 → 调解中", timeline)


# -- editing --------------------------------------------------------------------------------


def _edit(client, case, **changes):
    data = {"title": case.title, "narrative": case.narrative, "source": case.source.value,
            "level": case.level.value, "category": case.category_id or "", "village": case.village_id or "",
            "group": case.group_id or "", "csrf_token": client.csrf}
    data.update(changes)
    return client.post(f"/t/alpha/cases/{case.id}/edit", data=data)


def test_an_edit_is_recorded_on_the_timeline_with_before_and_after(db, tenant, login_as):
    clerk = login_as("clerk")
    case = factories.case(tenant, title="宅基地纠纷")
    category = db.session.scalar(select(Category).where(Category.name == "邻里纠纷"))
    db.session.commit()
    events = len(case.events)

    response = _edit(clerk, case, title="宅基地边界纠纷", category=category.id)
    assert response.status_code == 302
    assert (case.title, case.category_id) == ("宅基地边界纠纷", category.id)
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                               .order_by(CaseEvent.id.desc())).first()
    assert (event.kind, event.actor_id) == ("edited", clerk.user.id)
    assert event.data == {"changes": {"title": ["宅基地纠纷", "宅基地边界纠纷"], "category": [None, "邻里纠纷"]}}
    page = _text(clerk.get(f"/t/alpha/cases/{case.id}"))
    assert "修改了案件信息" in page
    assert "title: 宅基地纠纷 → 宅基地边界纠纷" in page and "category: — → 邻里纠纷" in page

    # Saving without a change leaves no trace.
    assert _edit(clerk, case).status_code == 302
    assert len(case.events) == events + 1


def test_a_bad_edit_is_refused_beside_the_field_and_nothing_changes(db, tenant, login_as):
    clerk = login_as("clerk")
    case = factories.case(tenant, title="宅基地纠纷")
    db.session.commit()
    response = _edit(clerk, case, title="", narrative="补充：双方曾签过协议")
    page = _text(response)
    assert response.status_code == 422
    assert "请为纠纷填写简短标题。" in _field(page, "title")
    assert "补充：双方曾签过协议" in _field(page, "narrative")
    assert case.title == "宅基地纠纷" and case.narrative == "" and len(case.events) == 1


# -- HTMX -----------------------------------------------------------------------------------


def test_an_htmx_transition_answers_with_the_case_partial(db, tenant, login_as):
    clerk = login_as("clerk")
    case = factories.case(tenant)
    db.session.commit()
    htmx = {"HX-Request": "true", "HX-Target": f"case-{case.id}"}

    form = clerk.get(f"/t/alpha/cases/{case.id}/do/assess", headers=htmx)
    page = _text(form)
    assert form.status_code == 200
    assert page.lstrip().startswith(f'<article id="case-{case.id}"') and "<html" not in page
    assert f'hx-post="/t/alpha/cases/{case.id}/do/assess"' in page

    done = clerk.post(f"/t/alpha/cases/{case.id}/do/assess", headers=htmx, data={
        "difficulty": "complex", "risk": "resolvable", "csrf_token": clerk.csrf})
    page = _text(done)
    assert done.status_code == 200
    assert page.lstrip().startswith(f'<article id="case-{case.id}"') and "<html" not in page
    assert "已完成：研判。" in page and "已研判" in page
    assert case.state == S.ASSESSED and case.limit_days == 20

    refused = clerk.post(f"/t/alpha/cases/{case.id}/do/assess", headers=htmx, data={
        "difficulty": "complex", "risk": "resolvable", "csrf_token": clerk.csrf})
    page = _text(refused)
    assert refused.status_code == 409
    assert page.lstrip().startswith(f'<article id="case-{case.id}"') and "<html" not in page
    assert "案件处于“已研判”状态，不能进行“研判”。" in page


def test_an_htmx_form_with_errors_comes_back_as_the_partial(db, tenant, login_as):
    clerk = login_as("clerk")
    case = factories.case(tenant)
    db.session.commit()
    response = clerk.post(f"/t/alpha/cases/{case.id}/do/assess", headers={"HX-Request": "true"},
                          data={"risk": "resolvable", "note": "待核实", "csrf_token": clerk.csrf})
    page = _text(response)
    assert response.status_code == 422
    assert page.lstrip().startswith(f'<article id="case-{case.id}"')
    assert "请选择难易程度。" in _field(page, "difficulty") and "待核实" in _field(page, "note")
    assert case.state == S.REGISTERED


def test_without_htmx_the_same_address_gives_the_full_page(db, tenant, login_as):
    clerk = login_as("clerk")
    case = factories.case(tenant)
    db.session.commit()
    page = _text(clerk.get(f"/t/alpha/cases/{case.id}/do/assess"))
    assert "<html" in page and f'<article id="case-{case.id}"' in page


# -- photos and scans -----------------------------------------------------------------------


def _upload(client, case, data, filename):
    return client.post(f"/t/alpha/cases/{case.id}/attachments", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename), "csrf_token": client.csrf})


def test_a_photo_is_attached_and_can_be_downloaded(db, tenant, login_as, storage_dir):
    officer = login_as("officer")
    case = factories.case(tenant)
    db.session.commit()
    response = _upload(officer, case, PNG, "现场照片.png")
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    assert (attachment.content_type, attachment.size, attachment.uploaded_by_id) == \
        ("image/png", len(PNG), officer.user.id)

    page = _text(officer.get(f"/t/alpha/cases/{case.id}"))
    link = f"/t/alpha/cases/{case.id}/attachments/{attachment.id}"
    assert f'href="{link}">现场照片.png</a>' in page and "添加了附件" in page
    download = officer.get(link)
    assert download.status_code == 200 and download.mimetype == "image/png" and download.data == PNG


REFUSED_FILES = [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "setup.exe", "只能上传照片（JPEG、PNG、WebP、HEIC）或 PDF 扫描件。"),
    ("调解笔录：双方同意……".encode(), "笔录.txt", "只能上传照片（JPEG、PNG、WebP、HEIC）或 PDF 扫描件。"),
    (b"<html>not a photo</html>", "photo.png", "只能上传照片（JPEG、PNG、WebP、HEIC）或 PDF 扫描件。"),  # bytes, not name
    (b"", "empty.png", "文件是空的。"),
    (PNG + b"\x00" * (1024 * 1024), "huge.png", "文件超过1 MB，请降低拍照分辨率后重试。"),
]


def test_files_that_are_not_photos_or_too_large_are_refused(db, tenant, login_as, storage_dir, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    officer = login_as("officer")
    case = factories.case(tenant)
    db.session.commit()
    for data, filename, message in REFUSED_FILES:
        response = _upload(officer, case, data, filename)
        assert response.status_code == 422, filename
        assert message in _field(_text(response), "file"), filename
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert [path for path in storage_dir.rglob("*") if path.is_file()] == []
    assert "添加了附件" not in _text(officer.get(f"/t/alpha/cases/{case.id}"))
