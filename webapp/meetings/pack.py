"""The pack (会议材料) the app prepares for a meeting: the half-year's figures per member unit,
per village and for the township; the major and difficult open disputes to discuss; the
accountability flags raised in the half-year; the earlier meetings' decisions not yet done.

The figures come from ``webapp.figures``, where every figure is defined once. Disputes are
those still open now (``workflow.OPEN``: not escalated, closed or archived) that are complex
or major, or may escalate (可激化), whenever they were registered: an old unresolved dispute
is exactly what the meeting is for. Flags are those raised between the first and the last
day of the half-year, Beijing time, whatever their status now.
"""
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from webapp.cases.models import Case, Difficulty, Risk
from webapp.cases.workflow import OPEN
from webapp.deadlines.models import Flag
from webapp.extensions import db
from webapp.figures import FIGURES, Period, by_department, by_village, township_figures
from webapp.meetings.models import Meeting
from webapp.meetings.operations import open_decisions


# The figures a pack shows, in order (their definitions are in ``webapp.figures``).
TOWNSHIP_FIGURES = ("registered", "mediation_rate", "success_rate", "resolution_rate", "archive_rate",
                    "on_time_rate", "follow_up_rate", "overdue", "reported", "flags")
VILLAGE_FIGURES = ("registered", "mediation_rate", "success_rate", "resolution_rate", "overdue", "flags")


def half_year(meeting: Meeting) -> Period:
    """The half-year a meeting reviews: January to June for the mid-year one, July to December
    for the year-end one."""
    return Period.half(meeting.year, meeting.half)


def discussion_cases(tenant_id: int) -> list[Case]:
    """The major and difficult open disputes: complex or major, or 可激化; major ones first."""
    rank = {Difficulty.MAJOR: 0, Difficulty.COMPLEX: 1, Difficulty.ORDINARY: 2, None: 3}
    cases = db.session.scalars(
        select(Case).where(
            Case.tenant_id == tenant_id, Case.state.in_(OPEN),
            or_(Case.difficulty.in_([Difficulty.COMPLEX, Difficulty.MAJOR]), Case.risk == Risk.MAY_ESCALATE))
        .options(selectinload(Case.village), selectinload(Case.assignee), selectinload(Case.department))
    ).all()
    return sorted(cases, key=lambda c: (c.risk != Risk.MAY_ESCALATE, rank[c.difficulty], c.accepted_at, c.id))


def half_year_flags(tenant_id: int, period: Period) -> list[Flag]:
    return db.session.scalars(
        select(Flag).where(Flag.tenant_id == tenant_id, Flag.raised_at >= period.start, Flag.raised_at < period.end)
        .options(selectinload(Flag.case), selectinload(Flag.responsible_user),
                 selectinload(Flag.responsible_department))
        .order_by(Flag.raised_at, Flag.id)
    ).all()


def figures(tenant_id: int, period: Period) -> dict:
    """The half-year's figures: township totals, per member unit, per village (``webapp.figures``)."""
    return {"definitions": FIGURES, "township": township_figures(tenant_id, period),
            "departments": by_department(tenant_id, period), "villages": by_village(tenant_id, period),
            "township_keys": TOWNSHIP_FIGURES, "village_keys": VILLAGE_FIGURES}


def prepare_pack(meeting: Meeting) -> dict:
    period = half_year(meeting)
    return {"meeting": meeting, "period": period, "cases": discussion_cases(meeting.tenant_id),
            "open_decisions": open_decisions(meeting),
            "flags": half_year_flags(meeting.tenant_id, period), "figures": figures(meeting.tenant_id, period)}


def minutes_context(meeting: Meeting) -> dict:
    """Attendance split into present and absent (member units first, then villages), and the
    decisions with their actions."""
    rows = sorted(meeting.attendance,
                  key=lambda a: (a.village_id is not None, a.department_id or 0, a.village_id or 0))
    return {"meeting": meeting, "present": [a for a in rows if a.present],
            "absent": [a for a in rows if not a.present], "decisions": meeting.decisions}
