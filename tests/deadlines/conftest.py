"""Time limits that enforce themselves: a frozen clock, a center with its people, cases
accepted at a chosen moment, and the sweep run as the CLI runs it (then committed)."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from tenants.scope import all_tenants, tenant_scope
from tests import factories
from webapp import timelimits
from webapp.cases import operations
from webapp.cases.models import CaseEvent, Difficulty, Risk, Source
from webapp.deadlines.delivery import deliver
from webapp.deadlines.models import CaseAlert, Escalation, Flag, Notification, SweepRun
from webapp.deadlines.sweep import run_sweep
from webapp.extensions import db
from webapp.township.settings import settings_for
from webapp.types import clock_at
from tests.conftest import township_scope_when_there_is_one


def bj(year, month, day, hour=10, minute=0) -> datetime:
    """A moment in Beijing time, which is what the township counts in."""
    return datetime(year, month, day, hour, minute, tzinfo=timelimits.BEIJING)


_township_in_scope = pytest.fixture(autouse=True)(township_scope_when_there_is_one)



class Center:
    """One township's center: its director, a mediator, the police station and its liaison."""

    def __init__(self, tenant, director=None, mediator=None):
        self.tenant = tenant
        self.director = director or factories.member("township_admin", tenant, display_name="周主任")
        self.mediator = mediator or factories.member("mediator", tenant, display_name="李调解员")
        self.liaison = factories.member("liaison", tenant, display_name="王联络员")
        self.department = factories.department_of(tenant)

    @property
    def settings(self):
        with tenant_scope(self.tenant.id):
            operations.prepare_township(self.tenant)
            return settings_for(self.tenant.id)

    def count_working_days(self, on=True):
        self.settings.count_working_days = on
        db.session.flush()

    def case(self, at, *, difficulty=Difficulty.ORDINARY, risk=Risk.RESOLVABLE, source="visit", mediate=True,
             title="邻里宅基地纠纷"):
        """A case accepted (and, unless it is assigned from above, assessed) at ``at``; with
        ``mediate`` the mediator takes it on at once."""
        with clock_at(at), tenant_scope(self.tenant.id):
            case = factories.case(self.tenant, self.director, title=title, source=source)
            if source == Source.ASSIGNED.value:
                return case
            operations.assess_case(case, self.director, difficulty=difficulty, risk=risk)
            if mediate:
                operations.start_mediation(case, self.director, assignee_id=self.mediator.user_id)
            return case

    def do(self, at, operation, case, *args, **kwargs):
        """Run a case operation at ``at`` in this township."""
        with clock_at(at), tenant_scope(self.tenant.id):
            return operation(case, *args, **kwargs)


@pytest.fixture
def center(db, tenant):
    return Center(tenant)


def sweep(at, *, dry_run=False, full=False) -> dict:
    """One sweep at ``at``, committed as the CLI and the job commit it."""
    with clock_at(at):
        counts = run_sweep(dry_run=dry_run, full=full)
        db.session.commit()
    return counts


def delivered_at(at) -> int:
    with clock_at(at):
        n = deliver()
        db.session.commit()
    return n


NOTHING = {"warned": 0, "overdue": 0, "escalated": 0, "flagged": 0, "notified": 0, "long_overdue": 0,
           "unreported": 0, "unhandled": 0}


def quiet(counts: dict) -> bool:
    return {k: counts[k] for k in NOTHING} == NOTHING


TABLES = {"alerts": CaseAlert, "notifications": Notification, "escalations": Escalation, "flags": Flag,
          "events": CaseEvent, "sweeps": SweepRun}


def row_counts() -> dict:
    with all_tenants():
        return {name: db.session.scalar(select(func.count()).select_from(model.__table__))
                for name, model in TABLES.items()}


def notifications_of(case):
    with all_tenants():
        return db.session.execute(select(Notification.user_id, Notification.kind).where(
            Notification.case_id == case.id).order_by(Notification.id)).all()


def escalations_of(case):
    with all_tenants():
        return [(e.level.value, e.reason.value) for e in db.session.scalars(
            select(Escalation).where(Escalation.case_id == case.id).order_by(Escalation.id))]


def flags_of(case):
    with all_tenants():
        return db.session.scalars(select(Flag).where(Flag.case_id == case.id).order_by(Flag.id)).all()


def sweep_events_of(case):
    """The timeline lines the sweep wrote (no person acted)."""
    with all_tenants():
        return db.session.scalars(select(CaseEvent.kind).where(
            CaseEvent.case_id == case.id, CaseEvent.actor_id.is_(None), CaseEvent.kind != "registered")
            .order_by(CaseEvent.id)).all()


# -- the outbound channel (SMS and the like) --------------------------------------------------

SENT = []


class Outbox:
    """A test channel: remembers what went out."""

    def send(self, user, notification):
        SENT.append((user.id, notification.kind))


@pytest.fixture
def outbox(app, monkeypatch):
    SENT.clear()
    monkeypatch.setitem(app.config, "NOTIFY_CHANNEL", "tests.deadlines.conftest:Outbox")
    return SENT
