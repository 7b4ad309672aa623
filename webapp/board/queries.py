"""What the board shows: its views, the cases of one column page by page, the per-column
counts, and what changed since a poll.

Every query starts from ``webapp.cases.access.visible_cases()``, which filters by township
explicitly and limits a department's liaison to the cases referred to that department.
Columns are read in deadline order with keyset pagination on ``ix_cases_board``.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from tenants.models import Role
from webapp import timelimits
from webapp.cases.access import own_cases, visible_case, visible_cases
from webapp.cases.models import Case, CaseState, Risk
from webapp.extensions import db
from webapp.labels import register
from webapp.villages.models import Village

PAGE_SIZE = 20
# A poll looks this far behind its last answer, so that a change whose transaction committed
# just after that answer was read is not missed. Sending a card twice is harmless.
SINCE_OVERLAP = timedelta(seconds=30)
# More changes than this since the last poll: reload the page rather than patch it.
MAX_CHANGES = 200

COLUMNS = tuple(CaseState)
RUNNING = timelimits.RUNNING_STATES

VIEW_LABELS = register("board_view", {
    "mine": _l("My cases"),
    "all": _l("All cases"),
    "village": _l("By village"),
    "overdue": _l("Overdue"),
    "high_risk": _l("High risk"),
    "referred": _l("Referred out"),
})


@dataclass(frozen=True)
class View:
    """One way of looking at the board: a name from ``VIEW_LABELS``, and a village for "village"."""

    name: str
    village_id: int | None = None

    def args(self) -> dict:
        values = {"view": self.name}
        if self.village_id:
            values["village"] = self.village_id
        return values


def views_for(membership) -> list[str]:
    """A liaison's board holds only their department's referrals, so it has no "mine", village
    or referral views; county reviewers are nobody's assignee."""
    role = membership.role
    if role == Role.LIAISON:
        return ["all", "overdue", "high_risk"]
    names = list(VIEW_LABELS)
    if role.is_county:
        names.remove("mine")
    return names


def default_view(membership) -> str:
    """A mediator's board opens on their cases, a stability officer's on those of their villages."""
    return "mine" if membership.role in (Role.MEDIATOR, Role.OFFICER) else "all"


def view_from(args, membership) -> View:
    name = args.get("view")
    if name not in views_for(membership):
        name = default_view(membership)
    village_id = args.get("village", type=int) if name == "village" else None
    return View(name, village_id or None)


def villages(tenant_id: int) -> list[Village]:
    return db.session.scalars(select(Village).where(Village.tenant_id == tenant_id).order_by(Village.id)).all()


def in_view(view: View, membership, now: datetime):
    """A select of the cases the member may see that belong to ``view``."""
    query = visible_cases()
    if view.name == "mine":
        # Mine: assigned to me, registered by me, or of a village I answer for (an officer's).
        query = query.where(own_cases(membership))
    elif view.name == "village" and view.village_id:
        query = query.where(Case.village_id == view.village_id)
    elif view.name == "overdue":
        query = query.where(timelimits.overdue_sql(Case, now))
    elif view.name == "high_risk":
        query = query.where(Case.risk == Risk.MAY_ESCALATE)
    elif view.name == "referred":
        # At a department now, or resolved by one: the department stays on the case until it
        # comes back to the center (回流) or is escalated.
        query = query.where(Case.department_id.is_not(None))
    return query


# -- one column, page by page ---------------------------------------------------------------


def _order():
    return Case.due_at.asc().nulls_last(), Case.id.asc()


def after_token(case: Case) -> str:
    """Where the next page starts: the last card's deadline (empty when none) and id."""
    return f"{case.due_at.isoformat() if case.due_at else ''}_{case.id}"


def _parse_after(token: str | None):
    if not token or "_" not in token:
        return None
    due, _, case_id = token.rpartition("_")
    try:
        return (datetime.fromisoformat(due) if due else None), int(case_id)
    except ValueError:
        return None


