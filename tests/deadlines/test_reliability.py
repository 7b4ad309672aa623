"""The sweep against real services: sweeps at the same moment on separate connections, a
worker process killed in the middle of the sweep job, and Redis down. Each time the outcome
is what one clean sweep writes: nothing twice, nothing lost.

These tests commit for real, in the live database (``live_services``), each in a township
of its own, and run at the real time (a worker process cannot share a frozen clock).
"""
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import psutil
import pytest
from rq.job import Job
from sqlalchemy import create_engine, select, text

from tenants.scope import all_tenants, tenant_scope
from tests import factories
from tests.conftest import TEST_DATABASE_URL, make_app
from tests.deadlines.conftest import Center, sweep
from webapp.cases import operations
from webapp.cases.models import Case, CaseEvent, Referral, Risk
from webapp.config import ROOT, TestConfig
from webapp.deadlines.models import CaseAlert, CaseWatch, Escalation, Flag, Notification
from webapp.deadlines.sweep import run_sweep
from webapp.extensions import db
from webapp.types import clock_at, utcnow
from worker.jobs import sweep_deadlines
from worker.queue import get_queue, redis_connection

WAIT = 45  # seconds: the longest any step here may take before the test gives up


@pytest.fixture(scope="module")
def live(live_services):
    """An app on the live database: real commits, seen by other connections and processes.
    (The ``live_app`` fixture also seeds the demo data, which these tests do not need.)"""
    return make_app(live_services)


# -- one township, everything due at once ---------------------------------------------------

A, B, C, D, E, F = "超期无进展的纠纷", "即将到期的纠纷", "可激化未上报的纠纷", "分流未接收的纠纷", "上级交办未办理的纠纷", "回访逾期的纠纷"


