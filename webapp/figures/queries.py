"""The figures, computed in SQL: aggregates over the period's cases grouped by township (or
village, or department), never a Python loop over cases. See ``definitions.py`` for what each
figure means; the count names below are the numerators and denominators it divides.

One pass over the period's cases (``ix_cases_figures``: accepted_at first, then the columns
read, so PostgreSQL answers from the index alone) yields every case count of every township
at once — the states, the lights, the levels, the breakdowns by source, risk and difficulty,
the months of the trend — as ``count(*) FILTER (WHERE …)`` columns; categories take one more
grouped pass, follow-up visits, flags and escalations one small query each.
"""
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ARRAY, Integer, and_, any_, bindparam, func, or_, select

from tenants.models import Tenant
from webapp.cases.models import (
    Case, CaseState, Category, Difficulty, FollowUp, Level, Referral, ReferralStatus, Risk, Source
)
from webapp.deadlines.models import Escalation, EscalationLevel, Flag
from webapp.extensions import db
from webapp.figures import indexes  # noqa: F401  (declares the indexes these queries read)
from webapp.figures.definitions import FILE_STATES, MEDIATED_STATES, SETTLED_STATES, rates, shortfalls
from webapp.figures.periods import Period
from webapp.referrals.models import Department
from webapp.timelimits import Light, light_conditions_sql, overdue_sql, today
from webapp.types import utcnow
from webapp.villages.models import Village

LIGHTS = ("green", "yellow", "red", "paused")
MAX_TREND_MONTHS = 60


# The counts that change with the clock alone (the summary never holds them).
TIME_DEPENDENT = ("overdue", "light_green", "light_yellow", "light_red", "light_paused")


def _case_columns(period: Period, now: datetime, *, months: bool = True) -> dict:
    """Name → filter condition of every case count (``None``: all the period's cases); without
    ``months``, no columns for the monthly trend."""
    lights = light_conditions_sql(Case, now)
    succeeded = and_(Case.state.in_(SETTLED_STATES), Case.resolved_at.is_not(None))
    ended_at = func.coalesce(Case.resolved_at, Case.closed_at)
    columns = {
        "registered": None,
        "mediated": Case.state.in_(MEDIATED_STATES),
        "succeeded": succeeded,
        # ended: an agreement, or failed / closed without one
        "concluded": or_(succeeded, Case.state == CaseState.FAILED,
                         and_(Case.state.in_(FILE_STATES), Case.resolved_at.is_(None))),
        "settled": Case.state.in_(SETTLED_STATES),
        "archived": Case.state == CaseState.ARCHIVED,
        "file_due": Case.state.in_(FILE_STATES),
        "timed": and_(Case.state.in_(SETTLED_STATES), Case.due_at.is_not(None)),
        "on_time": and_(Case.state.in_(SETTLED_STATES), Case.due_at.is_not(None), ended_at <= Case.due_at),
        "overdue": overdue_sql(Case, now),
        "reported": Case.escalated_to.is_not(None),
        **{f"light_{light}": lights[Light(light)] for light in LIGHTS},
    }
    for level in Level:
        columns[f"level_{level.value}"] = and_(succeeded, Case.level == level)
    for source in Source:
        columns[f"source_{source.value}"] = Case.source == source
    for risk in Risk:
        columns[f"risk_{risk.value}"] = Case.risk == risk
    for difficulty in Difficulty:
        columns[f"difficulty_{difficulty.value}"] = Case.difficulty == difficulty
    months = period.months() if months else []
    if len(months) <= MAX_TREND_MONTHS:
        for i, month in enumerate(months):
            in_month = and_(Case.accepted_at >= month.start, Case.accepted_at < month.end)
            columns[f"month_{i}_registered"] = in_month
            columns[f"month_{i}_settled"] = and_(in_month, Case.state.in_(SETTLED_STATES))
    return columns


def among(column, ids):
    """``column IN ids``; on PostgreSQL as ``= ANY(:array)``, one parameter however many ids
    (a county has 200 townships and 1,800 categories: long lists cost more to send than to count)."""
    ids = list(ids)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _in_period(period: Period):
    return and_(Case.accepted_at >= period.start, Case.accepted_at < period.end)


def _case_counts(group, where, period: Period, now: datetime, columns: dict | None = None) -> dict:
    """{group value: {count name: n}} over the period's cases, in one pass."""
    columns = _case_columns(period, now) if columns is None else columns
    select_list = [group.label("g")] + [
        (func.count() if cond is None else func.count().filter(cond)).label(name) for name, cond in columns.items()]
    rows = db.session.execute(select(*select_list).where(_in_period(period), *where).group_by(group)).mappings()
    return {row["g"]: {name: row[name] for name in columns} for row in rows}