def _after(position):
    due, case_id = position
    if due is None:
        return and_(Case.due_at.is_(None), Case.id > case_id)
    return or_(Case.due_at > due, and_(Case.due_at == due, Case.id > case_id), Case.due_at.is_(None))


CARD_DATA = ("village", "assignee", "department")


def with_card_data(query):
    """Load what a card shows in the same query as the cases, never one query per card."""
    return query.options(*(joinedload(getattr(Case, name)) for name in CARD_DATA))


def one_case(case_id: int) -> Case | None:
    """A case the member may see, with what its card shows."""
    return visible_case(case_id, joined=CARD_DATA)


def page(view: View, membership, now: datetime, state: CaseState, after: str | None = None,
         size: int = PAGE_SIZE) -> tuple[list[Case], str | None]:
    """One page of a column, and the token of the next page (None on the last)."""
    query = in_view(view, membership, now).where(Case.state == state)
    position = _parse_after(after)
    if position is not None:
        query = query.where(_after(position))
    cases = db.session.scalars(with_card_data(query).order_by(*_order()).limit(size + 1)).all()
    if len(cases) > size:
        cases = cases[:size]
        return cases, after_token(cases[-1])
    return cases, None


# -- counts and the change fingerprint ------------------------------------------------------


@dataclass
class Summary:
    counts: dict = field(default_factory=dict)
    etag: str = ""


def summary(view: View, membership, now: datetime, etag: bool = True) -> Summary:
    """Per-column counts and, with ``etag``, a fingerprint of the view that changes whenever one
    of its cards would: a case added, changed (every change stamps ``updated_at``), leaving the
    view (the count), or its light turning yellow or red with time (the counts by deadline).

    One statement, answered from the indexes alone (``ix_cases_board`` for the counts,
    ``ix_cases_tenant_updated`` for the latest change), without reading the case rows."""
    query = in_view(view, membership, now)
    columns = [Case.state, func.count()]
    if etag:
        latest = query.with_only_columns(func.max(Case.updated_at)).correlate(None).scalar_subquery()
        # Counted in every column and kept for the running ones (below): a FILTER is half the
        # work of a CASE per row, on thousands of rows.
        columns += [func.count().filter(Case.due_at <= now), func.count().filter(Case.warn_at <= now), latest]
    rows = db.session.execute(query.with_only_columns(*columns).group_by(Case.state)).all()
    counts = {state.value: 0 for state in COLUMNS}
    for row in rows:
        counts[row[0].value] = row[1]
    if not etag:
        return Summary(counts)
    parts = [str(membership.tenant_id), str(membership.user_id), membership.role.value,
             repr(sorted(view.args().items())),
             repr(sorted((row[0].value, row[1], row[2] if row[0] in RUNNING else 0, row[3] if row[0] in RUNNING else 0,
                          row[4].isoformat() if row[4] else "") for row in rows))]
    return Summary(counts, hashlib.sha1("|".join(parts).encode()).hexdigest()[:20])


def changed_since(view: View, membership, since: datetime, now: datetime):
    """Cases changed since ``since`` (with an overlap) that the member can see: those still in
    the view, loaded for their cards, and the ids of those that left it. None when there are
    too many to patch in."""
    since = since - SINCE_OVERLAP
    running = Case.state.in_(RUNNING)
    # A light changes with time alone: red at the deadline, yellow at the case's warning
    # moment (``yellow_days`` before the deadline, counted in the township's kind of days).
    crossed = and_(running, or_(and_(Case.due_at > since, Case.due_at <= now),
                                and_(Case.warn_at > since, Case.warn_at <= now)))
    ids = db.session.scalars(
        visible_cases().with_only_columns(Case.id).where(or_(Case.updated_at > since, crossed)).limit(MAX_CHANGES + 1)
    ).all()
    if len(ids) > MAX_CHANGES:
        return None
    if not ids:
        return [], []
    cases = db.session.scalars(
        with_card_data(in_view(view, membership, now).where(Case.id.in_(ids))).order_by(*_order())).all()
    kept = {c.id for c in cases}
    return cases, sorted(set(ids) - kept)
