"""Display names of the product's codes; the Chinese comes from the translations."""
from flask_babel import lazy_gettext as _l

from tenants.models import Role

ROLE_LABELS = {
    Role.COUNTY_ADMIN: _l("County administrator"),
    Role.COUNTY_REVIEWER: _l("County reviewer"),
    Role.TOWNSHIP_ADMIN: _l("Center director"),
    Role.CLERK: _l("Intake clerk"),
    Role.MEDIATOR: _l("Mediator"),
    Role.OFFICER: _l("Stability officer"),
    Role.LIAISON: _l("Department liaison"),
}


def role_label(role) -> str:
    return ROLE_LABELS[Role(role)]
