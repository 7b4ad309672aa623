"""Cases in any column of the board, built through the operations as the center builds them,
and helpers to talk to the board as its page does (HTMX requests with the CSRF header)."""
from datetime import timedelta

import pytest

from tenants.scope import tenant_scope
from tests import factories
from webapp import timelimits
from webapp.cases import operations
from webapp.cases.models import CaseState, Difficulty, NextStep, Risk
from webapp.types import clock_at, utcnow

S = CaseState


@pytest.fixture(autouse=True)
def _township_in_scope(request):
    """Test code reads the township's rows inside its scope, as its pages do."""
    if "tenant" not in request.fixturenames:
        yield
        return
    with tenant_scope(request.getfixturevalue("tenant").id):
        yield


class Desk:
    """The center of one township: its director, and cases put in any state."""

    def __init__(self, tenant):
        self.tenant = tenant
        self.director = factories.member("township_admin", tenant)
        self.department = factories.department_of(tenant)
        self.village = factories.village_of(tenant)

    def case(self, state=S.REGISTERED, *, title="邻里宅基地纠纷", risk=Risk.RESOLVABLE, days_ago=0,
             assignee=None, created_by=None, village=True):
        """A case accepted ``days_ago`` days ago (its clock runs from then), driven to ``state``."""
        accepted = utcnow() - timedelta(days=days_ago)
        with clock_at(accepted), tenant_scope(self.tenant.id):
            case = factories.case(self.tenant, created_by or self.director, title=title,
                                  village=self.village if village else None)
            if state == S.REGISTERED:
                return case
            operations.assess_case(case, self.director, difficulty=Difficulty.ORDINARY, risk=risk)
            if state == S.ASSESSED:
                return case
            if state == S.REFERRED:
                operations.refer_case(case, self.director, department=self.department)
                return case
            mediator = assignee or self.director
            operations.start_mediation(case, self.director, assignee_id=mediator.user_id)
            if state == S.MEDIATING:
                return case
            operations.record_session(case, mediator, held_on=timelimits.today(), place="村委会",
                                      participants="双方", notes="调解")
            operations.fail_case(case, mediator, next_step=NextStep.LITIGATION, note="分歧较大")
            if state == S.FAILED:
                return case
            operations.close_case(case, self.director)
            assert state == S.CLOSED, state
            return case


@pytest.fixture
def desk(db, tenant):
    return Desk(tenant)


def hx(client, method, path, data=None, **headers):
    """A request as the board's page makes it."""
    headers = {"HX-Request": "true", "X-CSRFToken": client.csrf, **headers}
    return client.open(path, method=method, data=data, headers=headers)


def prefixed(case, **fields):
    """Field names of a transition form drawn on the card of ``case``."""
    return {f"card{case.id}-{name}": value for name, value in fields.items()}