class Township:
    """A township whose cases, at the real time, owe the sweep one of everything: a yellow
    warning, an overdue and long-overdue case, a 可激化 case not reported, a referral not
    accepted, a case assigned from above not taken up, a follow-up visit missed."""

    def __init__(self, app, name):
        now = utcnow()
        ago = lambda days: now - timedelta(days=days)  # noqa: E731
        with app.app_context():
            tenant = factories.township(factories.county(), f"rel-{uuid.uuid4().hex[:10]}", name)
            with tenant_scope(tenant.id):
                self._build(tenant, ago)

    def _build(self, tenant, ago):
        center = Center(tenant)
        center.case(ago(12), title=A)  # due 5 days ago: red, and overdue by more than 3 days
        center.case(ago(5), title=B)   # due in 2 days: yellow
        center.case(ago(2), title=C, risk=Risk.MAY_ESCALATE)  # to be reported a day ago
        referred = center.case(ago(2), title=D, mediate=False)
        center.do(ago(2), operations.refer_case, referred, center.director, department=center.department)
        center.case(ago(3), title=E, source="assigned")
        visited = center.case(ago(25), title=F)
        center.do(ago(20), operations.resolve_case, visited, center.mediator, text="赔偿500元", amount=500,
                  signed_on=ago(20).date())  # first visit due 13 days ago
        db.session.commit()
        self.id = tenant.id
        self.who = {center.director.user_id: "director", center.mediator.user_id: "mediator",
                    center.liaison.user_id: "liaison", None: None}
        self.department_id = center.department.id

    EXPECTED = {
        "alerts": sorted([(A, "long_overdue"), (A, "red"), (B, "yellow"), (C, "unreported"), (E, "unhandled")]),
        "notifications": sorted([
            (A, "red", "director"), (A, "red", "mediator"), (A, "long_overdue", "director"),
            (A, "long_overdue", "mediator"), (B, "yellow", "director"), (B, "yellow", "mediator"),
            (C, "unreported", "director"), (C, "unreported", "mediator"), (D, "referral", "liaison"),
            (E, "unhandled", "director")]),
        "escalations": sorted([(A, "director", "red"), (A, "party_committee", "long_overdue"),
                               (A, "county", "long_overdue"), (C, "party_committee", "unreported"),
                               (C, "county", "unreported")]),
        "flags": sorted([(A, "overdue_no_progress", "mediator"), (C, "not_reported", "mediator"),
                         (D, "referral_not_accepted", "department"), (E, "assigned_not_handled", None),
                         (F, "follow_up_missed", "mediator")]),
        "events": sorted([(A, "escalation:director"), (A, "escalation:party_committee"), (A, "escalation:county"),
                          (A, "flag:overdue_no_progress"), (C, "escalation:party_committee"),
                          (C, "escalation:county"), (C, "flag:not_reported"), (D, "flag:referral_not_accepted"),
                          (E, "flag:assigned_not_handled"), (F, "flag:follow_up_missed")]),
    }

    def outcome(self, app) -> dict:
        """What the sweeps wrote for this township, by case title and person: duplicates show."""
        with app.app_context(), all_tenants():
            title = dict(db.session.execute(select(Case.id, Case.title).where(Case.tenant_id == self.id)).all())
            mine = lambda model: db.session.scalars(select(model).where(model.tenant_id == self.id)).all()  # noqa
            responsible = lambda f: "department" if f.responsible_department_id == self.department_id \
                else self.who[f.responsible_user_id]  # noqa: E731
            sweep_events = db.session.execute(select(CaseEvent.case_id, CaseEvent.kind).where(
                CaseEvent.tenant_id == self.id, CaseEvent.actor_id.is_(None), CaseEvent.kind != "registered")).all()
            return {
                "alerts": sorted((title[a.case_id], a.kind.value) for a in mine(CaseAlert)),
                "notifications": sorted((title[n.case_id], n.kind, self.who[n.user_id]) for n in mine(Notification)),
                "escalations": sorted((title[e.case_id], e.level.value, e.reason.value) for e in mine(Escalation)),
                "flags": sorted((title[f.case_id], f.kind.value, responsible(f)) for f in mine(Flag)),
                "events": sorted((title[case_id], kind) for case_id, kind in sweep_events),
            }

    def nothing_swept(self, app) -> bool:
        """No trace of a sweep; the liaison's notice may have come from its own job."""
        found = self.outcome(app)
        return found["notifications"] in ([], [(D, "referral", "liaison")]) and \
            not any(found[name] for name in ("alerts", "escalations", "flags", "events"))


def _sweep_in(app):
    with app.app_context():
        counts = run_sweep()
        db.session.commit()
    return counts


def _no_duplicates(outcome):
    for name, rows in outcome.items():
        assert not [row for row, n in Counter(rows).items() if n > 1], name


# -- sweeps at the same moment ------------------------------------------------------------


SWEEPS = 3


@pytest.mark.parametrize("full", [
    (False,) * SWEEPS,
    # When the scheduler starts it enqueues the full sweep and the five-minute one together.
    (True, False, True),
], ids=["ordinary", "full-and-ordinary"])
def test_sweeps_at_the_same_moment_write_what_one_sweep_writes(live, full):
    together = Township(live, "并发镇")
    if any(full):
        # Its watch lost (a change made by hand, say): only the full sweeps find its cases.
        with live.app_context(), all_tenants():
            db.session.execute(CaseWatch.__table__.delete().where(CaseWatch.tenant_id == together.id))
            db.session.commit()
    start = threading.Barrier(SWEEPS)
    results, errors = [], []

    def one_sweep(full):
        try:
            with live.app_context():
                start.wait(timeout=WAIT)
                results.append(run_sweep(full=full))
                db.session.commit()
        except Exception as error:  # reported below, with the thread that raised it
            errors.append(error)

    threads = [threading.Thread(target=one_sweep, args=(each,)) for each in full]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in threads), "a sweep hangs"
    assert not errors, errors
    assert len(results) == SWEEPS
    outcome = together.outcome(live)
    _no_duplicates(outcome)
    assert outcome == Township.EXPECTED

    # A township swept once, alone, looks the same.
    alone = Township(live, "对照镇")
    _sweep_in(live)
    assert alone.outcome(live) == Township.EXPECTED == together.outcome(live)


