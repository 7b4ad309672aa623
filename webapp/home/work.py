"""The overview's work list: what waits on the signed-in member, the most urgent first.

Each section is a step of the workflow where the member's role makes the next move
(``webapp.cases.workflow.TRANSITIONS``): cases to assess for intake, cases to take on or refer
for the director, the member's own running cases, the follow-up visits coming due, a
department's referrals for its liaison, and the overdue cases for whoever answers for the
township. Every query starts from ``visible_cases()``, so the township and a liaison's
department are enforced where they always are.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from tenants.models import Role
from webapp import timelimits
from webapp.board.queries import View, in_view
from webapp.cases.access import visible_cases
from webapp.cases.models import Case, CaseState, FollowUp, ReferralStatus, Risk
from webapp.cases.workflow import TRANSITIONS
from webapp.deadlines.models import AlertKind, Escalation, EscalationLevel, Flag, FlagStatus
from webapp.extensions import db
from webapp.township.settings import calendar_for

SHOWN = 8  # rows a section lists; its count and link say how many more there are
VISITS_AHEAD = timedelta(days=3)  # follow-up visits listed this long before they fall due


@dataclass(frozen=True)
class Row:
    case: Case
    light: timelimits.Light
    note: str


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    rows: list
    total: int
    more_url: str | None
    empty: object


def _by_deadline(query):
    return query.order_by(Case.due_at.asc().nulls_last(), Case.accepted_at.asc(), Case.id.asc())


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def _clock_note(clock: timelimits.CaseClock) -> str:
    if clock.light == timelimits.Light.PAUSED:
        return str(_l("Clock paused"))
    if clock.days_left is None:
        return ""
    if clock.light == timelimits.Light.RED:
        return str(lazy_ngettext("Overdue by %(num)d day", "Overdue by %(num)d days", clock.overdue_days))
    return str(lazy_ngettext("%(num)d day left", "%(num)d days left", clock.days_left))


def _cases(key, title, query, now, *, empty, more_url=None, note=None) -> Section:
    """The first ``SHOWN`` cases of ``query`` by deadline; each row says ``note(case)`` if
    given, then how its clock stands."""
    cases = db.session.scalars(_by_deadline(query).options(joinedload(Case.village)).limit(SHOWN)).unique().all()
    rows = []
    for case in cases:
        clock = timelimits.case_clock(case, now, calendar_for(case.tenant_id))
        notes = [note(case) if note else "", _clock_note(clock)]
        rows.append(Row(case, clock.light, " · ".join(n for n in notes if n)))
    total = len(rows) if len(rows) < SHOWN else _count(query)
    return Section(key, title, rows, total, more_url, empty)


def _visits(membership, now, today: date) -> Section:
    """Open follow-up visits due within ``VISITS_AHEAD`` or already past: the member's own
    cases', or the whole township's for the director."""
    cases = in_view(View("all" if membership.role == Role.TOWNSHIP_ADMIN else "mine"), membership, now)
    query = (select(FollowUp, Case)
             .join(Case, Case.id == FollowUp.case_id)
             .where(FollowUp.tenant_id == g.tenant.id, FollowUp.done_at.is_(None),
                    FollowUp.due_on <= today + VISITS_AHEAD,
                    Case.id.in_(cases.with_only_columns(Case.id)))
             .order_by(FollowUp.due_on, FollowUp.id))
    rows = []
    for visit, case in db.session.execute(query.options(joinedload(Case.village)).limit(SHOWN)).unique().all():
        late = (today - visit.due_on).days
        light = timelimits.Light.RED if late > 0 else timelimits.Light.YELLOW
        when = str(_l("visit due %(date)s", date=visit.due_on.strftime("%m-%d")))
        if late > 0:
            when = f"{when} · {lazy_ngettext('Overdue by %(num)d day', 'Overdue by %(num)d days', late)}"
        rows.append(Row(case, light, when))
    total = len(rows) if len(rows) < SHOWN else _count(query)
    return Section("visits", _l("Follow-up visits coming due"), rows, total, None,
                   _l("No follow-up visit is due in the next three days."))


def _referrals(membership, now) -> Section:
    """A liaison's department: referrals to accept, and accepted ones to report on."""
    query = visible_cases().where(Case.state == CaseState.REFERRED, Case.department_id == membership.department_id)

    def note(case):
        referral = case.open_referral
        if referral is not None and referral.status == ReferralStatus.PENDING:
            return str(_l("Waiting for acceptance"))
        return str(_l("Accepted: report the result"))

    return _cases("referrals", _l("Referred to your department"), query.options(selectinload(Case.referrals)), now,
                  note=note, more_url=url_for("referrals.inbox"), empty=_l("No referral is waiting for your department."))


