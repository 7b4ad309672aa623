"""Benchmark of the deadline sweep: 1,000,000 open cases across 200 townships on PostgreSQL.

    .venv/bin/python bench/sweep.py [--cases 1000000] [--townships 200] [--repeat 3] [--keep]
                                    [--sqlite] [--profile] [--explain]

Targets: a full sweep under 10 s (set-based SQL, not a Python loop over cases), and a
second sweep that finds nothing to do under 2 s. A *full* sweep (``full=True``, which
the scheduler runs when it starts and daily) looks at every one of the open cases, whatever
their watch says; an ordinary one looks only at the cases its watch says are due.

It creates a throwaway database ``tiaojie_bench_sweep`` on the server of ``BENCH_DATABASE_URL``
(default postgresql://postgres@127.0.0.1:5432/test), migrates it as the owner with
``flask_migrate.upgrade()``, and bulk-loads with PostgreSQL ``COPY`` (psycopg; secondary indexes
dropped for the load and built again from their own definitions): one county, the townships
(a director, a mediator and a department with its liaison each, case settings), the open cases
(``--cases``) plus a tenth as many finished ones, a timeline event per open case, a pending or
accepted referral per referred case, and two follow-up visits per case in follow-up. Every
case's moments are those of the method (calendar days, 3 warning days, 3 escalation days),
its light drawn from a realistic mix (about a third of the running cases green, the rest
yellow, red and long overdue), its watch (``case_watch.next_at``) is
``webapp.deadlines.clock.next_moment`` of the row, and its clock cycle 1. No moment lies
within the hour after "now", so the sweeps of the following minutes have nothing to do.

The sweep runs as the app does, through the role ``tiaojie_app`` that owns nothing (row-level
security on): ``sweep_until_done(at)`` in an app context, as the worker's job runs it (in
batches of 50,000 due cases, each committed), timed with ``time.perf_counter``. In order:

  catch_up               the first sweep the county ever had, at "now": it acts on every
                         moment passed so far (about half the open cases: the worst case,
                         bounded by the rows it must write, not the target's sweep)
  second_after_catch_up  the no-change sweep, ``--repeat`` times, one, two... minutes later
                         (median), its dead row versions not yet vacuumed
  (then ``VACUUM ANALYZE``: the county on an ordinary day, autovacuum having been by)
  full                   the full sweep two hours on: every open case looked at; it acts on
                         what came due in the second hour
  second                 the no-change sweep, ``--repeat`` times, one, two... minutes after it
  next_two_hours         an ordinary sweep two hours after the full one

Beside each wall-clock figure, ``*_db_cpu_s`` is the CPU time the database server process
used meanwhile (read from /proc when the server runs on this machine; on SQLite, this
process's): less sensitive than the wall clock to other load on a shared machine, whose
1-minute load average is printed at the start and the end.

The baseline, in the same run and the same role, is a plain ``SELECT count(*)`` over the open
cases (median of three). One ``name: value unit`` line per figure, with the ratios to the
baseline and to the targets, and the rows each sweep wrote counted in the database;
``--profile`` also prints the time of every statement of every sweep to stderr, ``--explain``
the plans of the catch-up run first under EXPLAIN (ANALYZE, BUFFERS) and rolled back.

``--sqlite`` runs a smaller reference on a SQLite file (100,000 cases by default).
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import ThrowawayPostgres, libpq  # noqa: E402
# The app's instance directory (embedded Redis socket, files) is not needed: keep it out of the repo.
os.environ.setdefault("TIAOJIE_INSTANCE", tempfile.mkdtemp(prefix="tiaojie-bench-sweep-"))

DB_NAME = "tiaojie_bench_sweep"
TARGET_FULL_S = 10.0
TARGET_SECOND_S = 2.0

# The open cases by state (shares in %): mostly being worked on, some awaiting follow-up.
OPEN_STATES = {
    "registered": 6, "assessed": 14, "mediating": 38, "referred": 10, "returned": 3, "escalated": 3,
    "resolved": 8, "failed": 2, "follow_up": 16,
}
FINISHED_SHARE = 0.10  # finished cases (closed, archived) loaded on top of the open ones
FINISHED_STATES = {"closed": 40, "archived": 60}
RUNNING = {"assessed", "mediating", "referred", "returned", "escalated"}
# A running case's light: green, yellow (fewer than 3 days left), red, long overdue (3+ days).
LIGHTS = {"green": 34, "yellow": 20, "red": 26, "long_overdue": 20}
LIMITS = {"ordinary": 7, "complex": 20, "major": 60}
DIFFICULTY = {"ordinary": 70, "complex": 25, "major": 5}
RISK = {"resolvable": 70, "controllable": 22, "may_escalate": 8}
PAUSED_SHARE = 0.03      # running cases with the clock stopped
ASSIGNED_SHARE = 0.08    # cases assigned from above (source "assigned": a handle_by moment)
REPORTED_SHARE = 0.60    # 可激化 cases already reported upwards (escalated_to set)
PENDING_SHARE = 0.50     # referred cases whose referral is still pending
FOLLOW_UP_DONE = 0.85    # follow-up visits already due that were done
PROGRESS_SHARE = 0.40    # long-overdue cases with a person's entry since the deadline

H, D = timedelta(hours=1), timedelta(days=1)
# No moment in these spans after "now": the sweeps a few minutes after the catch-up and after
# the full sweep (two hours on) find nothing to do.
QUIET = ((timedelta(0), H), (2 * H, 2 * H + timedelta(minutes=15)))


def out(name, value, unit):
    print(f"{name}: {value:.2f} {unit}" if isinstance(value, float) else f"{name}: {value} {unit}", flush=True)


def _pick(rng, table):
    return rng.choices(list(table), list(table.values()))[0]


def _spread(total, table):
    """Exact counts per key of ``table`` (weights) summing to ``total``."""
    weight = sum(table.values())
    counts = {k: total * w // weight for k, w in table.items()}
    first = next(iter(table))
    counts[first] += total - sum(counts.values())
    return counts


# -- the data ----------------------------------------------------------------------------------------

CASE_COLUMNS = (
    "id", "tenant_id", "year", "seq", "number", "title", "narrative", "source", "level", "state", "difficulty",
    "risk", "limit_days", "accepted_at", "due_at", "clock_started_at", "assessed_at", "warn_at", "escalate_at",
    "report_by", "handle_by", "clock_cycle", "paused_since", "assignee_id", "department_id",
    "escalated_to", "created_by_id", "created_at", "updated_at", "resolved_at", "closed_at", "archived_at", "version",
)
EVENT_COLUMNS = ("tenant_id", "case_id", "at", "actor_id", "kind", "from_state", "to_state", "note")
REFERRAL_COLUMNS = ("tenant_id", "case_id", "department_id", "status", "note", "referred_by_id", "referred_at",
                    "accepted_at", "result", "return_reason", "accept_by", "late_flagged")
FOLLOW_UP_COLUMNS = ("tenant_id", "case_id", "due_on", "done_at", "done_by_id", "notes", "missed_flagged")
WATCH_COLUMNS = ("case_id", "tenant_id", "next_at")
_MOMENTS = ("accepted_at", "clock_started_at", "assessed_at", "due_at", "warn_at", "escalate_at", "report_by",
            "handle_by", "resolved_at")


def generate(now, townships, n_open, seed=2026):
    """Rows of cases, their watch, timeline events, referrals and follow-ups.

    ``townships`` are (tenant_id, director_id, mediator_id, department_id). Returns five lists
    of tuples in the column orders above; case ids are 1..n.
    """
    from webapp.deadlines.clock import next_moment
    from webapp.timelimits import today

    rng = random.Random(seed)
    n_finished = int(n_open * FINISHED_SHARE)
    states = []
    for state, count in list(_spread(n_open, OPEN_STATES).items()) + list(_spread(n_finished, FINISHED_STATES).items()):
        states += [state] * count
    rng.shuffle(states)
    year = now.year
    seqs = {}
    cases, watch, events, referrals, follow_ups = [], [], [], [], []
    quiet = [(now + start, now + end) for start, end in QUIET]

    def in_quiet(moment):
        return any(start < moment <= end for start, end in quiet)
    today_ = today(now)
    sources = ["visit", "call", "investigation", "council", "handover"]
    levels = ["group", "village", "township"]
    titles = ["宅基地纠纷", "土地山林纠纷", "赡养纠纷", "邻里纠纷", "劳资纠纷", "合同纠纷", "婚姻家庭纠纷", "损害赔偿纠纷"]
    for index, state in enumerate(states):
        case_id = index + 1
        tenant_id, director, mediator, department = townships[index % len(townships)]
        seq = seqs[tenant_id] = seqs.get(tenant_id, 0) + 1
        c = dict.fromkeys(CASE_COLUMNS)
        c.update(id=case_id, tenant_id=tenant_id, year=year, seq=seq, number=f"T{tenant_id:04d}〔{year}〕第{seq:06d}号",
                 title=rng.choice(titles), narrative="", source=rng.choice(sources), level=rng.choice(levels),
                 state=state, clock_cycle=1, created_by_id=director, version=1)
        if rng.random() < ASSIGNED_SHARE:
            c["source"] = "assigned"
        light = None
        if state == "registered":
            c["accepted_at"] = now - rng.uniform(0, 5) * D
        else:
            difficulty = _pick(rng, DIFFICULTY)
            limit = LIMITS[difficulty]
            if state in RUNNING:
                light = _pick(rng, LIGHTS)
                if light == "green":
                    offset = rng.uniform(3 * D / H + 1, limit * 24) * H
                elif light == "yellow":
                    offset = rng.uniform(1, 3 * 24 - 1) * H
                elif light == "red":
                    offset = -rng.uniform(1, 3 * 24 - 1) * H
                else:
                    offset = -rng.uniform(3 * 24 + 1, 60 * 24) * H
                due = now + offset
                c["accepted_at"] = due - limit * D
            else:  # resolved, failed, follow-up, closed, archived: accepted weeks or months ago
                c["accepted_at"] = now - rng.uniform(limit + 5, 400 if state in FINISHED_STATES else 120) * D
                due = c["accepted_at"] + limit * D
            c.update(difficulty=difficulty, limit_days=limit, due_at=due, warn_at=due - 3 * D, escalate_at=due + 3 * D,
                     risk=_pick(rng, RISK))
            c["assessed_at"] = c["accepted_at"] + rng.random() * min(D, now - c["accepted_at"])
            if c["risk"] == "may_escalate":
                c["report_by"] = c["assessed_at"] + 24 * H
                if state == "escalated" or rng.random() < REPORTED_SHARE:
                    c["escalated_to"] = rng.choice(["party_committee", "county_bureau"])
            if state in ("resolved", "failed", "follow_up", "closed", "archived"):
                c["resolved_at"] = min(c["accepted_at"] + rng.uniform(1, limit) * D, now - 2 * D)
            if state == "closed":
                c["closed_at"] = c["resolved_at"] + rng.uniform(1, 40) * D
            if state == "archived":
                c["closed_at"] = c["resolved_at"] + rng.uniform(1, 40) * D
                c["archived_at"] = c["closed_at"] + rng.uniform(0, 10) * D
        if c["source"] == "assigned":
            c["handle_by"] = c["accepted_at"] + D
        c["clock_started_at"] = c["accepted_at"]
        # No moment in a quiet span: move the case's whole history back two hours.
        while any(c[m] is not None and in_quiet(c[m]) for m in _MOMENTS):
            for m in _MOMENTS:
                if c[m] is not None:
                    c[m] -= 2 * H
        for m in ("closed_at", "archived_at"):
            if c[m] is not None:
                c[m] = min(c[m], now - H)
        if state in RUNNING and rng.random() < PAUSED_SHARE:
            c["paused_since"] = now - rng.uniform(1, 240) * H
        if state in ("mediating", "returned", "escalated", "resolved", "failed", "follow_up", "closed", "archived") \
                or (state == "assessed" and rng.random() < 0.5) or c["source"] == "assigned":
            c["assignee_id"] = mediator
        if state == "referred":
            c["department_id"] = department
        c["created_at"] = c["accepted_at"]
        c["updated_at"] = max(m for m in (c["accepted_at"], c["assessed_at"], c["resolved_at"], c["closed_at"],
                                          c["archived_at"]) if m is not None)
        next_at = next_moment(SimpleNamespace(**c))
        cases.append(tuple(c[k] for k in CASE_COLUMNS))
        if next_at is not None:
            watch.append((case_id, tenant_id, next_at))

        if state in FINISHED_STATES:
            continue
        events.append((tenant_id, case_id, c["accepted_at"], director, "registered", None, "registered", ""))
        if light == "long_overdue" and rng.random() < PROGRESS_SHARE:
            at = c["due_at"] + rng.random() * (now - H - c["due_at"])
            events.append((tenant_id, case_id, at, mediator, "session", None, None, "调解会"))
        if state == "referred":
            referred = max(c["accepted_at"], now - rng.uniform(0, 5) * D)
            while in_quiet(referred + D):
                referred -= 2 * H
            pending = rng.random() < PENDING_SHARE
            referrals.append((tenant_id, case_id, department, "pending" if pending else "accepted", "", director,
                              referred, None if pending else referred + rng.random() * D, "", "", referred + D, False))
        if state == "follow_up":
            for days in (7, 30):
                due_on = (c["resolved_at"] + days * D).date()
                done = due_on < today_ and rng.random() < FOLLOW_UP_DONE
                done_at = datetime.combine(due_on, datetime.min.time(), timezone.utc) + 10 * H if done else None
                follow_ups.append((tenant_id, case_id, due_on, done_at, mediator if done else None, "", False))
    return cases, watch, events, referrals, follow_ups


# -- PostgreSQL -----------------------------------------------------------------------------------------


class Postgres(ThrowawayPostgres):
    name = "postgresql"
    LOADED = ("cases", "case_watch", "case_events", "referrals", "follow_ups")

    def __init__(self):
        super().__init__(DB_NAME)

    def load(self, now, n_townships, n_open, timings):
        """Townships by plain INSERTs, then the generated rows by COPY, as the owner."""
        import psycopg

        with psycopg.connect(libpq(self.owner_url)) as conn:
            cur = conn.cursor()
            cur.execute("SET app.all_tenants = 'on'")
            townships = self._townships(cur, now, n_townships)
            started = time.perf_counter()
            cases, watch, events, referrals, follow_ups = generate(now, townships, n_open)
            timings["load_generate_s"] = time.perf_counter() - started
            # COPY FROM refuses tables under forced row-level security (unless a superuser runs
            # it): lift FORCE for the load, in this transaction only, and put it back.
            for table in self.LOADED:
                cur.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            # Secondary indexes (those behind no constraint) are dropped for the load and built
            # again afterwards from their own definitions: much faster than row-by-row upkeep.
            cur.execute("""
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
                        (list(self.LOADED),))
            secondary = cur.fetchall()
            for index, _ in secondary:
                cur.execute(f'DROP INDEX "{index}"')
            for table, columns, rows in (("cases", CASE_COLUMNS, cases), ("case_watch", WATCH_COLUMNS, watch),
                                         ("case_events", EVENT_COLUMNS, events),
                                         ("referrals", REFERRAL_COLUMNS, referrals),
                                         ("follow_ups", FOLLOW_UP_COLUMNS, follow_ups)):
                started = time.perf_counter()
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                timings[f"load_copy_{table}_s"] = time.perf_counter() - started
                timings[f"rows_{table}"] = len(rows)
            started = time.perf_counter()
            cur.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in secondary:
                cur.execute(definition)
            timings["load_indexes_s"] = time.perf_counter() - started
            timings["load_indexes_rebuilt"] = len(secondary)
            for table in self.LOADED:
                cur.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            cur.execute("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))")
            conn.commit()
        return cases, watch

    @staticmethod
    def _townships(cur, now, n):
        cur.execute("INSERT INTO counties (name) VALUES ('基准县') RETURNING id")
        county = cur.fetchone()[0]
        cur.execute("""
            INSERT INTO tenants (county_id, slug, name, created_at)
            SELECT %s, 't' || lpad(n::text, 4, '0'), '基准' || n || '镇', %s FROM generate_series(1, %s) n""",
                    (county, now, n))
        cur.execute("""
            INSERT INTO case_settings (tenant_id, limit_ordinary, limit_complex, limit_major, yellow_days,
                                       follow_up_days)
            SELECT id, 7, 20, 60, 3, '7,30' FROM tenants""")
        cur.execute("INSERT INTO departments (tenant_id, name, kind) SELECT id, '派出所', 'police_station' FROM tenants")
        cur.execute("""
            INSERT INTO users (username, display_name, password_hash, failed_logins, active, created_at)
            SELECT t.slug || '.' || who, t.slug || who, 'bench-not-a-hash', 0, true, %s
            FROM tenants t CROSS JOIN (VALUES ('admin'), ('mediator'), ('liaison')) w(who)""", (now,))
        cur.execute("""
            INSERT INTO memberships (user_id, county_id, tenant_id, role, department_id, active)
            SELECT u.id, t.county_id, t.id, r.role, CASE WHEN r.role = 'liaison' THEN d.id END, true
            FROM tenants t JOIN departments d ON d.tenant_id = t.id
            CROSS JOIN (VALUES ('admin', 'township_admin'), ('mediator', 'mediator'),
                               ('liaison', 'liaison')) r(who, role)
            JOIN users u ON u.username = t.slug || '.' || r.who""")
        cur.execute("""
            SELECT t.id, a.id, m.id, d.id FROM tenants t
            JOIN users a ON a.username = t.slug || '.admin' JOIN users m ON m.username = t.slug || '.mediator'
            JOIN departments d ON d.tenant_id = t.id ORDER BY t.id""")
        return cur.fetchall()

    def analyze(self):
        self.vacuum()

    def cpu_meter(self, session):
        """A function returning the CPU seconds used so far by the server process behind
        ``session``'s connection, or None when the server is not on this machine."""
        from sqlalchemy import text

        if self.server.host not in (None, "", "localhost", "127.0.0.1", "::1"):
            return lambda: None
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()

        def used():
            try:
                if b"postgres" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return None
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, ValueError, IndexError):
                return None

        return used

    def vacuum(self, table=""):
        import psycopg

        with psycopg.connect(libpq(self.owner_url), autocommit=True) as conn:
            conn.execute(f"VACUUM ANALYZE {table}")


