"""The monthly summary behind the county dashboard: exactly the live figures, read in milliseconds.

Every case count of ``queries`` but the ones that change with the clock (overdue, the lights)
is a sum over the cases of the period, and a period is a run of Beijing months (cut at its
ends for a custom range); the follow-up counts likewise over the visits due. So the counts of
each township and month are kept in ``figure_months`` (one row, a JSON object), and the
dashboard adds up the months of the period instead of reading half a million cases.

**Exact, not "nearly current".** ``refresh()`` (the worker job ``refresh_figures``) brings the
summary up to date and records per township the moment ``through`` it started at. A case
changed afterwards has ``updated_at`` at or after ``through - MARGIN`` (every change of a case
sets it; ``MARGIN`` covers a transaction still open when the job read, and a difference between
the clocks of the app servers); a visit recorded afterwards has ``done_at`` there, and a new
visit comes with a change of its case. When the dashboard reads, the months holding such cases
or visits — and the days of a month the period cuts, the visit months not yet over, every
month of a township the job has not seen — are counted live, by the same queries, and only
the rest comes from the summary; the running cases' lights and overdue count are always read
live from their own small index. The job is idempotent: it recomputes the months that
changed (all of them the first time) and replaces their rows.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, text

from tenants.models import Tenant
from webapp.cases.models import Case, FollowUp
from webapp.extensions import db
from webapp.figures import queries
from webapp.figures.indexes import RUNNING_SQL
from webapp.figures.models import FigureMark, FigureMonth
from webapp.figures.periods import Period
from webapp.figures.queries import among
from webapp.timelimits import BEIJING, today
from webapp.types import utcnow

MARGIN = timedelta(hours=1)
VISITS = ("visits_due", "visits_done", "visits_answered", "visits_carried_out")


def _queries():
    return queries


def _stored_columns(now) -> dict:
    """The case counts the summary holds: every one but the trend's and the clock's."""
    q = _queries()
    columns = q._case_columns(Period.month(2000, 1), now, months=False)
    return {name: cond for name, cond in columns.items() if name not in q.TIME_DEPENDENT}


def _month_of(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date().replace(day=1)


def _month_period(first: date) -> Period:
    return Period.month(first.year, first.month)


def _changed_cells(marks: dict, ids) -> set:
    """(tenant id, month) whose cases or visits changed since the summary's ``through - MARGIN``."""
    marked = [t for t in ids if t in marks]
    if not marked:
        return set()
    since = min(marks[t] for t in marked) - MARGIN
    cells = set()
    for tenant_id, accepted_at, updated_at in db.session.execute(
            select(Case.tenant_id, Case.accepted_at, Case.updated_at).where(
                among(Case.tenant_id, marked), Case.updated_at >= since)):
        if updated_at >= marks[tenant_id] - MARGIN:
            cells.add((tenant_id, _month_of(accepted_at)))
    # the visits of those cases (a new visit comes with a change of its case) …
    for tenant_id, due_on, updated_at in db.session.execute(
            select(FollowUp.tenant_id, FollowUp.due_on, Case.updated_at).join(Case, Case.id == FollowUp.case_id)
            .where(among(Case.tenant_id, marked), Case.updated_at >= since)):
        if updated_at >= marks[tenant_id] - MARGIN:
            cells.add((tenant_id, due_on.replace(day=1)))
    # … and the visits recorded since
    for tenant_id, due_on, done_at in db.session.execute(
            select(FollowUp.tenant_id, FollowUp.due_on, FollowUp.done_at).where(
                among(FollowUp.tenant_id, marked), FollowUp.done_at >= since)):
        if done_at >= marks[tenant_id] - MARGIN:
            cells.add((tenant_id, due_on.replace(day=1)))
    return cells


