"""Display names of the product's codes; the Chinese comes from the translations.

One registry for every feature. A feature registers its own sets of names where it defines
its codes (``register("risk", {Risk.RESOLVABLE: _l("Resolvable"), …})``, usually in its
``labels.py``, imported by its package), so this module knows no feature. A word that means
two things in two sets gets a context of its own (``lazy_pgettext``): ``tests/test_i18n.py``
reads every registered set and holds them to it.
"""
from flask_babel import lazy_gettext as _l

from tenants.models import Role

_SETS: dict[str, dict] = {}
# The timeline's names of events, by kind; features add theirs with ``register_events``.
EVENT_LABELS: dict[str, object] = {}


def register(kind: str, names: dict) -> dict:
    """Make ``names`` (code → display name) the set ``kind``; returns it, for the module that
    defines it to keep using."""
    if _SETS.get(kind, names) is not names:
        raise ValueError(f"two sets of labels are named {kind!r}")
    _SETS[kind] = names
    return names


def register_events(names: dict) -> None:
    clash = {kind for kind in names if kind in EVENT_LABELS and EVENT_LABELS[kind] is not names[kind]}
    if clash:
        raise ValueError(f"timeline events named twice: {sorted(clash)}")
    EVENT_LABELS.update(names)


def label_sets() -> dict[str, dict]:
    """Every registered set, by name (the events' too, as ``event``)."""
    return {**_SETS, "event": EVENT_LABELS}


ROLE_LABELS = register("role", {
    Role.COUNTY_ADMIN: _l("County administrator"),
    Role.COUNTY_REVIEWER: _l("County reviewer"),
    Role.TOWNSHIP_ADMIN: _l("Center director"),
    Role.CLERK: _l("Intake clerk"),
    Role.MEDIATOR: _l("Mediator"),
    Role.OFFICER: _l("Stability officer"),
    Role.LIAISON: _l("Department liaison"),
    Role.PARTY: _l("Township party committee and government"),
})


def role_label(role) -> str:
    return ROLE_LABELS[Role(role)]


def label(kind: str, value) -> str:
    """The display name of a code, e.g. ``label("risk", Risk.MAY_ESCALATE)`` → 可激化."""
    code = getattr(value, "value", value)
    for key, text in _SETS[kind].items():
        if key == value or getattr(key, "value", key) == code:
            return text
    return str(code)


def choices(kind: str) -> list[tuple[str, object]]:
    return [(getattr(k, "value", k), v) for k, v in _SETS[kind].items()]


def fault_label(number: int) -> str:
    return label("fault", int(number))


def event_label(kind: str) -> str:
    """The timeline's name for an event; sweep events carry their level or kind after a colon."""
    prefix, _, rest = kind.partition(":")
    if prefix == "escalation" and rest:
        return label("escalation", rest)
    if prefix == "ack" and rest:
        return _l("Escalation acknowledged: %(level)s", level=label("escalation", rest))
    if prefix == "instruction" and rest:
        return _l("Instruction: %(level)s", level=label("escalation", rest))
    if prefix == "flag" and rest:
        return _l("Accountability flag: %(kind)s", kind=label("flag", rest))
    if prefix == "deadline" and rest:
        return _l("Deadline set: settle by %(date)s", date=rest)
    return EVENT_LABELS.get(kind, kind)
