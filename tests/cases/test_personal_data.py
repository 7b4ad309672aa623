"""Personal data of the parties: encrypted at rest, masked on every page, revealed one field
at a time by the roles that need it (and audited), and checked when typed."""
import re

import pytest
from sqlalchemy import func, select, text

from tests import factories
from tests.cases.builders import Staff, case_in
from webapp.audit import AuditEvent
from webapp.cases.models import Case, CaseEvent, CaseState, Party
from webapp.personal_data import decrypt

ID_NUMBER, PHONE, ADDRESS = "53052219900101123X", "13812345678", "芒棒镇赵营村三组12号"
MASKED = {"id_number": "5305**********123X", "phone": "138****5678", "address": "芒棒镇赵营****"}
FULL = {"id_number": ID_NUMBER, "phone": PHONE, "address": ADDRESS}


def _party(case):
    return case.parties[0]


def _field(page, name):
    """The form field ``name``: label, input with the typed value, and its errors."""
    found = re.search(rf'<div class="field[^"]*" id="field-{name}">.*?</div>', page, re.S)
    assert found, f"no field {name} on the page"
    return found.group(0)


def _leaks(page):
    return [value for value in (ID_NUMBER, PHONE, ADDRESS, "19900101", "12345678") if value in page]


# -- at rest --------------------------------------------------------------------------------


def test_id_number_phone_and_address_are_encrypted_in_the_database(db, tenant):
    party = _party(factories.case(tenant))
    raw = db.session.execute(text("SELECT name, id_number, phone, address FROM parties WHERE id = :id"),
                             {"id": party.id}).one()
    assert raw.name == "张三"  # names stay searchable
    for column, plain in zip(("id_number", "phone", "address"), (ID_NUMBER, PHONE, ADDRESS)):
        stored = getattr(raw, column)
        assert plain not in stored and "1990" not in stored and "赵营" not in stored, column
        assert decrypt(stored) == plain
    # The same number twice is stored differently: equal values cannot be spotted in the table.
    again = _party(factories.case(tenant))
    assert db.session.scalar(text("SELECT phone FROM parties WHERE id = :id"), {"id": again.id}) != raw.phone


# -- masked on every page -------------------------------------------------------------------


def test_a_mediator_never_sees_a_full_id_number_phone_or_address(db, tenant, login_as):
    mediator = login_as("mediator")
    case = case_in(CaseState.MEDIATING, Staff(tenant, mediator=mediator.user.memberships[0]), title="宅基地纠纷")
    party = _party(case)
    db.session.commit()

    pages = {
        "case list": "/t/alpha/cases/",
        "search by party": "/t/alpha/cases/?q=张三",
        "search by number": f"/t/alpha/cases/?q={case.number}",
        "case page": f"/t/alpha/cases/{case.id}",
        "case edit": f"/t/alpha/cases/{case.id}/edit",
        "party edit": f"/t/alpha/cases/{case.id}/parties/{party.id}",
        "township home": "/t/alpha/",
        **{f"{name} form": f"/t/alpha/cases/{case.id}/do/{name}" for name in ("resolve", "fail", "escalate")},
    }
    for what, path in pages.items():
        response = mediator.get(path)
        assert response.status_code == 200, what
        assert _leaks(response.get_data(as_text=True)) == [], what
    search = mediator.get("/t/alpha/cases/?q=张三", headers={"HX-Request": "true", "HX-Target": "case-results"})
    assert f'id="case-row-{case.id}"' in search.get_data(as_text=True)
    assert _leaks(search.get_data(as_text=True)) == []

    case_page = mediator.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
    for masked in MASKED.values():
        assert masked in case_page
    # The assigned mediator may reveal the phone alone, to call (audited; tested below).
    assert "reveal/id_number" not in case_page and "reveal/address" not in case_page
    party_page = mediator.get(f"/t/alpha/cases/{case.id}/parties/{party.id}").get_data(as_text=True)
    assert f"当前：{MASKED['id_number']}。留空则保持不变。" in party_page
    assert f"当前：{MASKED['phone']}。留空则保持不变。" in party_page


# -- reveal ---------------------------------------------------------------------------------


def _reveals(db):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.event == "personal_data.reveal")
                              .order_by(AuditEvent.id)).all()


def _revealed(party, field):
    if field == "phone":  # a phone shown is a number to call from the phone in one's hand
        return f'<a class="revealed" id="party-{party.id}-phone" href="tel:{FULL["phone"]}">{FULL["phone"]}</a>'
    return f'<span class="revealed" id="party-{party.id}-{field}">{FULL[field]}</span>'