def _grouped_count(group, stmt) -> dict:
    return {g: n for g, n in db.session.execute(stmt.add_columns(func.count()).group_by(group)).all()}


def _visit_counts(group, where, period: Period, now: datetime) -> dict:
    """Follow-up visits due in the period (by their due day), up to today."""
    due = and_(FollowUp.due_on >= period.first, FollowUp.due_on <= min(period.last, today(now)))
    stmt = select(group.label("g"),
                  func.count().label("visits_due"),
                  func.count().filter(FollowUp.done_at.is_not(None)).label("visits_done"),
                  func.count().filter(FollowUp.carried_out.is_not(None)).label("visits_answered"),
                  func.count().filter(FollowUp.carried_out.is_(True)).label("visits_carried_out"),
                  ).where(due, *where).group_by(group)
    return {row["g"]: {k: v for k, v in row.items() if k != "g"} for row in db.session.execute(stmt).mappings()}


def _category_id_counts(group, where, period: Period) -> list:
    """[(group value, category id, n)] over the period's cases."""
    stmt = select(group, Case.category_id, func.count()).where(_in_period(period), *where).group_by(
        group, Case.category_id)
    return db.session.execute(stmt).all()


def _category_counts(group, where, period: Period) -> dict:
    """{group value: {category name: n}}; cases with no category under the key None. Counted by
    category id (no join in the pass over the cases), the few names looked up afterwards."""
    return _category_names(_category_id_counts(group, where, period))


def _category_names(counted) -> dict:
    ids = {category_id for _, category_id, _ in counted if category_id is not None}
    names = dict(db.session.execute(select(Category.id, Category.name).where(among(Category.id, ids))).all()) \
        if ids else {}
    out = {}
    for g, category_id, n in counted:
        name = names.get(category_id)
        bucket = out.setdefault(g, {})
        bucket[name] = bucket.get(name, 0) + n
    return out


def _assemble(counts: dict, categories: dict, period: Period) -> dict:
    """One row of figures from its raw counts: counts, rates, breakdowns, trend, shortfalls."""
    values = rates(counts)
    months = period.months()
    trend = [{"month": m, "registered": counts.get(f"month_{i}_registered", 0),
              "settled": counts.get(f"month_{i}_settled", 0)} for i, m in enumerate(months)] \
        if len(months) <= MAX_TREND_MONTHS else []
    row = dict(counts)
    row.update(values)
    row.update(
        by_source={s.value: counts.get(f"source_{s.value}", 0) for s in Source},
        by_risk={r.value: counts.get(f"risk_{r.value}", 0) for r in Risk},
        by_difficulty={d.value: counts.get(f"difficulty_{d.value}", 0) for d in Difficulty},
        by_level={lv.value: counts.get(f"level_{lv.value}", 0) for lv in Level},
        lights={light: counts.get(f"light_{light}", 0) for light in LIGHTS},
        by_category=sorted(categories.items(), key=lambda item: (-item[1], item[0] is None, item[0] or "")),
        trend=trend,
        shortfalls=shortfalls(values),
        period=period,
    )
    return row


@lru_cache(maxsize=32)
def _count_names(period: Period) -> tuple:
    return tuple(_case_columns(period, utcnow())) + ("visits_due", "visits_done", "visits_answered",
                                                     "visits_carried_out", "flags", "escalations")


def _empty_counts(period: Period) -> dict:
    return dict.fromkeys(_count_names(period), 0)


def _sum(rows) -> dict:
    total = {}
    for row in rows:
        for name, n in row.items():
            total[name] = total.get(name, 0) + (n or 0)
    return total


# -- the public API ----------------------------------------------------------------------------