def _count_live(cells_by_month: dict, now: datetime, columns: dict, visit_cells: dict) -> tuple:
    """Counts of the given (tenant, month-or-part) cells, live: {(tenant, first day): {...}}."""
    q = _queries()
    cases, categories, visits = {}, {}, {}
    for period, tenant_ids in cells_by_month.items():
        where = [among(Case.tenant_id, sorted(tenant_ids))]
        for tenant_id, counts in q._case_counts(Case.tenant_id, where, period, now, columns).items():
            cases[(tenant_id, period.first)] = counts
        for tenant_id, category_id, n in q._category_id_counts(Case.tenant_id, where, period):
            categories.setdefault((tenant_id, period.first), {})[category_id] = n
    for period, tenant_ids in visit_cells.items():
        for tenant_id, counts in q._visit_counts(FollowUp.tenant_id, [among(FollowUp.tenant_id, sorted(tenant_ids))],
                                                 period, now).items():
            visits[(tenant_id, period.first)] = {k: counts[k] for k in VISITS}
    return cases, categories, visits


def summary_counts(ids, period: Period, now: datetime, stats: dict | None = None) -> tuple[dict, dict, dict]:
    """``(cases, visits, categories)`` of the townships ``ids`` for ``period``, each keyed by
    tenant id, exactly as ``queries`` counts them live (categories by name). Runs under
    ``all_tenants()``."""
    q = _queries()
    ids = list(ids)
    months = period.months()
    marks = dict(db.session.execute(select(FigureMark.tenant_id, FigureMark.through)
                                    .where(among(FigureMark.tenant_id, ids))).all()) if ids else {}
    changed = _changed_cells(marks, ids) if ids else set()
    whole = [m.first for m in months if m.kind == "month"]
    stored = {}
    if whole and marks:
        for tenant_id, month, counts in db.session.execute(
                select(FigureMonth.tenant_id, FigureMonth.month, FigureMonth.counts).where(
                    among(FigureMonth.tenant_id, list(marks)), FigureMonth.month.in_(whole))):
            stored[(tenant_id, month)] = counts
    today_ = today(now)
    live_cases, live_visits = {}, {}
    from_summary = {}
    for month in months:
        for tenant_id in ids:
            cell = (tenant_id, month.first)
            if month.kind == "month" and tenant_id in marks and cell not in changed:
                counts = stored.get(cell, {})
                from_summary[cell] = counts
                if month.last < today_ and "visits" in counts:
                    continue
                live_visits.setdefault(month, set()).add(tenant_id)
            else:
                live_cases.setdefault(month, set()).add(tenant_id)
                live_visits.setdefault(month, set()).add(tenant_id)
    columns = _stored_columns(now)
    cases_live, categories_live, visits_live = _count_live(live_cases, now, columns, live_visits)
    if stats is not None:
        stats["summary"] = len(from_summary)
        stats["live"] = sum(len(t) for t in live_cases.values())

    cases = {t: {} for t in ids}
    visits = {t: dict.fromkeys(VISITS, 0) for t in ids}
    category_ids = {t: {} for t in ids}

    def add(target, counts):
        for name, n in counts.items():
            target[name] = target.get(name, 0) + (n or 0)

    for i, month in enumerate(months):
        for tenant_id in ids:
            cell = (tenant_id, month.first)
            if cell in from_summary:
                stored_counts = from_summary[cell]
                month_cases = stored_counts.get("cases", {})
                month_categories = {(int(k) if k else None): n
                                    for k, n in stored_counts.get("categories", {}).items()}
            else:
                month_cases = cases_live.get(cell, {})
                month_categories = categories_live.get(cell, {})
            add(cases[tenant_id], month_cases)
            add(category_ids[tenant_id], month_categories)
            if len(months) <= q.MAX_TREND_MONTHS:
                cases[tenant_id][f"month_{i}_registered"] = month_cases.get("registered", 0)
                cases[tenant_id][f"month_{i}_settled"] = month_cases.get("settled", 0)
            if cell in visits_live:
                add(visits[tenant_id], visits_live[cell])
            elif cell in from_summary and month.last < today_:
                add(visits[tenant_id], from_summary[cell].get("visits", {}))
    # The clock's counts: the running cases of the period, live, from their own index.
    clock_columns = {name: cond for name, cond in q._case_columns(period, now, months=False).items()
                     if name in q.TIME_DEPENDENT}
    if ids:
        for tenant_id, counts in q._case_counts(Case.tenant_id, [among(Case.tenant_id, ids), text(RUNNING_SQL)],
                                                period, now, clock_columns).items():
            cases[tenant_id].update(counts)
    categories = q._category_names([(t, c, n) for t, by_id in category_ids.items() for c, n in by_id.items()])
    return cases, visits, categories