# -- a worker killed in the middle of the sweep job -------------------------------------------

# Installed in the worker process only (``sitecustomize`` on its PYTHONPATH): the sweep stops
# half-way — alerts, notifications and escalations written, nothing committed — and waits to
# be killed, after telling the test which process runs it.
STALL = textwrap.dedent('''
    import os, time
    marker = os.environ.get("TIAOJIE_TEST_STALL")
    if marker:
        from webapp.deadlines import sweep

        _escalate = sweep._escalate

        def _stalled(*args, **kwargs):
            written = _escalate(*args, **kwargs)
            sweep.db.session.flush()
            with open(marker, "w") as f:
                f.write(str(os.getpid()))
            time.sleep(120)
            return written

        sweep._escalate = _stalled
''')


def _worker_env(live_services, tmp_path, **extra):
    env = dict(os.environ, DATABASE_URL=live_services.database_url, REDIS_URL=live_services.redis_url,
               TIAOJIE_INSTANCE=str(tmp_path / "instance"), SECRET_KEY=TestConfig.SECRET_KEY,
               DATA_KEY=TestConfig.DATA_KEY, **extra)
    env.pop("DATABASE_OWNER_URL", None)
    if live_services.owner_url:
        env["DATABASE_OWNER_URL"] = live_services.owner_url
    return env


def _wait_for(condition, worker, log, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")


def _kill(worker):
    """SIGKILL the worker and everything it started (the work horse, the scheduler): nothing
    gets to clean up, as when the machine dies."""
    processes = [psutil.Process(worker.pid)]
    try:
        processes += processes[0].children(recursive=True)
    except psutil.NoSuchProcess:
        pass
    for process in processes:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(processes, timeout=10)
    worker.wait(timeout=10)


class RowLock:
    """On PostgreSQL: another transaction holds a case's row of the watch list, so the
    sweep's UPDATE of ``case_watch`` waits — after it has inserted its alerts."""

    def __init__(self, live_services, tenant_id):
        self.engine = create_engine(live_services.owner_url)
        self.conn = self.engine.connect()
        self.conn.execute(text("SELECT w.case_id FROM case_watch w JOIN cases c ON c.id = w.case_id "
                               "WHERE c.tenant_id = :t AND c.title = :title FOR UPDATE OF w"),
                          {"t": tenant_id, "title": A})
        self.waiting_pid = None

    def sweep_is_waiting(self):
        with self.engine.connect() as conn:
            self.waiting_pid = conn.scalar(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND query ILIKE 'UPDATE case_watch%'"))
        return self.waiting_pid

    def release(self):
        self.conn.rollback()
        self.conn.close()
        # The killed worker's backend now finishes its statement, finds its client gone and
        # rolls back; wait for that, so what follows sees only committed work. (Each look in
        # a transaction of its own: pg_stat_activity stays the same within one.)
        deadline = time.monotonic() + WAIT
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            while conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                              {"pid": self.waiting_pid}):
                assert time.monotonic() < deadline, "the killed worker's transaction is still open"
                time.sleep(0.1)
        self.engine.dispose()


@pytest.mark.parametrize("stall", [
    "half-way",
    pytest.param("row-lock", marks=[pytest.mark.postgres, pytest.mark.skipif(
        not TEST_DATABASE_URL, reason="the sweep waits on a row lock on PostgreSQL only")]),
])
def test_a_worker_killed_in_the_middle_of_the_sweep_loses_nothing_and_repeats_nothing(live, live_services, tmp_path,
                                                                                     stall):
    town = Township(live, "中断镇")
    marker = tmp_path / "stalled"
    extra = {}
    if stall == "half-way":
        (tmp_path / "hook").mkdir()
        (tmp_path / "hook" / "sitecustomize.py").write_text(STALL)
        extra = {"PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path / "hook"), os.environ.get("PYTHONPATH")])),
                 "TIAOJIE_TEST_STALL": str(marker)}
        lock = None
    else:
        lock = RowLock(live_services, town.id)

    with live.app_context():
        job = get_queue().enqueue(sweep_deadlines, job_id=f"sweep-deadlines-{uuid.uuid4().hex[:8]}")
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "worker", "work"], cwd=ROOT, stdout=out,
                                  stderr=subprocess.STDOUT, env=_worker_env(live_services, tmp_path, **extra),
                                  start_new_session=True)
    try:
        if lock is None:
            _wait_for(lambda: marker.exists() and marker.read_text(), worker, log, "the sweep to stall half-way")
        else:
            _wait_for(lock.sweep_is_waiting, worker, log, "the sweep to wait on the locked case")
        _kill(worker)
    finally:
        if worker.poll() is None:
            _kill(worker)
        if lock is not None:
            lock.release()

    # The killed transaction left nothing behind...
    assert town.nothing_swept(live), town.outcome(live)
    # ...and the job run again (as RQ retries it, here in this process) does everything once.
    with live.app_context():
        sweep_deadlines()
        Job.fetch(job.id, connection=get_queue().connection).delete()
    outcome = town.outcome(live)
    _no_duplicates(outcome)
    assert outcome == Township.EXPECTED
    _sweep_in(live)
    assert town.outcome(live) == Township.EXPECTED


