"""The roster: mediators and stability officers, full- or part-time, with or without an
account; a bad entry is refused beside its field and nothing is saved."""
from datetime import date

import pytest
from sqlalchemy import func, select, text as sql

from tests import factories
from tests.pay.pages import field, text
from webapp.extensions import db
from webapp.pay.models import Employment, RosterEntry, StaffKind


def _count() -> int:
    return db.session.scalar(select(func.count(RosterEntry.id)))


def _post(client, path="/t/alpha/pay/roster/new", **data):
    form = {"kind": "mediator", "employment": "part_time", "active_from": "2026-01-01", "csrf_token": client.csrf}
    form.update(data)
    return client.post(path, data={k: v for k, v in form.items() if v is not None})


def test_the_director_adds_a_part_time_village_mediator_without_an_account(tenant, login_as):
    director = login_as("township_admin")
    village = factories.village_of(tenant)

    response = _post(director, name="杨兼职", village=str(village.id), phone="13987654321")

    assert response.status_code == 302
    entry = db.session.scalar(select(RosterEntry))
    assert (entry.name, entry.user_id, entry.kind, entry.employment, entry.village_id, entry.active_from) == (
        "杨兼职", None, StaffKind.MEDIATOR, Employment.PART_TIME, village.id, date(2026, 1, 1))
    # The phone is stored encrypted and shown masked.
    stored = db.session.execute(sql("SELECT phone FROM roster_entries WHERE id = :id"), {"id": entry.id}).scalar()
    assert "13987654321" not in stored and entry.phone == "13987654321"
    page = text(director.get("/t/alpha/pay/roster/"))
    assert "杨兼职" in page and "139****4321" in page and "13987654321" not in page
    assert "兼职" in page and "无账号" in page


def test_a_full_time_mediator_with_an_account_takes_the_accounts_name(tenant, login_as):
    director = login_as("township_admin")
    mediator = factories.user("mediator", tenant, display_name="周专职")

    response = _post(director, account=str(mediator.id), name="", employment="full_time")

    assert response.status_code == 302
    entry = db.session.scalar(select(RosterEntry))
    assert (entry.name, entry.user_id, entry.employment) == ("周专职", mediator.id, Employment.FULL_TIME)


REFUSALS = [
    # (what the director typed, the field, the message beside it)
    ({"name": ""}, "name", "没有账号的人员请填写姓名。"),
    ({"name": "杨兼职", "active_from": "2026-03-10", "active_to": "2026-03-01"}, "active_to",
     "截止日期不能早于起始日期。"),
    ({"name": "老党员赵", "kind": "officer"}, "village", "综治维稳员负责一个村（社区）：请选择。"),
    ({"name": "杨兼职", "phone": "12345"}, "phone", "请输入11位手机号码"),
    ({"name": "杨兼职", "employment": None}, "employment", "请选择专职或兼职。"),
    ({"name": "杨兼职", "active_from": ""}, "active_from", "请填写起始日期。"),
]


@pytest.mark.parametrize("typed, name, message", REFUSALS, ids=[r[1] for r in REFUSALS])
def test_a_bad_entry_is_refused_beside_its_field_and_nothing_is_saved(tenant, login_as, typed, name, message):
    director = login_as("township_admin")

    response = _post(director, **typed)

    page = text(response)
    assert response.status_code == 422
    assert message in field(page, name)
    if typed.get("name"):
        assert f'value="{typed["name"]}"' in field(page, "name")
    if typed.get("active_from"):
        assert f'value="{typed["active_from"]}"' in field(page, "active_from")
    assert _count() == 0


def test_one_officer_per_village_at_a_time(tenant, login_as):
    director = login_as("township_admin")
    village = factories.village_of(tenant)
    factories.roster_entry(tenant, name="老党员赵", kind="officer", village=village, active_from=date(2026, 1, 1),
                           active_to=date(2026, 6, 30))

    response = _post(director, name="离任村干部钱", kind="officer", village=str(village.id),
                     active_from="2026-06-01")

    assert response.status_code == 422
    assert "老党员赵 在 2026-01-01 – 2026-06-30 期间是本村（社区）的综治维稳员" in field(text(response), "village")
    assert _count() == 1
    # From the day after, the village may have its next officer.
    assert _post(director, name="离任村干部钱", kind="officer", village=str(village.id),
                 active_from="2026-07-01").status_code == 302
    assert _count() == 2


def test_one_account_is_on_the_roster_once_at_a_time(tenant, login_as):
    director = login_as("township_admin")
    mediator = factories.user("mediator", tenant)
    factories.roster_entry(tenant, user=mediator, employment="part_time", active_from=date(2026, 1, 1))

    response = _post(director, account=str(mediator.id), employment="full_time", active_from="2026-09-01")

    assert response.status_code == 422
    assert "该账号在 2026-01-01 – … 期间已在名册中" in field(text(response), "account")
    assert _count() == 1


def test_an_account_of_another_township_cannot_be_put_on_the_roster(tenant, other_tenant, login_as):
    director = login_as("township_admin")
    theirs = factories.user("mediator", other_tenant)

    response = _post(director, account=str(theirs.id), name="")

    assert response.status_code == 422
    assert _count() == 0


def test_editing_changes_the_entry_and_an_empty_phone_keeps_the_stored_one(tenant, login_as):
    director = login_as("township_admin")
    entry = factories.roster_entry(tenant, name="杨兼职", phone="13900001111")

    page = text(director.get(f"/t/alpha/pay/roster/{entry.id}"))
    assert "139****1111" in page and "13900001111" not in page
    response = _post(director, f"/t/alpha/pay/roster/{entry.id}", name="杨兼职", phone="",
                     active_to="2026-10-31")

    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.active_to == date(2026, 10, 31) and entry.phone == "13900001111"


def test_a_refused_edit_keeps_the_entry_as_it_was(tenant, login_as):
    director = login_as("township_admin")
    entry = factories.roster_entry(tenant, name="杨兼职", active_from=date(2026, 1, 1))

    response = _post(director, f"/t/alpha/pay/roster/{entry.id}", name="杨改名", active_to="2025-12-01")

    assert response.status_code == 422
    assert 'value="杨改名"' in field(text(response), "name")
    db.session.refresh(entry)
    assert entry.name == "杨兼职" and entry.active_to is None


def test_the_county_reads_the_roster_but_cannot_change_it(tenant, login_as):
    entry = factories.roster_entry(tenant, name="杨兼职")
    reviewer = login_as("county_reviewer")

    page = text(reviewer.get(f"/t/alpha/pay/roster/{entry.id}"))
    assert "杨兼职" in page and "<form method=\"post\"" not in page.split("<main")[1]
    assert _post(reviewer, f"/t/alpha/pay/roster/{entry.id}", name="改").status_code == 403
    assert _post(reviewer, name="新人").status_code == 403


def test_mediators_do_not_see_the_roster(tenant, login_as):
    assert login_as("mediator").get("/t/alpha/pay/roster/").status_code == 403