def sections(membership, now: datetime) -> list[Section]:
    """The member's work list, in the order they would work through it."""
    role = membership.role
    today = timelimits.today(now)
    found = []
    if role == Role.LIAISON:
        return [_referrals(membership, now)]
    if role in TRANSITIONS["assess"].roles:
        found.append(_cases(
            "assess", _l("Waiting for assessment"), visible_cases().where(Case.state == CaseState.REGISTERED), now,
            note=lambda case: str(_l("registered %(date)s", date=timelimits.today(case.accepted_at).strftime("%m-%d"))),
            more_url=url_for("cases.index", state=CaseState.REGISTERED.value),
            empty=_l("Every registered dispute has been assessed.")))
    if role in TRANSITIONS["refer"].roles:
        found.append(_cases(
            "route", _l("To take on or refer (assessed, or returned by a department)"),
            visible_cases().where(Case.state.in_((CaseState.ASSESSED, CaseState.RETURNED))), now,
            more_url=url_for("board.index", view="all"), empty=_l("No case is waiting for a mediator.")))
    if not role.is_county and role not in (Role.CLERK, Role.PARTY):
        found.append(_cases(
            "mine", _l("My running cases"), in_view(View("mine"), membership, now).where(Case.state.in_(timelimits.RUNNING_STATES)), now,
            more_url=url_for("board.index", view="mine"), empty=_l("No running case is yours.")))
    if role in TRANSITIONS["follow_up"].roles:
        found.append(_visits(membership, now, today))
    if role == Role.TOWNSHIP_ADMIN:
        found.append(_cases(
            "reported", _l("Reported, not yet answered"),
            visible_cases().where(_escalated(Escalation.reason == AlertKind.MANUAL, Escalation.instructed_at.is_(None))),
            now, more_url=url_for("deadlines.escalations"), empty=_l("Every case reported has been answered.")))
    if role == Role.PARTY:
        found.extend(_party(now))
    if role in (Role.TOWNSHIP_ADMIN, Role.PARTY) or role.is_county:
        found.append(_cases(
            "overdue", _l("Overdue in the township"),
            in_view(View("overdue"), membership, now), now,
            more_url=url_for("board.index", view="overdue"), empty=_l("No case is overdue.")))
    return found


def _escalated(*conditions):
    return exists(select(Escalation.id).where(Escalation.case_id == Case.id, *conditions))


def _party(now) -> list[Section]:
    """What the township's party committee and government watch: what was reported to them and
    is not yet acknowledged, the cases that may escalate, (below) the overdue ones, and the
    cases with an open accountability flag."""
    open_states = Case.state.not_in((CaseState.CLOSED, CaseState.ARCHIVED))
    flagged = exists(select(Flag.id).where(Flag.case_id == Case.id, Flag.status == FlagStatus.OPEN))
    return [
        _cases("reported_to_me", _l("Reported to you, not yet acknowledged"),
               visible_cases().where(_escalated(Escalation.level == EscalationLevel.PARTY_COMMITTEE,
                                                Escalation.acknowledged_at.is_(None))),
               now, more_url=url_for("deadlines.escalations"), empty=_l("Nothing reported waits for you.")),
        _cases("may_escalate", _l("May escalate"),
               visible_cases().where(Case.risk == Risk.MAY_ESCALATE, open_states), now,
               more_url=url_for("board.index", view="high_risk"), empty=_l("No open case may escalate.")),
        _cases("flagged", _l("With an open accountability flag"), visible_cases().where(flagged), now,
               more_url=url_for("deadlines.flags"), empty=_l("No case has an open flag.")),
    ]
