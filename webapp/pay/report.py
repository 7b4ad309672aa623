"""The monthly pay report (以案定补), computed from the case records.

**Which cases count.** A line is one *outcome* recorded on a case's timeline in the month
(Beijing time, from the 1st 00:00 to the next month's 1st 00:00):

- 调解成功 ``resolved``: the transition mediating → resolved (an agreement was signed);
- 分流化解 ``referral_resolved``: referred → resolved (the department reported success);
- 调解不成 ``failed``: mediating → failed.

Escalation, closing and archiving are not outcomes of mediation and pay nothing. A case that
reaches an outcome twice (reopened after a flare-up, or resumed after an escalation, and
mediated again) counts each time, in the month of each outcome.

**Whose line it is.** A mediator's: the cases whose assigned mediator at that moment — the
``assignee_id`` of the case's last start-mediation or resume transition before the outcome —
is the mediator's account. A stability officer's: the cases of the officer's village (属地).
Either way the roster entry must be active on the outcome's day. A person without an account
is never an assigned mediator, so a mediator without an account has no lines.

**The rate.** The rate of the entry's kind and employment for the case's difficulty and
the outcome that was in force at the moment of the outcome (``webapp.pay.rates``); a cell
never set pays 0 and says so. The total is the sum of the lines, in ``Decimal``.

Everything is one query per report; the township summary groups the same lines by person.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Numeric, and_, case, literal, or_, select, type_coerce
from sqlalchemy import func
from sqlalchemy.orm import aliased

from webapp import timelimits
from webapp.cases.models import Case, CaseEvent, CaseState, Difficulty
from webapp.extensions import db
from webapp.pay.models import Outcome, PayRate, RosterEntry, StaffKind
from webapp.pay.rates import start_of_day

S = CaseState
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str | None, default: "Month | None" = None) -> "Month":
        """``2026-11`` → that month; anything else → ``default`` (this month in Beijing)."""
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", (text or "").strip())
        if found and 2000 <= int(found.group(1)) <= 2100 and 1 <= int(found.group(2)) <= 12:
            return cls(int(found.group(1)), int(found.group(2)))
        return default or cls.of(timelimits.today())

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def start(self) -> datetime:
        return start_of_day(self.first_day)

    @property
    def end(self) -> datetime:
        return start_of_day(self.next().first_day)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


@dataclass(frozen=True)
class Line:
    """One outcome of one case, paid to one roster entry, with the rate applied."""

    entry_id: int
    event_id: int
    case_id: int
    number: str
    title: str
    difficulty: Difficulty
    outcome: Outcome
    at: datetime
    rate: Decimal | None         # None: no rate set for this cell at that moment
    rate_from: date | None       # the day that rate took effect

    @property
    def day(self) -> date:
        return timelimits.today(self.at)

    @property
    def amount(self) -> Decimal:
        return self.rate if self.rate is not None else ZERO


@dataclass
class Statement:
    """One person's month: the lines and their total."""

    entry: RosterEntry
    month: Month
    lines: list[Line]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass
class SummaryRow:
    entry: RosterEntry
    cases: int
    total: Decimal


# -- the query ------------------------------------------------------------------------------


def _outcomes(tenant_id: int, month: Month):
    """Every outcome transition of the township in the month, with the case's facts and the
    mediator assigned at that moment."""
    event, prior = CaseEvent, aliased(CaseEvent)
    assigned = prior.data["assignee_id"].as_integer()
    assignee = (
        select(assigned)
        .where(prior.tenant_id == tenant_id, prior.case_id == event.case_id, prior.id < event.id,
               prior.kind == "transition", prior.to_state == S.MEDIATING, assigned.is_not(None))
        .order_by(prior.id.desc()).limit(1)
        .correlate(event).scalar_subquery()
    )
    outcome = case(
        (and_(event.from_state == S.MEDIATING, event.to_state == S.RESOLVED), literal(Outcome.RESOLVED.value)),
        (and_(event.from_state == S.REFERRED, event.to_state == S.RESOLVED),
         literal(Outcome.REFERRAL_RESOLVED.value)),
        else_=literal(Outcome.FAILED.value),
    )
    return (
        select(event.id.label("event_id"), event.at.label("at"), event.case_id.label("case_id"),
               Case.number.label("number"), Case.title.label("title"), Case.difficulty.label("difficulty"),
               Case.village_id.label("village_id"), outcome.label("outcome"), assignee.label("assignee_id"))
        .join(Case, and_(Case.id == event.case_id, Case.tenant_id == tenant_id))
        .where(event.tenant_id == tenant_id, event.kind == "transition",
               event.to_state.in_([S.RESOLVED, S.FAILED]), event.from_state.in_([S.MEDIATING, S.REFERRED]),
               event.at >= month.start, event.at < month.end)
        .subquery("outcomes")
    )


