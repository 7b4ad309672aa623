"""Display names of the codes of villages, councils and relocation sites."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from webapp.labels import label, register, register_events
from webapp.villages.models import CouncilRole, CouncilStatus, Phase, PhaseStatus

LABELS = {
    "council_status": {CouncilStatus.FORMING: _l("Forming"), CouncilStatus.ACTIVE: _l("Formed")},
    "council_role": {CouncilRole.CHAIR: _l("Council chair"), CouncilRole.VICE_CHAIR: _l("Council vice chair"),
                     CouncilRole.MEMBER: _l("Council member")},
    "phase": {Phase.SITE_SELECTION: _l("Site selection"), Phase.PLANNING: _l("Planning and design"),
              Phase.CONSTRUCTION: _l("Construction management"), Phase.QUALITY: _l("Quality supervision"),
              Phase.ACCEPTANCE: _l("Completion acceptance")},
    "phase_status": {PhaseStatus.NOT_STARTED: _l("Not started"), PhaseStatus.IN_PROGRESS: _l("In progress"),
                     PhaseStatus.DONE: _l("Done")},
    # 村 as against 社区, not the level of a case (村（社区）级): a context of its own.
    "village_kind": {"village": lazy_pgettext("village kind", "Village"), "community": _l("Community")},
}


for _kind, _names in LABELS.items():
    register(_kind, _names)
# Which council reported or handles a case, and the site it arose at: lines on its timeline.
register_events({
    "council_reported": _l("Reporting council"),
    "council_handling": _l("Council handling the dispute"),
    "relocation_site": _l("Relocation site"),
})


def village_label(kind: str, value) -> str:
    return label(kind, value)


def context() -> dict:
    return {"village_label": village_label}
