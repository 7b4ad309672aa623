"""Recording key persons and their control measures."""
from webapp.cases.models import KeyPerson
from webapp.extensions import db

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