# -- SQLite ---------------------------------------------------------------------------------------------


class SQLite:
    name = "sqlite"

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="tiaojie-bench-sweep-")
        self.url = f"sqlite:///{self.dir.name}/bench.db"

    def urls(self):
        return self.url, None

    def load(self, now, n_townships, n_open, timings):
        from sqlalchemy import create_engine, insert, select

        from tenants.models import County, Membership, Tenant
        from webapp.auth.models import User
        from webapp.cases.models import Case, CaseEvent, CaseSettings, FollowUp, Referral
        from webapp.deadlines.models import CaseWatch
        from webapp.referrals.models import Department

        engine = create_engine(self.url)
        with engine.begin() as conn:
            county = conn.execute(insert(County).values(name="基准县").returning(County.id)).scalar_one()
            conn.execute(insert(Tenant), [{"county_id": county, "slug": f"t{n:04d}", "name": f"基准{n}镇",
                                           "created_at": now} for n in range(1, n_townships + 1)])
            tenants = conn.execute(select(Tenant.id, Tenant.slug).order_by(Tenant.id)).all()
            conn.execute(insert(CaseSettings), [{"tenant_id": t} for t, _ in tenants])
            conn.execute(insert(Department), [{"tenant_id": t, "name": "派出所", "kind": "police_station"}
                                              for t, _ in tenants])
            departments = dict(conn.execute(select(Department.tenant_id, Department.id)).all())
            conn.execute(insert(User), [{"username": f"{slug}.{who}", "display_name": slug + who,
                                         "password_hash": "bench-not-a-hash", "created_at": now}
                                        for _, slug in tenants for who in ("admin", "mediator", "liaison")])
            users = dict((name, uid) for uid, name in conn.execute(select(User.id, User.username)))
            conn.execute(insert(Membership), [
                {"user_id": users[f"{slug}.{who}"], "county_id": county, "tenant_id": t, "role": role,
                 "department_id": departments[t] if role == "liaison" else None}
                for t, slug in tenants for who, role in (("admin", "township_admin"), ("mediator", "mediator"),
                                                         ("liaison", "liaison"))])
            townships = [(t, users[f"{slug}.admin"], users[f"{slug}.mediator"], departments[t]) for t, slug in tenants]
            started = time.perf_counter()
            rows = generate(now, townships, n_open)
            timings["load_generate_s"] = time.perf_counter() - started
            for model, columns, data in zip((Case, CaseWatch, CaseEvent, Referral, FollowUp),
                                            (CASE_COLUMNS, WATCH_COLUMNS, EVENT_COLUMNS, REFERRAL_COLUMNS,
                                             FOLLOW_UP_COLUMNS), rows):
                started = time.perf_counter()
                for start in range(0, len(data), 20_000):
                    conn.execute(model.__table__.insert(), [dict(zip(columns, r)) for r in data[start:start + 20_000]])
                timings[f"load_insert_{model.__tablename__}_s"] = time.perf_counter() - started
                timings[f"rows_{model.__tablename__}"] = len(data)
        engine.dispose()
        return rows[0], rows[1]

    @staticmethod
    def cpu_meter(session):
        return time.process_time  # SQLite runs in this process

    def analyze(self):
        import sqlite3

        with sqlite3.connect(self.url.removeprefix("sqlite:///")) as conn:
            conn.execute("ANALYZE")

    def drop(self):
        self.dir.cleanup()