# -- bringing the summary up to date (the worker job) -----------------------------------------


def _all_months(tenant_ids) -> set:
    """Every (tenant, month) holding a case or a visit: what a township new to the summary needs."""
    cells = set()
    spans = db.session.execute(select(Case.tenant_id, func.min(Case.accepted_at), func.max(Case.accepted_at))
                               .where(among(Case.tenant_id, tenant_ids)).group_by(Case.tenant_id)).all()
    visit_spans = db.session.execute(select(FollowUp.tenant_id, func.min(FollowUp.due_on), func.max(FollowUp.due_on))
                                     .where(among(FollowUp.tenant_id, tenant_ids)).group_by(FollowUp.tenant_id)).all()
    for tenant_id, first, last in [(t, _month_of(a), _month_of(b)) for t, a, b in spans] + \
            [(t, a.replace(day=1), b.replace(day=1)) for t, a, b in visit_spans]:
        month = first
        while month <= last:
            cells.add((tenant_id, month))
            month = _month_period(month).next().first
    return cells


def refresh(tenant_ids=None, *, now: datetime | None = None) -> int:
    """Bring the summary up to date for every township (or ``tenant_ids``): recompute the
    months that changed since the last run — every month the first time — and replace their
    rows. Run under ``all_tenants()``; the caller commits. Returns the months recomputed."""

    now = now or utcnow()
    ids = list(tenant_ids) if tenant_ids is not None else list(db.session.scalars(select(Tenant.id)))
    if not ids:
        return 0
    marks = dict(db.session.execute(select(FigureMark.tenant_id, FigureMark.through)
                                    .where(among(FigureMark.tenant_id, ids))).all())
    cells = _changed_cells(marks, ids)
    new = [t for t in ids if t not in marks]
    if new:
        cells |= _all_months(new)
    by_month = {}
    for tenant_id, month in cells:
        by_month.setdefault(_month_period(month), set()).add(tenant_id)
    today_ = today(now)
    cases, categories, visits = _count_live(
        by_month, now, _stored_columns(now), {m: t for m, t in by_month.items() if m.last < today_})
    for month, tenant_ids_ in by_month.items():
        db.session.execute(delete(FigureMonth).where(FigureMonth.month == month.first,
                                                     among(FigureMonth.tenant_id, sorted(tenant_ids_))))
        for tenant_id in tenant_ids_:
            cell = (tenant_id, month.first)
            counts = {"cases": {k: n for k, n in cases.get(cell, {}).items() if n},
                      "categories": {("" if c is None else str(c)): n for c, n in categories.get(cell, {}).items()}}
            if month.last < today_:
                counts["visits"] = visits.get(cell, dict.fromkeys(VISITS, 0))
            if not counts["cases"] and not any(counts.get("visits", {}).values()):
                continue  # nothing that month: no row (a missing month counts nothing)
            db.session.add(FigureMonth(tenant_id=tenant_id, month=month.first, counts=counts, computed_at=now))
    for tenant_id in ids:
        if tenant_id in marks:
            db.session.execute(FigureMark.__table__.update().where(FigureMark.tenant_id == tenant_id)
                               .values(through=now))
        else:
            db.session.add(FigureMark(tenant_id=tenant_id, through=now))
    db.session.flush()
    return len(cells)
