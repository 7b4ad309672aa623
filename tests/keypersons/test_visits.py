"""The control log of key persons: visits with who went, what was done and the next due; the
list puts the most overdue visit first."""
from datetime import timedelta

from sqlalchemy import func, select

from webapp import timelimits
from webapp.cases.models import KeyPerson
from webapp.extensions import db
from webapp.keypersons.models import KeyPersonVisit
from webapp.keypersons.operations import record_visit, save_key_person


def _person(name):
    return save_key_person(None, name=name, kind="其他", village_id=None, measures="每周走访", responsible="村支书")


def test_a_visit_is_logged_and_bad_input_is_refused_beside_its_field(db, tenant, login_as):
    person = _person("赵某")
    client = login_as("officer")
    today = timelimits.today()
    path = f"/t/alpha/key-persons/{person.id}/visits"
    response = client.post(path, data={"visited_on": (today + timedelta(days=1)).isoformat(), "visitors": "李维稳员",
                                       "done": "入户谈心", "next_due_on": "", "csrf_token": client.csrf})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "走访日期不能晚于今天" in body and 'value="李维稳员"' in body
    assert db.session.scalar(select(func.count()).select_from(KeyPersonVisit)) == 0

    response = client.post(path, data={"visited_on": today.isoformat(), "visitors": "李维稳员、村支书",
                                       "done": "入户谈心，情绪稳定", "next_due_on": (today + timedelta(days=7)).isoformat(),
                                       "csrf_token": client.csrf})
    assert response.status_code == 302
    page = client.get(f"/t/alpha/key-persons/{person.id}").get_data(as_text=True)
    assert "入户谈心，情绪稳定" in page and (today + timedelta(days=7)).isoformat() in page


def test_the_list_orders_by_the_most_overdue_visit(db, tenant, login_as):
    director = login_as("township_admin")
    membership = director.user.memberships[0]
    today = timelimits.today()
    planned, late, later, none = _person("甲某"), _person("乙某"), _person("丙某"), _person("丁某")
    for person, due in ((planned, today + timedelta(days=5)), (late, today - timedelta(days=2)),
                        (later, today - timedelta(days=9))):
        record_visit(person, membership, visited_on=today - timedelta(days=30), visitors="李维稳员", done="走访",
                     next_due_on=due)
    # A later visit replaces the due day of the one before.
    record_visit(planned, membership, visited_on=today - timedelta(days=20), visitors="李维稳员", done="走访",
                 next_due_on=today + timedelta(days=5))
    db.session.commit()
    page = director.get("/t/alpha/key-persons/").get_data(as_text=True)
    order = [page.index(p.name) for p in (later, late, planned, none)]
    assert order == sorted(order)
    assert "走访逾期9天" in page
    assert db.session.scalar(select(func.count()).select_from(KeyPerson)) == 4