# -- measuring ------------------------------------------------------------------------------------------


def make_app(app_url, owner_url):
    from webapp import create_app
    from webapp.config import Config

    return create_app(Config, SQLALCHEMY_DATABASE_URI=app_url, DATABASE_OWNER_URL=owner_url,
                      REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
                      RATELIMIT_STORAGE_URI="memory://", SECRET_KEY="bench", SESSION_COOKIE_SECURE=False)


class StatementTimer:
    """Time per statement sent to the database, for --profile."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.engine, self.records, self._started = engine, [], None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.records.append((time.perf_counter() - self._started, cursor.rowcount, " ".join(statement.split())))

    def report(self, label):
        for n, (elapsed, rows, statement) in enumerate(self.records, 1):
            print(f"# {label} {n:2d} {elapsed * 1000:9.1f} ms {rows:>9} rows  {statement[:150]}", file=sys.stderr)
        self.records = []

    def close(self):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def explain_sweep(app, now):
    """Run one sweep at ``now`` with every INSERT ... SELECT and UPDATE under EXPLAIN (ANALYZE,
    BUFFERS), print the plans to stderr, and roll it all back (PostgreSQL only)."""
    from sqlalchemy import event

    from webapp.deadlines.sweep import run_sweep
    from webapp.extensions import db

    plans = []

    def before(conn, cursor, statement, parameters, context, executemany):
        text = statement.lstrip()
        if (text.startswith("INSERT INTO") and "SELECT" in text) or text.startswith("UPDATE"):
            return "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
        return statement, parameters

    def after(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("EXPLAIN"):
            plans.append((" ".join(statement.split())[26:150], [row[0] for row in cursor.fetchall()]))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before, retval=True)
        event.listen(db.engine, "after_cursor_execute", after)
        try:
            started = time.perf_counter()
            run_sweep(now)
            elapsed = time.perf_counter() - started
        finally:
            db.session.rollback()
            event.remove(db.engine, "before_cursor_execute", before)
            event.remove(db.engine, "after_cursor_execute", after)
    for statement, plan in plans:
        print(f"# ---- {statement}", file=sys.stderr)
        for line in plan:
            print(f"#   {line}", file=sys.stderr)
    print(f"# explained sweep (rolled back): {elapsed:.2f} s", file=sys.stderr)


def measure(backend, n_townships, n_open, repeat, profile, explain=False):
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from tenants.scope import all_tenants
    from webapp.cases.models import Case, CaseEvent
    from webapp.deadlines.models import CaseAlert, Escalation, Flag, Notification
    from webapp.deadlines.sweep import sweep_until_done
    from webapp.extensions import db

    name = backend.name
    suffix = "" if name == "postgresql" else f"_{name}"
    out(f"loadavg_1m_start{suffix}", os.getloadavg()[0], "load")
    app_url, owner_url = backend.urls()
    app = make_app(app_url, owner_url)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        db.engine.dispose()
    out(f"migrate{suffix}_s", time.perf_counter() - started, "s")

    # "Now" is the last 10:00 in Beijing: the sweeps of the next four hours stay within one
    # working day, so that no day-long rule (a follow-up visit's window) turns over mid-run.
    from webapp.timelimits import BEIJING

    beijing = datetime.now(BEIJING)
    ten = beijing.replace(hour=10, minute=0, second=0, microsecond=0)
    now = (ten if ten <= beijing else ten - D).astimezone(timezone.utc)
    timings = {}
    started = time.perf_counter()
    cases, watch = backend.load(now, n_townships, n_open, timings)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    backend.analyze()
    analyzed = time.perf_counter() - started
    for key, value in timings.items():
        seconds = key.endswith("_s")
        out(f"{key.removesuffix('_s')}{suffix}_s" if seconds else f"{key}{suffix}", value, "s" if seconds else "count")
    out(f"load{suffix}_s", loaded, "s")
    out(f"load_analyze{suffix}_s", analyzed, "s")
    state = CASE_COLUMNS.index("state")
    finished = sum(1 for c in cases if c[state] in FINISHED_STATES)
    out(f"cases{suffix}", len(cases) - finished, "count")
    out(f"cases_finished{suffix}", finished, "count")
    out(f"cases_running{suffix}", sum(1 for c in cases if c[state] in RUNNING), "count")
    out(f"townships{suffix}", n_townships, "count")
    out(f"cases_due_at_first_sweep{suffix}", sum(1 for _, _, at in watch if at <= now), "count")
    del cases, watch

    open_count = select(func.count()).select_from(Case).where(Case.state.not_in(["closed", "archived"]))
    written = (CaseAlert, Notification, Escalation, Flag, CaseEvent)

    def baseline():
        with app.app_context(), all_tenants():
            started = time.perf_counter()
            count = db.session.execute(open_count).scalar_one()
            elapsed = time.perf_counter() - started
            db.session.rollback()
        return elapsed, count

    def sweep(at, label, full=False):
        """(wall seconds, the sweeps' counts, CPU seconds of the process that ran the SQL or None)."""
        with app.app_context():
            cpu = backend.cpu_meter(db.session)
            timer = StatementTimer(db.engine) if profile else None
            cpu_started, started = cpu(), time.perf_counter()
            counts = sweep_until_done(at, full=full)  # as the worker's job runs it
            elapsed, cpu_ended = time.perf_counter() - started, cpu()
            if timer:
                timer.report(f"{name} {label}")
                timer.close()
        return elapsed, counts, None if cpu_started is None or cpu_ended is None else cpu_ended - cpu_started

    def rows():
        with app.app_context(), all_tenants():
            result = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                      for model in written}
            result["alerts_by_kind"] = dict(db.session.execute(
                select(CaseAlert.kind, func.count()).group_by(CaseAlert.kind)).all())
            db.session.rollback()
        return result

    def delta(before, after):
        return sum(after[m.__tablename__] - before[m.__tablename__] for m in written)

    # Warm the connection pool and the catalogue caches, as a running worker would have them.
    baseline()
    baselines = [baseline() for _ in range(3)]
    base = statistics.median(b[0] for b in baselines)
    before = rows()

    if explain and name == "postgresql":
        explain_sweep(app, now)
        backend.vacuum()  # the rolled-back sweep leaves dead row versions behind

    minute = timedelta(minutes=1)
    # 1. The catch-up: the first sweep this county ever had, acting on every moment passed so far.
    runs = {"catch_up": [sweep(now, "catch_up")]}
    after_catch_up = rows()
    # 2. A minute (two, three...) later, nothing has come due: before autovacuum has been by.
    runs["second_after_catch_up"] = [sweep(now + n * minute, f"second_after_catch_up{n}")
                                     for n in range(1, repeat + 1)]
    after_second_after = rows()
    # The county as it stands on an ordinary day: its sweeps have run and autovacuum has been by.
    started = time.perf_counter()
    backend.analyze()
    out(f"vacuum{suffix}_s", time.perf_counter() - started, "s")
    # 3. The full sweep, two hours on: every open case looked at, whatever its watch says; it
    #    acts on what came due in the second hour (no moment lies in the first one).
    runs["full"] = [sweep(now + 2 * H, "full", full=True)]
    after_full = rows()
    # 4. The no-change sweep a minute (two, three...) after it.
    runs["second"] = [sweep(now + 2 * H + n * minute, f"second{n}") for n in range(1, repeat + 1)]
    after_second = rows()
    # 5. An ordinary sweep two hours after the full one: what comes due in two ordinary hours.
    runs["next_two_hours"] = [sweep(now + 4 * H, "next_two_hours")]
    after_next = rows()
    baselines_after = [baseline() for _ in range(3)]

    for label, values in runs.items():
        out(f"sweep_{label}{suffix}_s", statistics.median(r[0] for r in values), "s")
        if len(values) > 1:
            out(f"sweep_{label}_max{suffix}_s", max(r[0] for r in values), "s")
    # CPU time of the database server process (or, on SQLite, of this one) during each sweep:
    # what the sweep costs, less sensitive than the wall clock to other load on the machine.
    for label, values in runs.items():
        if all(r[2] is not None for r in values):
            out(f"sweep_{label}_db_cpu{suffix}_s", statistics.median(r[2] for r in values), "s")
    out(f"baseline_count_open_cases{suffix}_s", base, "s")
    out(f"baseline_count_open_cases_after{suffix}_s", statistics.median(b[0] for b in baselines_after), "s")
    out(f"baseline_open_cases{suffix}", baselines[0][1], "count")
    for label, values in runs.items():
        out(f"sweep_{label}_baseline_ratio{suffix}", statistics.median(r[0] for r in values) / base, "x")
    if name == "postgresql":  # the targets are PostgreSQL's
        out("sweep_full_target_ratio", runs["full"][0][0] / TARGET_FULL_S, "x")
        out("sweep_second_target_ratio", statistics.median(r[0] for r in runs["second"]) / TARGET_SECOND_S, "x")
    for phase, (start_rows, end_rows), counts in (
            ("catch_up", (before, after_catch_up), runs["catch_up"][0][1]),
            ("full", (after_second_after, after_full), runs["full"][0][1])):
        for kind in ("yellow", "red", "long_overdue", "unreported", "unhandled"):
            alerts = end_rows["alerts_by_kind"].get(kind, 0) - start_rows["alerts_by_kind"].get(kind, 0)
            out(f"{phase}_alerts_{kind}{suffix}", alerts, "count")
        for model in written:
            table = model.__tablename__
            out(f"{phase}_rows_{table}{suffix}", end_rows[table] - start_rows[table], "count")
        out(f"{phase}_rows_written{suffix}", delta(start_rows, end_rows), "count")
        # What the sweeps themselves returned, for comparison with the rows counted above.
        for key in ("warned", "overdue", "long_overdue", "unreported", "unhandled", "notified", "escalated",
                    "flagged"):
            out(f"{phase}_returned_{key}{suffix}", counts[key], "count")
    out(f"full_returned_repaired{suffix}", runs["full"][0][1]["repaired"], "count")
    out(f"catch_up_batches{suffix}", runs["catch_up"][0][1]["batches"], "count")
    out(f"second_rows_written{suffix}",
        delta(after_catch_up, after_second_after) + delta(after_full, after_second), "count")
    out(f"next_two_hours_rows_written{suffix}", delta(after_second, after_next), "count")
    out(f"loadavg_1m_end{suffix}", os.getloadavg()[0], "load")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=None,
                        help="open cases (default 1,000,000 on PostgreSQL, 100,000 with --sqlite)")
    parser.add_argument("--townships", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="no-change sweeps (the median is reported)")
    parser.add_argument("--sqlite", action="store_true", help="run the SQLite reference instead of PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the database (PostgreSQL) afterwards")
    parser.add_argument("--profile", action="store_true", help="time each statement of the sweeps (stderr)")
    parser.add_argument("--explain", action="store_true",
                        help="first EXPLAIN ANALYZE the catch-up and roll it back (stderr; PostgreSQL only)")
    args = parser.parse_args()
    n_open = args.cases or (100_000 if args.sqlite else 1_000_000)
    backend = SQLite() if args.sqlite else Postgres()
    try:
        measure(backend, args.townships, n_open, args.repeat, args.profile, args.explain)
    finally:
        if args.keep and not args.sqlite:
            print(f"# kept database {DB_NAME}", file=sys.stderr)
        else:
            backend.drop()


if __name__ == "__main__":
    main()
