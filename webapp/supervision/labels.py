"""Display names of assignment sources and states and of notice kinds, registered with ``webapp.labels``."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from webapp.labels import register, register_events
from webapp.supervision.models import AssignmentSource, AssignmentState, NoticeKind

register("assignment_source", {
    AssignmentSource.HOTLINE: _l("12345 hotline"),
    AssignmentSource.PETITION: _l("Petition"),
    AssignmentSource.HIGHER: _l("Higher authority"),
})
register("assignment_state", {
    AssignmentState.WAITING: _l("Waiting to be taken up"),
    AssignmentState.LATE: _l("Not taken up in time"),
    AssignmentState.TAKEN_UP: _l("Taken up"),
    AssignmentState.OVERDUE: _l("Not settled in time"),
    AssignmentState.SETTLED: lazy_pgettext("assignment state", "Settled"),
})
register("notice_kind", {
    NoticeKind.SUPERVISION: _l("Supervision notice"),
    NoticeKind.WARNING: _l("Warning notice"),
})
register_events({
    "assignment_taken_up": _l("Taken up: assigned from above"),
})
