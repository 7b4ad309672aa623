"""Recording key persons, their control measures and the visits of their control log."""
from datetime import date

from sqlalchemy import select

from webapp.cases.models import KeyPerson
from webapp.extensions import db
from webapp.keypersons.models import KeyPersonVisit

FIELDS = ("name", "kind", "village_id", "measures", "responsible")
PRIVATE = ("id_number", "phone")


def save_key_person(person: KeyPerson | None, **values) -> KeyPerson:
    """Create or update; an empty ID number or phone keeps the stored one."""
    person = person or KeyPerson()
    for name in FIELDS:
        setattr(person, name, values[name])
    for name in PRIVATE:
        if values.get(name):
            setattr(person, name, values[name])
    db.session.add(person)
    db.session.flush()
    return person


def record_visit(person: KeyPerson, actor, *, visited_on: date, visitors: str, done: str,
                 next_due_on: date | None) -> KeyPersonVisit:
    """A visit of the control log (属地原则, 谁主管谁负责); its next due day becomes the
    person's, which the sweep reminds of and flags when missed."""
    visit = KeyPersonVisit(tenant_id=person.tenant_id, key_person_id=person.id, visited_on=visited_on,
                           visitors=visitors, done=done, next_due_on=next_due_on, recorded_by_id=actor.user_id)
    db.session.add(visit)
    db.session.flush()
    return visit


def visits_of(person: KeyPerson) -> list[KeyPersonVisit]:
    """The control log, the latest visit first."""
    return db.session.scalars(select(KeyPersonVisit).where(
        KeyPersonVisit.key_person_id == person.id, KeyPersonVisit.tenant_id == person.tenant_id)
        .order_by(KeyPersonVisit.visited_on.desc(), KeyPersonVisit.id.desc())).all()


def latest_visits(tenant_id: int) -> dict[int, KeyPersonVisit]:
    """Each key person's latest visit (by date, then by when it was recorded): its next due day
    is the person's."""
    latest = {}
    for visit in db.session.scalars(select(KeyPersonVisit).where(KeyPersonVisit.tenant_id == tenant_id)
                                    .order_by(KeyPersonVisit.visited_on, KeyPersonVisit.id)):
        latest[visit.key_person_id] = visit
    return latest


def by_most_overdue(people: list[KeyPerson], latest: dict[int, KeyPersonVisit]) -> list[KeyPerson]:
    """The most overdue next visit first, then the next ones due, then those with none planned."""
    def key(person):
        visit = latest.get(person.id)
        due = visit.next_due_on if visit is not None else None
        return (due is None, due or date.max, person.id)
    return sorted(people, key=key)
