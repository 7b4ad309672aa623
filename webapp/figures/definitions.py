"""Every figure of the county review and the joint meetings, defined once.

The definition text is what the page shows beside each figure and what ``docs/figures.md`` lists;
``webapp.figures.queries`` computes exactly this, in SQL. The rules:

* **A case belongs to the period in which it was accepted** (受理, ``Case.accepted_at``,
  Beijing days). Every case figure counts that cohort in its state *now*: the 2026-H1 figures
  of a case accepted in June change when it is settled in August. Follow-up visits belong to
  the period of their due day, flags to the day they were raised, escalations to the day the
  sweep escalated, referrals to the day of the referral.
* A rate is a numerator over a denominator, both counted; with a denominator of 0 the rate
  is not shown (—), never 0 % nor 100 %.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from webapp.cases.models import CaseState as S

# States whose mediation is over (a result either way) or the dispute otherwise brought to an end.
MEDIATED_STATES = frozenset(S) - {S.REGISTERED, S.ASSESSED}
SETTLED_STATES = frozenset({S.RESOLVED, S.FOLLOW_UP, S.CLOSED, S.ARCHIVED})
FILE_STATES = frozenset({S.CLOSED, S.ARCHIVED})


@dataclass(frozen=True)
class Figure:
    key: str
    label: object
    definition: object
    numerator: str | None = None    # for a rate: the counts it divides
    denominator: str | None = None
    benchmark: float | None = None  # the seed's target; a township below it is marked

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    def value(self, counts: dict):
        """The figure from the raw counts: a count, or a rate (None with nothing to divide by)."""
        if not self.is_rate:
            return counts.get(self.key, 0)
        den = counts.get(self.denominator, 0)
        return counts.get(self.numerator, 0) / den if den else None

    def falls_short(self, value) -> bool:
        # Compared on whole hundredths of a percent, so that 99.0 % meets "≥ 99 %" despite rounding.
        return self.benchmark is not None and value is not None and round(value, 4) < self.benchmark


FIGURES: dict[str, Figure] = {f.key: f for f in (
    Figure("registered", _l("Cases registered"), _l(
        "Cases accepted in the period, whatever their state now.")),
    Figure("mediation_rate", _l("Mediation coverage"), _l(
        "Cases taken up — mediated by the center, referred to a department, or escalated — over the cases "
        "registered in the period. A case still registered or only assessed is not yet taken up."),
        "mediated", "registered", 0.99),
    Figure("success_rate", _l("Success rate"), _l(
        "Cases that ended in an agreement (by the center or a department) over the cases whose mediation has "
        "ended: those with an agreement plus those failed, or closed without one. Cases still being mediated, "
        "referred or escalated count in neither."),
        "succeeded", "concluded", 0.90),
    Figure("resolution_rate", _l("Resolution rate"), _l(
        "Cases brought to an end — agreement reached, in follow-up, closed or archived — over the cases "
        "registered in the period."),
        "settled", "registered"),
    Figure("archive_rate", _l("Archive rate"), _l(
        "Cases whose file is archived over the cases closed or archived: every closed case is due a file."),
        "archived", "file_due", 1.0),
    Figure("on_time_rate", _l("On-time rate"), _l(
        "Cases brought to an end by their deadline (the agreement, or the closing of a case without one, no "
        "later than the time limit with its pauses) over the cases brought to an end."),
        "on_time", "timed"),
    Figure("follow_up_rate", _l("Follow-up rate"), _l(
        "Follow-up visits recorded over the visits due in the period up to today."),
        "visits_done", "visits_due"),
    Figure("fulfilment_rate", _l("Agreement fulfilment rate"), _l(
        "Recorded follow-up visits due in the period that found the agreement carried out, over the recorded "
        "visits that said either way."),
        "visits_carried_out", "visits_answered"),
    Figure("overdue", _l("Overdue"), _l(
        "Cases of the period whose clock is running (not paused) and whose time limit has passed, now.")),
    Figure("reported", _l("Reported upward"), _l(
        "Cases of the period the center reported to the township party committee and government or to the "
        "county bureau.")),
    Figure("escalations", _l("Escalations to the county"), _l(
        "Cases the deadline sweep escalated to the county bureau during the period (long overdue, or a "
        "may-escalate case not reported within 24 hours).")),
    Figure("flags", _l("Accountability flags"), _l(
        "Accountability flags raised during the period, automatically or by hand, whatever their "
        "status now.")),
    Figure("group_share", _l("Settled in the villager group"), _l(
        "Of the cases that ended in an agreement, the share handled at villager-group level (small disputes stay in the group)."),
        "level_group", "succeeded"),
    Figure("village_share", _l("Settled in the village"), _l(
        "Of the cases that ended in an agreement, the share handled at village level (big ones stay in the village)."),
        "level_village", "succeeded"),
    Figure("township_share", _l("Settled in the township"), _l(
        "Of the cases that ended in an agreement, the share handled at township level (hard ones stay in the township)."),
        "level_township", "succeeded"),
)}

# The columns of the township-by-township table, in order.
TABLE = ("registered", "mediation_rate", "success_rate", "resolution_rate", "archive_rate", "on_time_rate",
         "follow_up_rate", "fulfilment_rate", "overdue", "reported", "escalations", "flags",
         "group_share", "village_share", "township_share")

BREAKDOWN_DEFINITIONS = {
    "category": _l("Cases registered in the period by category."),
    "source": _l("Cases registered in the period by where they came from."),
    "risk": _l("Cases registered in the period by the risk found at assessment (not yet assessed: none)."),
    "difficulty": _l("Cases registered in the period by difficulty (not yet assessed: none)."),
    "level": _l("Cases of the period settled with success, by the level that settled them: villager group, "
                "village or township."),
    "light": _l("Cases of the period whose clock is running, by their time-limit light now: red past the "
                "deadline, yellow from the warning days before it, paused while the clock is stopped."),
    "trend": _l("Cases registered in each month of the period, and how many of them have been brought to an end."),
    "village": _l("The same figures for the cases of each village (cases with no village apart)."),
    "department": _l("Referrals made in the period, by the department that received them: accepted "
                     "within the time to accept, resolved by the department, returned to the center."),
}


def rates(counts: dict) -> dict:
    """Every figure's value from the raw counts."""
    return {key: figure.value(counts) for key, figure in FIGURES.items()}


def shortfalls(values: dict) -> set:
    """The figures below their benchmark."""
    return {key for key, figure in FIGURES.items() if figure.falls_short(values.get(key))}
