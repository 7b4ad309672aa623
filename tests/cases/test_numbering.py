"""Case numbers: 甲〔2026〕第0001号, per township and year (Beijing time), without gaps,
even when registrations fail or arrive at the same moment."""
import threading
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tenants.models import Tenant
from tenants.scope import tenant_scope
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from webapp import timelimits
from webapp.cases import operations
from webapp.cases.models import Case, Source
from webapp.extensions import db as _db
from webapp.types import clock_at

# Dates the test counts from today are the dates its pages count from today (``one_moment``).
pytestmark = pytest.mark.usefixtures("one_moment")


def _year():
    return timelimits.today().year


def _register(client, title="山林界址纠纷"):
    return client.post("/t/alpha/cases/new", data={"title": title, "source": "visit", "level": "township",
                                                   "csrf_token": client.csrf})


def test_numbers_count_up_without_gaps_in_the_townships_short_name(db, tenant):
    director = factories.member("township_admin", tenant)
    numbers = [factories.case(tenant, director).number for _ in range(3)]
    year = _year()
    assert numbers == [f"甲〔{year}〕第0001号", f"甲〔{year}〕第0002号", f"甲〔{year}〕第0003号"]


def test_a_township_with_the_longest_name_still_numbers_its_cases(db, tenant):
    # The county may name (or rename) a township with up to 64 characters; its numbers must
    # still be stored, on PostgreSQL too (found by the hostile-input walk).
    tenant.name = "长" * (Tenant.name.type.length - 1) + "镇"
    director = factories.member("township_admin", tenant)
    number = factories.case(tenant, director).number
    db.session.flush()
    assert number == "长" * (Tenant.name.type.length - 1) + f"〔{_year()}〕第0001号"


def test_the_number_is_given_at_intake_and_shown(db, tenant, login_as):
    clerk = login_as("clerk")
    response = _register(clerk)
    number = f"甲〔{_year()}〕第0001号"
    page = clerk.get(response.headers["Location"]).get_data(as_text=True)
    assert f"已登记，案号{number}。" in page
    assert f'<p class="muted case-number">{number}</p>' in page


def test_each_township_counts_on_its_own(db, tenant, other_tenant):
    year = _year()
    assert factories.case(tenant).number == f"甲〔{year}〕第0001号"
    assert factories.case(tenant).number == f"甲〔{year}〕第0002号"
    assert factories.case(other_tenant).number == f"乙〔{year}〕第0001号"
    assert factories.case(tenant).number == f"甲〔{year}〕第0003号"


def test_each_year_starts_again_at_one_by_the_calendar_in_beijing(db, tenant):
    director = factories.member("township_admin", tenant)
    # 15:30 UTC on 31 December is 23:30 in Beijing: still this year.
    with clock_at(datetime(2026, 12, 31, 15, 30, tzinfo=timezone.utc)):
        assert factories.case(tenant, director).number == "甲〔2026〕第0001号"
    # An hour later it is 00:30 on 1 January in Beijing: a new year, a new count.
    with clock_at(datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)):
        first = factories.case(tenant, director)
        assert (first.number, first.year, first.seq) == ("甲〔2027〕第0001号", 2027, 1)
        assert factories.case(tenant, director).number == "甲〔2027〕第0002号"
    with clock_at(datetime(2026, 12, 31, 15, 45, tzinfo=timezone.utc)):
        assert factories.case(tenant, director).number == "甲〔2026〕第0002号"


def test_a_registration_that_fails_gives_its_number_back(db, tenant, login_as, monkeypatch):
    clerk = login_as("clerk")
    assert _register(clerk).status_code == 302

    real = operations.record_event

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(operations, "record_event", real)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(operations, "record_event", fail_once)
    with pytest.raises(RuntimeError):
        _register(clerk, title="没能登记的纠纷")

    response = _register(clerk, title="下一件纠纷")
    assert response.status_code == 302
    titles = db.session.execute(select(Case.title, Case.number).order_by(Case.seq)).all()
    year = _year()
    assert titles == [("山林界址纠纷", f"甲〔{year}〕第0001号"), ("下一件纠纷", f"甲〔{year}〕第0002号")]


def test_a_rolled_back_transaction_gives_its_number_back(db, tenant):
    director = factories.member("township_admin", tenant)
    factories.case(tenant, director)
    attempt = db.session.begin_nested()
    assert factories.case(tenant, director).seq == 2
    attempt.rollback()
    assert factories.case(tenant, director).seq == 2
    assert db.session.scalar(select(func.count(Case.id))) == 2


THREADS, EACH = 8, 5


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="parallel intake needs TEST_DATABASE_URL (PostgreSQL)")
def test_clerks_registering_at_the_same_moment_get_consecutive_numbers(live_app):
    """Real transactions on separate connections: each registration commits on its own."""
    with live_app.app_context():
        township = factories.township(factories.county(), f"par-{uuid.uuid4().hex[:8]}", "并行镇")
        _db.session.commit()
        tenant_id = township.id

    start = threading.Barrier(THREADS)
    numbers, errors = [], []

    def clerk(n):
        try:
            with live_app.app_context(), tenant_scope(tenant_id):
                tenant = _db.session.get(Tenant, tenant_id)
                start.wait()
                for i in range(EACH):
                    case = operations.register_case(tenant, None, title=f"并行登记{n}-{i}", source=Source.CALL)
                    _db.session.commit()
                    numbers.append(case.number)
        except Exception as error:  # reported below, with the thread that raised it
            errors.append(error)

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors

    year = _year()
    assert len(numbers) == len(set(numbers)) == THREADS * EACH
    assert sorted(numbers) == [f"并行〔{year}〕第{n:04d}号" for n in range(1, THREADS * EACH + 1)]
    with live_app.app_context(), tenant_scope(tenant_id):
        stored = _db.session.scalars(select(Case.seq).where(Case.tenant_id == tenant_id).order_by(Case.seq)).all()
    assert stored == list(range(1, THREADS * EACH + 1))
