"""Display names of the kinds of department, registered with ``webapp.labels``."""
from flask_babel import lazy_gettext as _l

from webapp.labels import register
from webapp.referrals.models import DepartmentKind

register("department_kind", {
    DepartmentKind.POLICE_STATION: _l("Police station"), DepartmentKind.COURT: _l("People's court"),
    DepartmentKind.JUDICIAL_OFFICE: _l("Judicial office"), DepartmentKind.PETITION_OFFICE: _l("Petition office"),
    DepartmentKind.GOVERNANCE_OFFICE: _l("Comprehensive governance office"),
    DepartmentKind.VILLAGE_COMMITTEE: _l("Village mediation committee"),
})
