"""Likely duplicates at intake (疑似重复登记): the same ID number, the same phone, or the same name
in the same village, while the earlier case is open or closed within 90 days; shown before
saving, found through keyed hashes, never across townships; linked as related, or gone past."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from webapp.cases.models import Case, CaseEvent, CaseRelation, CaseState, Difficulty, Party, PartyRole
from webapp.extensions import db
from webapp.keys import new_data_key
from webapp.types import utcnow

ID = "53052219900101101X"
PHONE = "13812345678"


def _earlier(tenant, *, name="张三", phone=PHONE, id_number=ID, village=None, title="宅基地边界纠纷"):
    return factories.case(tenant, title=title, village=village, parties=[
        {"name": name, "role": PartyRole.APPLICANT, "phone": phone, "id_number": id_number}])


def _register(client, **fields):
    data = {"title": "又来反映宅基地问题", "source": "visit", "csrf_token": client.csrf, **fields}
    return client.post("/t/alpha/cases/new", data=data)


def _cases():
    return db.session.scalar(select(func.count(Case.id)))


def _listed(page):
    return [int(n) for n in re.findall(r'id="duplicate-(\d+)"', page)]


@pytest.mark.parametrize("typed, reason", [
    ({"party_name": "李四", "party_id_number": " " + ID.lower()}, "相同身份证号"),
    ({"party_name": "李四", "party_phone": " 138 1234 5678"}, "相同电话"),
    ({"party_name": " 张三 ", "village": "VILLAGE"}, "同村同名"),
])
def test_each_kind_of_match_is_shown_before_saving_with_a_link(db, tenant, login_as, typed, reason):
    village = factories.village_of(tenant)
    earlier = _earlier(tenant, village=village)
    _earlier(tenant, name="王五", phone="13900001111", id_number=None, village=None, title="另一户的纠纷")
    clerk = login_as("clerk")
    before = _cases()
    typed = {k: (str(village.id) if v == "VILLAGE" else v) for k, v in typed.items()}
    response = _register(clerk, **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _cases() == before
    assert "疑似重复登记" in page and _listed(page) == [earlier.id]
    assert f'href="/t/alpha/cases/{earlier.id}"' in page and reason in page
    assert 'value="又来反映宅基地问题"' in page  # the typing is kept


def test_only_cases_open_or_closed_within_90_days_count(db, tenant, login_as):
    recent, old = _earlier(tenant), _earlier(tenant)
    for case, days in ((recent, 89), (old, 91)):
        case.state, case.difficulty, case.closed_at = CaseState.CLOSED, Difficulty.ORDINARY, utcnow() - timedelta(days=days)
    db.session.flush()
    clerk = login_as("clerk")
    assert _listed(_register(clerk, party_name="张三", party_phone=PHONE).get_data(as_text=True)) == [recent.id]
    recent.closed_at = utcnow() - timedelta(days=92)
    db.session.flush()
    response = _register(clerk, party_name="张三", party_phone=PHONE)
    assert response.status_code == 302  # nothing to show: saved at once


def test_another_township_s_party_is_never_a_match(db, tenant, other_tenant, login_as):
    _earlier(other_tenant)
    clerk = login_as("clerk")
    response = _register(clerk, party_name="张三", party_phone=PHONE, party_id_number=ID)
    assert response.status_code == 302
    assert db.session.scalar(select(Case).where(Case.tenant_id == tenant.id)) is not None


def test_the_new_dispute_is_linked_as_related_and_both_pages_show_it(db, tenant, login_as):
    earlier = _earlier(tenant)
    clerk = login_as("clerk")
    response = _register(clerk, party_name="张三", party_phone=PHONE, related_case=str(earlier.id))
    assert response.status_code == 302
    new = db.session.scalar(select(Case).order_by(Case.id.desc()))
    relation = db.session.scalar(select(CaseRelation))
    assert (relation.case_id, relation.related_case_id, relation.created_by_id) == (new.id, earlier.id, clerk.user.id)
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == new.id, CaseEvent.kind == "related"))
    assert event.data == {"case_id": earlier.id, "number": earlier.number}
    new_page = clerk.get(response.headers["Location"]).get_data(as_text=True)
    assert f"已登记，案号{new.number}，与{earlier.number}相关。" in new_page
    assert "相关案件" in new_page and "登记为相关案件" in new_page
    assert new_page.count(f'href="/t/alpha/cases/{earlier.id}"') == 2  # the details and the timeline
    earlier_page = clerk.get(f"/t/alpha/cases/{earlier.id}").get_data(as_text=True)
    assert "相关案件" in earlier_page and f'href="/t/alpha/cases/{new.id}"' in earlier_page


def test_the_clerk_may_go_on_and_a_choice_that_is_no_listed_case_is_refused(db, tenant, login_as, other_tenant):
    earlier = _earlier(tenant)
    elsewhere = _earlier(other_tenant).id  # read now: after a request, another township's row is out of reach
    clerk = login_as("clerk")
    before = _cases()
    for choice in ("", str(elsewhere), "99999999999999", "x"):
        response = _register(clerk, party_name="张三", party_phone=PHONE, related_case=choice, duplicates_shown="1")
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and _cases() == before, choice
        assert "请选择与之相关的案件，或仍然登记" in page and _listed(page) == [earlier.id]
    response = _register(clerk, party_name="张三", party_phone=PHONE, related_case="none", duplicates_shown="1")
    assert response.status_code == 302 and _cases() == before + 1
    assert db.session.scalar(select(func.count(CaseRelation.id))) == 0


def test_hashes_are_kept_beside_the_ciphertext_and_follow_a_key_rotation(app, db, tenant, login_as, runner,
                                                                         monkeypatch):
    earlier = _earlier(tenant)
    party = earlier.parties[0]
    stored = (party.id_number_hash, party.phone_hash)
    assert all(h and len(h) == 64 and ID not in h and PHONE not in h for h in stored)
    clerk = login_as("clerk")
    # A new key first: the stored hashes are the old key's, and still found.
    monkeypatch.setitem(app.config, "DATA_KEY", f"{new_data_key()},{app.config['DATA_KEY']}")
    assert _listed(_register(clerk, party_name="李四", party_id_number=ID).get_data(as_text=True)) == [earlier.id]
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "parties (lookup hashes): 1 rows recomputed" in result.output, result.output
    db.session.expire_all()
    party = db.session.get(Party, party.id)
    assert (party.id_number_hash, party.phone_hash) != stored
    # The old key gone: found by the hashes recomputed under the new one.
    monkeypatch.setitem(app.config, "DATA_KEY", app.config["DATA_KEY"].split(",")[0])
    assert _listed(_register(clerk, party_name="李四", party_phone=PHONE).get_data(as_text=True)) == [earlier.id]
    again = runner.invoke(args=["parties", "rehash"])
    assert again.exit_code == 0 and "parties (lookup hashes): 0 rows recomputed" in again.output