# -- Redis down -----------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_with_redis_down_a_referral_still_commits_and_the_next_sweep_catches_up(app, db, tenant, login_as,
                                                                                 monkeypatch):
    director = login_as("township_admin")
    center = Center(tenant, director=director.user.memberships[0])
    case = center.case(utcnow() - timedelta(minutes=5), mediate=False)
    db.session.commit()
    redis = redis_connection(app.config["REDIS_URL"])
    redis.flushdb()  # jobs of earlier tests in this process may have the same ids
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/0")

    response = director.post(f"/t/alpha/cases/{case.id}/do/refer", data={
        "department": center.department.id, "note": "请派出所协助调处", "csrf_token": director.csrf})
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    with tenant_scope(tenant.id):
        assert db.session.get(Case, case.id).state.value == "referred"
        referral = db.session.scalar(select(Referral).where(Referral.case_id == case.id))
        assert not Job.exists(f"referral-notice-{referral.id}", connection=redis)
        assert director.get(f"/t/alpha/cases/{case.id}").status_code == 200
        page = director.get("/t/alpha/deadlines/")
        assert page.status_code == 200 and "无法连接任务队列" in page.get_data(as_text=True)
        assert db.session.scalars(select(Notification).where(Notification.case_id == case.id)).all() == []

    # The job that would have told the liaison never ran; the next sweep does it, once.
    first = sweep(referral.referred_at + timedelta(minutes=5))
    assert first["notified"] == 1
    assert sweep(referral.referred_at + timedelta(minutes=10))["notified"] == 0
    with tenant_scope(tenant.id):
        [notice] = db.session.scalars(select(Notification).where(Notification.case_id == case.id)).all()
        assert (notice.user_id, notice.kind) == (center.liaison.user_id, "referral")

    # Not accepted in time: flagged against the department, as if nothing had been down.
    late = sweep(referral.accept_by + timedelta(minutes=1))
    assert late["flagged"] == 1
    with tenant_scope(tenant.id):
        [flag] = db.session.scalars(select(Flag).where(Flag.case_id == case.id)).all()
        assert flag.responsible_department_id == center.department.id
    with clock_at(referral.accept_by + timedelta(minutes=2)):
        assert run_sweep()["flagged"] == 0