def _lines(tenant_id: int, month: Month, entry_ids=None):
    """The month's lines as a subquery: outcome × the roster entry it pays × the rate's id."""
    o, entry = _outcomes(tenant_id, month), RosterEntry
    pays = or_(
        and_(entry.kind == StaffKind.MEDIATOR, entry.user_id == o.c.assignee_id),
        and_(entry.kind == StaffKind.OFFICER, entry.village_id == o.c.village_id),
    )
    rate_id = (
        select(PayRate.id)
        .where(PayRate.tenant_id == tenant_id, PayRate.kind == entry.kind, PayRate.employment == entry.employment,
               PayRate.difficulty == o.c.difficulty, PayRate.outcome == o.c.outcome, PayRate.starts_at <= o.c.at)
        .order_by(PayRate.starts_at.desc()).limit(1)
        .correlate(entry, o).scalar_subquery()
    )
    query = (
        select(entry.id.label("entry_id"), *o.c, rate_id.label("rate_id"))
        .select_from(o)
        .join(entry, and_(entry.tenant_id == tenant_id, pays, entry.starts_at <= o.c.at,
                          or_(entry.ends_at.is_(None), entry.ends_at > o.c.at)))
    )
    if entry_ids is not None:
        query = query.where(entry.id.in_(entry_ids))
    return query.subquery("lines")


def lines_for(tenant_id: int, month: Month, entry_ids=None) -> list[Line]:
    lines = _lines(tenant_id, month, entry_ids)
    rows = db.session.execute(
        select(lines, PayRate.amount, PayRate.valid_from)
        .outerjoin(PayRate, and_(PayRate.id == lines.c.rate_id, PayRate.tenant_id == tenant_id))
        .order_by(lines.c.at, lines.c.event_id, lines.c.entry_id)
    ).mappings().all()
    return [Line(entry_id=r["entry_id"], event_id=r["event_id"], case_id=r["case_id"], number=r["number"],
                 title=r["title"], difficulty=Difficulty(r["difficulty"]), outcome=Outcome(r["outcome"]),
                 at=r["at"], rate=r["amount"], rate_from=r["valid_from"]) for r in rows]


def statement(entry: RosterEntry, month: Month) -> Statement:
    """One person's month, line by line."""
    return Statement(entry=entry, month=month, lines=lines_for(entry.tenant_id, month, [entry.id]))


def entries_in(tenant_id: int, month: Month, user_id: int | None = None) -> list[RosterEntry]:
    """Roster entries active on at least one day of the month."""
    query = select(RosterEntry).where(
        RosterEntry.tenant_id == tenant_id, RosterEntry.starts_at < month.end,
        or_(RosterEntry.ends_at.is_(None), RosterEntry.ends_at > month.start),
    )
    if user_id is not None:
        query = query.where(RosterEntry.user_id == user_id)
    return list(db.session.scalars(query.order_by(RosterEntry.kind, RosterEntry.employment, RosterEntry.id)))


def summary(tenant_id: int, month: Month) -> list[SummaryRow]:
    """The township's month: one row per person on the roster that month, with the number of
    lines and their total, grouped in the database."""
    lines = _lines(tenant_id, month)
    total = type_coerce(func.coalesce(func.sum(PayRate.amount), 0), Numeric(14, 2))
    sums = {row.entry_id: (row.cases, row.total) for row in db.session.execute(
        select(lines.c.entry_id, func.count().label("cases"), total.label("total"))
        .outerjoin(PayRate, and_(PayRate.id == lines.c.rate_id, PayRate.tenant_id == tenant_id))
        .group_by(lines.c.entry_id)
    )}
    return [SummaryRow(entry=e, cases=sums.get(e.id, (0, ZERO))[0],
                       total=Decimal(sums.get(e.id, (0, ZERO))[1]).quantize(ZERO))
            for e in entries_in(tenant_id, month)]