def township_figures(tenant_id: int, period: Period, village_id: int | None = None, *,
                     now: datetime | None = None) -> dict:
    """Every figure of one township for ``period`` (of one village of it with ``village_id``).

    Runs in the caller's tenant scope (a township page's, or ``tenant_scope(tenant_id)``) and
    filters by ``tenant_id`` besides. Counts are under their names (``registered``,
    ``succeeded``…), figures under theirs (``success_rate``…: see ``FIGURES``), with
    ``by_source``, ``by_risk``, ``by_difficulty``, ``by_level``, ``lights``, ``by_category``
    ([(name, n)]), ``trend`` ([{month, registered, settled}]) and ``shortfalls`` (a set of keys).
    """
    now = now or utcnow()
    where = [Case.tenant_id == tenant_id] + ([Case.village_id == village_id] if village_id is not None else [])
    counts = _empty_counts(period)
    counts.update(_case_counts(Case.tenant_id, where, period, now).get(tenant_id, {}))
    counts.update(_visit_counts(FollowUp.tenant_id, _visit_where(tenant_id, village_id), period, now)
                  .get(tenant_id, {}))
    if village_id is None:
        counts["flags"] = _grouped_count(Flag.tenant_id, select(Flag.tenant_id).where(
            Flag.tenant_id == tenant_id, *_flags_in(period))).get(tenant_id, 0)
        counts["escalations"] = _escalations(period, [Escalation.tenant_id == tenant_id]).get(tenant_id, 0)
    else:
        counts["flags"] = _grouped_count(Flag.tenant_id, select(Flag.tenant_id).join(Case, Case.id == Flag.case_id)
                                         .where(Flag.tenant_id == tenant_id, Case.village_id == village_id,
                                                *_flags_in(period))).get(tenant_id, 0)
        counts["escalations"] = _escalations(period, [Escalation.tenant_id == tenant_id,
                                                      Case.village_id == village_id]).get(tenant_id, 0)
    categories = _category_counts(Case.tenant_id, where, period).get(tenant_id, {})
    row = _assemble(counts, categories, period)
    row["tenant_id"] = tenant_id
    row["village_id"] = village_id
    return row


def _visit_where(tenant_id, village_id):
    where = [FollowUp.tenant_id == tenant_id]
    if village_id is not None:
        where.append(FollowUp.case_id.in_(select(Case.id).where(Case.tenant_id == tenant_id,
                                                                Case.village_id == village_id)))
    return where


def _flags_in(period: Period):
    return [Flag.raised_at >= period.start, Flag.raised_at < period.end]


def _escalations(period: Period, where) -> dict:
    """{tenant_id: cases escalated to the county bureau during the period}."""
    stmt = select(Escalation.tenant_id, func.count(func.distinct(Escalation.case_id))).join(
        Case, Case.id == Escalation.case_id).where(
        Escalation.level == EscalationLevel.COUNTY, Escalation.created_at >= period.start,
        Escalation.created_at < period.end, *where).group_by(Escalation.tenant_id)
    return dict(db.session.execute(stmt).all())


def county_figures(period: Period, *, tenant_ids=None, county_id: int | None = None,
                   now: datetime | None = None, summary: bool = True, stats: dict | None = None
                   ) -> tuple[list[dict], dict]:
    """Every township side by side, and the county total: ``(rows, total)``.

    ``rows`` are ``township_figures``-shaped dicts with ``tenant_id``, ``slug`` and ``name``,
    in the townships' order of creation; the total adds the counts and divides again. The
    townships are those of ``county_id``, or ``tenant_ids``, or every one. Crosses tenants,
    so the caller opens a scope over them: the county's pages read through their review scope
    (``townships_scope``), jobs and the command line through ``all_tenants()``.

    The case and visit counts come from the monthly summary (``summary.py``: the same counts,
    with every month that changed since it was brought up to date, and the days of a month the
    period cuts, counted live); ``summary=False`` counts everything live. ``stats`` (a dict)
    receives how many township-months were read from the summary and how many live.
    """
    # Here, not at the top: the summary counts what it stores with this module's queries.
    from webapp.figures.summary import summary_counts

    now = now or utcnow()
    stmt = select(Tenant.id, Tenant.slug, Tenant.name).order_by(Tenant.id)
    if county_id is not None:
        stmt = stmt.where(Tenant.county_id == county_id)
    if tenant_ids is not None:
        stmt = stmt.where(Tenant.id.in_(list(tenant_ids)))
    townships = db.session.execute(stmt).all()
    ids = [t.id for t in townships]
    if summary:
        cases, visits, categories = summary_counts(ids, period, now, stats)
    else:
        cases = _case_counts(Case.tenant_id, [among(Case.tenant_id, ids)], period, now)
        visits = _visit_counts(FollowUp.tenant_id, [among(FollowUp.tenant_id, ids)], period, now)
        categories = _category_counts(Case.tenant_id, [among(Case.tenant_id, ids)], period)
    flags = _grouped_count(Flag.tenant_id, select(Flag.tenant_id).where(among(Flag.tenant_id, ids),
                                                                        *_flags_in(period)))
    escalations = _escalations(period, [among(Escalation.tenant_id, ids)])
    rows, raw = [], []
    for township in townships:
        counts = _empty_counts(period)
        counts.update(cases.get(township.id, {}))
        counts.update(visits.get(township.id, {}))
        counts["flags"] = flags.get(township.id, 0)
        counts["escalations"] = escalations.get(township.id, 0)
        raw.append(counts)
        row = _assemble(counts, categories.get(township.id, {}), period)
        row.update(tenant_id=township.id, slug=township.slug, name=township.name)
        rows.append(row)
    total_categories = _sum(categories.get(t.id, {}) for t in townships)
    total = _assemble(_sum(raw) if raw else _empty_counts(period), total_categories, period)
    return rows, total