@pytest.mark.parametrize("role", ["township_admin", "clerk"])
def test_director_and_clerk_reveal_one_field_at_a_time_and_each_reveal_is_audited(db, tenant, login_as, role):
    client = login_as(role)
    case = factories.case(tenant)
    party = _party(case)
    db.session.commit()
    page = client.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
    assert _leaks(page) == []

    for n, field in enumerate(FULL):
        path = f"/t/alpha/cases/{case.id}/parties/{party.id}/reveal/{field}"
        assert f'action="{path}"' in page

        partial = client.post(path, data={"csrf_token": client.csrf}, headers={"HX-Request": "true"})
        assert partial.status_code == 200
        assert partial.get_data(as_text=True).strip() == _revealed(party, field)

        # Without JavaScript: the case page with that one field shown, the others still masked.
        full_page = client.post(path, data={"csrf_token": client.csrf})
        shown = full_page.get_data(as_text=True)
        assert full_page.status_code == 200 and FULL[field] in shown
        for other in set(FULL) - {field}:
            assert FULL[other] not in shown and MASKED[other] in shown

        # Every reveal is one audit row: who, in which township, which case and field.
        rows = _reveals(db)
        assert len(rows) == 2 * (n + 1)
        for row in rows[-2:]:
            assert (row.user_id, row.tenant_id, row.success) == (client.user.id, tenant.id, True)
            assert row.detail == {"case": case.number, "party": "张三", "field": field}


@pytest.mark.parametrize("role", ["mediator", "officer", "liaison", "county_admin", "county_reviewer"])
def test_other_roles_cannot_reveal(db, tenant, login_as, role):
    client = login_as(role)
    case = case_in(CaseState.REFERRED, Staff(tenant))  # one the liaison can see
    party = _party(case)
    db.session.commit()
    for field in FULL:
        response = client.post(f"/t/alpha/cases/{case.id}/parties/{party.id}/reveal/{field}",
                               data={"csrf_token": client.csrf}, headers={"HX-Request": "true"})
        assert response.status_code == 403
        assert FULL[field] not in response.get_data(as_text=True)
    assert _reveals(db) == []


def test_only_personal_fields_can_be_revealed(db, tenant, login_as):
    director = login_as("township_admin")
    case = factories.case(tenant)
    party = _party(case)
    db.session.commit()
    response = director.post(f"/t/alpha/cases/{case.id}/parties/{party.id}/reveal/name",
                             data={"csrf_token": director.csrf})
    assert response.status_code == 404
    assert _reveals(db) == []


# -- checked when typed ---------------------------------------------------------------------

VALID_ID = "53052219900103123X"  # GB 11643: the weighted sum of the first 17 digits calls for X
BAD_ID_NUMBERS = [
    ("530522199001011235", "身份证号码校验位不正确，请核对。"),
    ("5305221990010112", "身份证号码应为18位：前17位为数字，最后一位为数字或X。"),
    ("53052219900101123Y", "身份证号码应为18位：前17位为数字，最后一位为数字或X。"),
    ("530522199002301236", "身份证号码中的出生日期（第7至14位）不是有效日期。"),
]
BAD_PHONES = ["1381234567", "23812345678", "0875-51234", "电话13812345678"]
PHONE_MESSAGE = "请输入11位手机号码，或带区号的固定电话，例如 0875-5123456。"


def _counts(db):
    return (db.session.scalar(select(func.count(Party.id))), db.session.scalar(select(func.count(CaseEvent.id))),
            db.session.scalar(select(func.count(Case.id))))


def _add_party(client, case, **fields):
    data = {"name": "李四", "role": "respondent", "id_number": "", "phone": "", "address": "",
            "csrf_token": client.csrf}
    data.update(fields)
    return client.post(f"/t/alpha/cases/{case.id}/parties", data=data)


@pytest.fixture
def clerk_and_case(db, tenant, login_as):
    clerk = login_as("clerk")
    case = factories.case(tenant)
    db.session.commit()
    return clerk, case


@pytest.mark.parametrize("value, message", BAD_ID_NUMBERS)
def test_a_wrong_id_number_is_refused_beside_the_field_and_nothing_is_saved(db, clerk_and_case, value, message):
    clerk, case = clerk_and_case
    before = _counts(db)
    response = _add_party(clerk, case, id_number=value, phone="13900001111", address="甲镇一村五组")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in _field(page, "id_number") and f'value="{value}"' in _field(page, "id_number")
    assert 'value="李四"' in _field(page, "name") and 'value="13900001111"' in _field(page, "phone")
    assert _counts(db) == before