def by_village(tenant_id: int, period: Period, *, now: datetime | None = None) -> list[dict]:
    """The case figures of each village of the township (and a row with ``village_id`` None for
    cases with no village, when there are any), in the villages' order. Follow-up visits,
    flags and escalations are counted per village too."""

    now = now or utcnow()
    cases = _case_counts(Case.village_id, [Case.tenant_id == tenant_id], period, now)
    visits = _visit_counts(Case.village_id, [FollowUp.tenant_id == tenant_id, Case.id == FollowUp.case_id],
                           period, now)
    flags = _grouped_count(Case.village_id, select(Case.village_id).select_from(Flag).join(
        Case, Case.id == Flag.case_id).where(Flag.tenant_id == tenant_id, *_flags_in(period)))
    escalations = dict(db.session.execute(
        select(Case.village_id, func.count(func.distinct(Escalation.case_id))).join(Case, Case.id == Escalation.case_id)
        .where(Escalation.tenant_id == tenant_id, Escalation.level == EscalationLevel.COUNTY,
               Escalation.created_at >= period.start, Escalation.created_at < period.end)
        .group_by(Case.village_id)).all())
    categories = _category_counts(Case.village_id, [Case.tenant_id == tenant_id], period)
    villages = db.session.execute(select(Village.id, Village.name).where(Village.tenant_id == tenant_id)
                                  .order_by(Village.id)).all()
    keys = [(v.id, v.name) for v in villages] + ([(None, None)] if None in cases else [])
    rows = []
    for village_id, name in keys:
        counts = _empty_counts(period)
        counts.update(cases.get(village_id, {}))
        counts.update(visits.get(village_id, {}))
        counts["flags"] = flags.get(village_id, 0)
        counts["escalations"] = escalations.get(village_id, 0)
        row = _assemble(counts, categories.get(village_id, {}), period)
        row.update(tenant_id=tenant_id, village_id=village_id, name=name)
        rows.append(row)
    return rows


def by_department(tenant_id: int, period: Period) -> list[dict]:
    """Referrals made in the period per department (member unit) of the township, in the
    departments' order: ``referred``, ``accepted`` (at all), ``accepted_in_time`` (by the
    time to accept), ``succeeded``, ``returned``, ``open`` (pending or accepted now), and
    ``success_rate`` (succeeded over succeeded + returned; None with neither)."""
    in_time = and_(Referral.accepted_at.is_not(None),
                   or_(Referral.accept_by.is_(None), Referral.accepted_at <= Referral.accept_by))
    counts = {row["department_id"]: row for row in db.session.execute(
        select(Referral.department_id,
               func.count().label("referred"),
               func.count().filter(Referral.accepted_at.is_not(None)).label("accepted"),
               func.count().filter(in_time).label("accepted_in_time"),
               func.count().filter(Referral.status == ReferralStatus.SUCCEEDED).label("succeeded"),
               func.count().filter(Referral.status == ReferralStatus.RETURNED).label("returned"),
               func.count().filter(Referral.status.in_([ReferralStatus.PENDING, ReferralStatus.ACCEPTED]))
               .label("open"))
        .where(Referral.tenant_id == tenant_id, Referral.referred_at >= period.start,
               Referral.referred_at < period.end)
        .group_by(Referral.department_id)).mappings()}
    departments = db.session.execute(select(Department.id, Department.name, Department.kind)
                                     .where(Department.tenant_id == tenant_id).order_by(Department.id)).all()
    rows = []
    for department in departments:
        row = {"referred": 0, "accepted": 0, "accepted_in_time": 0, "succeeded": 0, "returned": 0, "open": 0}
        row.update({k: v for k, v in counts.get(department.id, {}).items() if k != "department_id"})
        ended = row["succeeded"] + row["returned"]
        row.update(department_id=department.id, name=department.name, kind=department.kind,
                   success_rate=row["succeeded"] / ended if ended else None,
                   accepted_in_time_rate=row["accepted_in_time"] / row["referred"] if row["referred"] else None)
        rows.append(row)
    return rows


def archive_rate(tenant_id: int | None, period: Period) -> float | None:
    """归档率 alone: archived over closed-or-archived cases accepted in ``period``, for one
    township (in its scope) or, with ``tenant_id`` None, every township in scope."""
    where = [_in_period(period), Case.state.in_(FILE_STATES)]
    if tenant_id is not None:
        where.append(Case.tenant_id == tenant_id)
    archived, due = db.session.execute(select(
        func.count().filter(Case.state == CaseState.ARCHIVED), func.count()).where(*where)).one()
    return archived / due if due else None