@pytest.mark.parametrize("value", BAD_PHONES)
def test_a_wrong_phone_is_refused_beside_the_field_and_nothing_is_saved(db, clerk_and_case, value):
    clerk, case = clerk_and_case
    before = _counts(db)
    response = _add_party(clerk, case, id_number=VALID_ID, phone=value)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert PHONE_MESSAGE in _field(page, "phone") and f'value="{value}"' in _field(page, "phone")
    assert "身份证号码" not in _field(page, "id_number").split("</label>", 1)[1]  # no error on a good ID
    assert _counts(db) == before


def test_good_numbers_are_accepted_and_stored_normalised(db, clerk_and_case):
    clerk, case = clerk_and_case
    response = _add_party(clerk, case, id_number=VALID_ID.lower(), phone="0875-5123456")
    assert response.status_code == 302
    party = db.session.scalar(select(Party).where(Party.case_id == case.id, Party.name == "李四"))
    assert (party.id_number, party.phone) == (VALID_ID, "0875-5123456")
    assert party.masked("phone") == "087****3456"


def test_intake_checks_the_applicants_numbers_too(db, tenant, login_as):
    clerk = login_as("clerk")
    before = _counts(db)
    response = clerk.post("/t/alpha/cases/new", data={
        "title": "劳务费纠纷", "source": "call", "level": "township", "party_name": "王五",
        "party_phone": "12345", "party_id_number": "530522199001011235", "csrf_token": clerk.csrf})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert PHONE_MESSAGE in _field(page, "party_phone")
    assert "身份证号码校验位不正确，请核对。" in _field(page, "party_id_number")
    assert 'value="劳务费纠纷"' in page and 'value="王五"' in page and 'value="530522199001011235"' in page
    assert _counts(db) == before


def test_editing_a_party_checks_the_numbers_and_keeps_what_is_stored(db, clerk_and_case):
    clerk, case = clerk_and_case
    party = _party(case)
    path = f"/t/alpha/cases/{case.id}/parties/{party.id}"
    response = clerk.post(path, data={"name": "张三", "role": "applicant", "phone": "1381234", "csrf_token": clerk.csrf})
    assert response.status_code == 422
    assert PHONE_MESSAGE in _field(response.get_data(as_text=True), "phone")
    assert party.phone == PHONE

    # Empty personal fields keep the stored values; a new phone replaces the old one.
    saved = clerk.post(path, data={"name": "张三", "role": "applicant", "phone": "13987654321", "id_number": "",
                                   "address": "", "csrf_token": clerk.csrf})
    assert saved.status_code == 302
    assert (party.id_number, party.phone, party.address) == (ID_NUMBER, "13987654321", ADDRESS)
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                               .order_by(CaseEvent.id.desc())).first()
    assert event.kind == "party_edited" and event.data == {"name": "张三", "fields": ["phone"]}
    assert "13987654321" not in str(event.data)


def test_the_assigned_mediator_reveals_a_partys_phone_to_call_it_and_nothing_else(db, tenant, login_as):
    mediator = login_as("mediator")
    other = login_as("mediator")
    staff = Staff(tenant, mediator=mediator.user.memberships[0])
    case = case_in(CaseState.MEDIATING, staff)
    party = _party(case)
    db.session.commit()
    page = mediator.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
    phone = f"/t/alpha/cases/{case.id}/parties/{party.id}/reveal/phone"
    assert f'action="{phone}"' in page and "reveal/id_number" not in page and "reveal/address" not in page
    partial = mediator.post(phone, data={"csrf_token": mediator.csrf}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and partial.get_data(as_text=True).strip() == _revealed(party, "phone")
    rows = _reveals(db)
    assert len(rows) == 1 and rows[0].user_id == mediator.user.id and rows[0].detail["field"] == "phone"
    for field in ("id_number", "address"):
        refused = mediator.post(f"/t/alpha/cases/{case.id}/parties/{party.id}/reveal/{field}",
                                data={"csrf_token": mediator.csrf}, headers={"HX-Request": "true"})
        assert refused.status_code == 403 and FULL[field] not in refused.get_data(as_text=True)
    # Another mediator, not assigned to the case, sees the phone masked and cannot reveal it.
    assert "reveal/phone" not in other.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
    assert other.post(phone, data={"csrf_token": other.csrf}).status_code == 403
    assert len(_reveals(db)) == 1
