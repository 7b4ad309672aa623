"""Benchmark of the case board: 200 townships × 5,000 cases, on SQLite and on PostgreSQL.

    .venv/bin/python bench/board.py [--townships 200] [--cases 5000] [--samples 300] [--only sqlite|postgresql]

For each database it loads the data (Core executemany in batches), starts the app under
gunicorn (one sync worker, as in the Procfile but alone, so that latency is what is
measured), signs in a director of each of 20 townships through the real login form, and
times over HTTP, one request at a time:

  board   the board page (GET /t/<slug>/board/?view=all: counts of every column)
  overview  the director's overview, where everyone lands (GET /t/<slug>/: each section of
          work waiting, with its count)
  column  one page of a column as the page loads it (HTMX GET, 20 cards)
  poll    an open board's poll when nothing changed (HTMX GET with If-None-Match: 304)
  drop    a card dropped on "in mediation" (POST …/move: the form opens on the card)
  move    that form submitted (POST …/do/start_mediation: the case moves, one commit)
  floor   a signed-in township page that does nothing (session, township, permission): the
          cost every page of the app pays before the board does anything; not product code
  bare_move  the floor, then the two writes of a move in Core (one versioned UPDATE of the
          case, one INSERT of its timeline line) and a commit, with no form, workflow check,
          ORM or template: the least any move can cost on this stack; not product code
  bare_card_move  the bare move, plus the two things every move must also do: read the case
          as the board reads it (one the member may see, with what its card shows) and answer
          with its card; still no form, workflow check or ORM write. What a move adds to it is
          the cost of the transition's own layers; not product code
  commit  one row inserted and committed straight through the driver: what durability costs

next to a bare Flask hello-world served the same way in the same run. It prints one
``name: value unit`` line per figure: p50 and p95 in milliseconds, and each figure's ratio
to the hello-world's (targets: board p95 under 10×, move p95 under 5×), and the move's p50 and
p95 over the bare move's and over the bare card move's (``move_over_…``: target 1.5×).

PostgreSQL: a throwaway database on the server of ``BENCH_DATABASE_URL`` (default
postgresql://postgres@127.0.0.1:5432/test), created and dropped by this script; the app
connects as the role ``tiaojie_app``, which owns nothing, so row-level security is on as in
production. SQLite: a file in a temporary directory.
"""
import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import ThrowawayPostgres  # noqa: E402

PASSWORD = "Bench-pass-1"
SIGNED_IN_TOWNSHIPS = 20
STATES = {  # share of the cases in each state: most of a township's history is archived
    "registered": 3, "assessed": 6, "mediating": 10, "referred": 4, "returned": 1, "resolved": 3,
    "failed": 2, "follow_up": 5, "escalated": 1, "closed": 15, "archived": 50,
}
RUNNING = {"assessed", "mediating", "referred", "returned", "escalated"}
LIMITS = {"ordinary": 7, "complex": 20, "major": 60}


# -- the two apps gunicorn serves ---------------------------------------------------------------


def app():
    """The app, configured from the environment this script gives gunicorn."""
    from webapp import create_app
    from webapp.config import Config
    from webapp.permissions import require

    application = create_app(Config, SQLALCHEMY_DATABASE_URI=os.environ["BENCH_APP_DB"],
                             DATABASE_OWNER_URL=os.environ.get("BENCH_OWNER_DB") or None,
                             REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
                             RATELIMIT_STORAGE_URI="memory://", LOGIN_RATE_LIMIT="100000 per minute",
                             SECRET_KEY="bench", SESSION_COOKIE_SECURE=False)
    # What every signed-in township page costs before it does anything: the server-side
    # session, the township and membership, the permission check. Not part of the product.
    application.add_url_rule("/t/<slug>/bench-floor", "bench_floor", require("board.view")(lambda: ""))
    application.add_url_rule("/t/<slug>/bench-bare-move/<int:case_id>", "bench_bare_move",
                             require("board.move")(_bare_move), methods=["POST"])
    application.add_url_rule("/t/<slug>/bench-bare-card-move/<int:case_id>", "bench_bare_card_move",
                             require("board.move")(_bare_card_move), methods=["POST"])
    return application


def _bare_move(case_id):
    """The least a move can do: the floor, then one versioned UPDATE of the case and one
    INSERT of its timeline line in Core (no form, no ORM, no template), and a commit. Not
    product code: it shows how much of a move's time no code of the move can avoid."""
    from flask import g

    from webapp.cases.models import Case, CaseEvent
    from webapp.extensions import db
    from webapp.types import utcnow

    cases, events, now = Case.__table__, CaseEvent.__table__, utcnow()
    written = db.session.execute(
        cases.update().where(cases.c.id == case_id, cases.c.tenant_id == g.tenant.id, cases.c.version == 1)
        .values(state="mediating", assignee_id=g.membership.user_id, updated_at=now, version=2))
    assert written.rowcount == 1
    db.session.execute(events.insert().values(
        tenant_id=g.tenant.id, case_id=case_id, at=now, actor_id=g.membership.user_id, kind="transition",
        from_state="assessed", to_state="mediating", note="", data={"transition": "start_mediation"}))
    db.session.commit()
    return ""


def _bare_card_move(case_id):
    """The bare move, plus what any move must do besides its two writes: read the case the way
    the board does (visible to the member, with its card's village, assignee and department)
    and answer with its card, as a move answers an HTMX request. Not product code."""
    from flask import g
    from sqlalchemy.orm.attributes import set_committed_value

    from webapp.board import queries, views
    from webapp.cases.models import Case, CaseEvent, CaseState
    from webapp.extensions import db
    from webapp.types import utcnow

    case = queries.one_case(case_id)
    cases, events, now = Case.__table__, CaseEvent.__table__, utcnow()
    written = db.session.execute(
        cases.update().where(cases.c.id == case.id, cases.c.tenant_id == g.tenant.id, cases.c.version == case.version)
        .values(state="mediating", assignee_id=g.membership.user_id, updated_at=now, version=case.version + 1))
    assert written.rowcount == 1
    db.session.execute(events.insert().values(
        tenant_id=g.tenant.id, case_id=case.id, at=now, actor_id=g.membership.user_id, kind="transition",
        from_state="assessed", to_state="mediating", note="", data={"transition": "start_mediation"}))
    # The card shows the case as written (its assignee is read again, as a move's card does).
    for key, value in (("state", CaseState.MEDIATING), ("updated_at", now), ("version", case.version + 1),
                       ("assignee_id", g.membership.user_id)):
        set_committed_value(case, key, value)
    db.session.expire(case, ["assignee"])
    response = views._render_card(case, message=("success", "Done"))
    db.session.commit()
    return response


def hello():
    """The baseline: a bare Flask hello-world."""
    from flask import Flask

    hello_app = Flask("hello")
    hello_app.get("/")(lambda: "Hello, World!")
    return hello_app


# -- databases ----------------------------------------------------------------------------------


class Postgres(ThrowawayPostgres):
    name = "postgresql"

    def __init__(self):
        super().__init__(f"tiaojie_bench_{os.getpid()}")

    def loader(self):
        from sqlalchemy import create_engine, text

        engine = create_engine(self.owner_url)

        @_on_begin(engine)
        def _everywhere(conn):
            conn.execute(text("SELECT set_config('app.all_tenants', 'on', true)"))

        return engine

    def analyze(self, engine):
        from sqlalchemy import text

        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


class SQLite:
    name = "sqlite"

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="tiaojie-bench-")
        self.url = f"sqlite:///{self.dir.name}/bench.db"

    def urls(self):
        return self.url, None

    def loader(self):
        from sqlalchemy import create_engine

        return create_engine(self.url)

    def analyze(self, engine):
        from sqlalchemy import text

        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))

    def drop(self):
        self.dir.cleanup()


def _on_begin(engine):
    from sqlalchemy import event

    def register(function):
        event.listen(engine, "begin", function)
        return function

    return register


def migrate(app_url, owner_url):
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.config import Config

    application = create_app(Config, SQLALCHEMY_DATABASE_URI=app_url, DATABASE_OWNER_URL=owner_url,
                             RATELIMIT_STORAGE_URI="memory://")
    with application.app_context():
        upgrade()
        from webapp.extensions import db

        db.engine.dispose()


# -- data -----------------------------------------------------------------------------------------


def load(engine, townships, per_township, seed=2026):
    """Counties, townships with villages, departments, a director and a mediator each, and the
    cases, by Core executemany in batches. Returns what the measurements need."""
    from sqlalchemy import insert, select

    from tenants.models import County, Membership, Tenant
    from webapp.auth.models import User
    from webapp import timelimits
    from webapp.auth.passwords import hash_password
    from webapp.cases.models import Case, CaseSettings
    from webapp.referrals.models import Department
    from webapp.villages.models import Village

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    password_hash = hash_password(PASSWORD)
    with engine.begin() as conn:
        county = conn.execute(insert(County).values(name="基准县").returning(County.id)).scalar_one()
        conn.execute(insert(Tenant), [{"county_id": county, "slug": f"t{n:03d}", "name": f"基准{n:03d}镇",
                                       "created_at": now} for n in range(townships)])
        tenants = conn.execute(select(Tenant.id, Tenant.slug).order_by(Tenant.id)).all()
        conn.execute(insert(CaseSettings), [{"tenant_id": t} for t, _ in tenants])
        conn.execute(insert(Village), [{"tenant_id": t, "name": f"第{v + 1}村", "kind": "village"}
                                       for t, _ in tenants for v in range(10)])
        conn.execute(insert(Department), [{"tenant_id": t, "name": f"派出所{t}", "kind": "police_station"}
                                          for t, _ in tenants])
        conn.execute(insert(User), [{"username": f"{slug}.{who}", "display_name": f"{slug}{who}",
                                     "password_hash": password_hash, "created_at": now}
                                    for _, slug in tenants for who in ("admin", "mediator")])
        users = {name: uid for uid, name in conn.execute(select(User.id, User.username))}
        conn.execute(insert(Membership), [
            {"user_id": users[f"{slug}.{who}"], "county_id": county, "tenant_id": t, "role": role}
            for t, slug in tenants for who, role in (("admin", "township_admin"), ("mediator", "mediator"))])
        villages = {}
        for vid, t in conn.execute(select(Village.id, Village.tenant_id)):
            villages.setdefault(t, []).append(vid)
        departments = dict(conn.execute(select(Department.tenant_id, Department.id)).all())

    states, weights = list(STATES), list(STATES.values())
    table = Case.__table__
    batch = []
    with engine.begin() as conn:
        for t, slug in tenants:
            staff = [users[f"{slug}.admin"], users[f"{slug}.mediator"]]
            for seq in range(1, per_township + 1):
                state = rng.choices(states, weights)[0]
                days_ago = rng.uniform(0, 40) if state in RUNNING | {"registered"} else rng.uniform(20, 700)
                accepted = now - timedelta(days=days_ago)
                difficulty = None if state == "registered" else rng.choices(list(LIMITS), (70, 25, 5))[0]
                risk = None if difficulty is None else rng.choices(
                    ["resolvable", "controllable", "may_escalate"], (70, 22, 8))[0]
                # The moments the clock computes at assessment, with the method's default settings.
                moments = timelimits.deadlines(accepted, LIMITS[difficulty], (), None, timelimits.CALENDAR_DAYS) \
                    if difficulty else None
                assessed = accepted + timedelta(hours=2) if difficulty else None
                row = {
                    "tenant_id": t, "year": 2026, "seq": seq, "number": f"基准{t:03d}〔2026〕第{seq:04d}号",
                    "title": f"{rng.choice(['宅基地', '土地', '赡养', '邻里', '劳资', '合同'])}纠纷{seq}",
                    "narrative": "", "source": rng.choice(["visit", "call", "investigation"]),
                    "village_id": rng.choice(villages[t]), "level": rng.choice(["group", "village", "township"]),
                    "state": state, "difficulty": difficulty, "risk": risk,
                    "limit_days": LIMITS.get(difficulty), "accepted_at": accepted, "clock_started_at": accepted,
                    "assessed_at": assessed, "due_at": moments and moments.due_at, "warn_at": moments and moments.warn_at,
                    "escalate_at": moments and moments.escalate_at, "clock_cycle": 1 if moments else 0,
                    "report_by": assessed + timelimits.REPORT_WITHIN if risk == "may_escalate" else None,
                    "assignee_id": rng.choice(staff) if state not in ("registered", "assessed", "referred") else None,
                    "department_id": departments[t] if state == "referred" else None,
                    "created_by_id": staff[0], "created_at": accepted, "updated_at": accepted, "version": 1,
                }
                batch.append(row)
                if len(batch) >= 20_000:
                    conn.execute(table.insert(), batch)
                    batch = []
        if batch:
            conn.execute(table.insert(), batch)
    signed_in = rng.sample(tenants, min(SIGNED_IN_TOWNSHIPS, len(tenants)))
    with engine.connect() as conn:
        movable = {slug: conn.execute(select(table.c.id).where(table.c.tenant_id == t, table.c.state == "assessed")
                                      .order_by(table.c.id)).scalars().all()
                   for t, slug in signed_in}
    return {"townships": [(slug, users[f"{slug}.admin"]) for _, slug in signed_in], "movable": movable}


# -- serving and measuring ----------------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn sync worker serving ``bench/board.py:<factory>()``."""

    def __init__(self, factory, env=None):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
             "--worker-class", "sync", "--log-level", "warning", "--pythonpath", f"{ROOT},{ROOT / 'bench'}",
             f"board:{factory}()"],
            cwd=ROOT, env={**os.environ, **(env or {})})
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start for {factory}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


class Browser:
    """Just enough of a browser: one connection per request (gunicorn's sync worker closes it
    anyway), the session cookie, and the CSRF token of the page."""

    def __init__(self, port):
        self.port, self.cookies, self.csrf = port, SimpleCookie(), None

    def request(self, method, path, data=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - start
        conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(cookie)
        return response, payload.decode("utf-8", "replace"), elapsed

    def sign_in(self, username):
        _, page, _ = self.request("GET", "/login")
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        response, _, _ = self.request("POST", "/login", {"username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status == 302, response.status
        _, page, _ = self.request("GET", "/settings")
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def commit_latency(backend, samples):
    """One row inserted and committed, straight through the driver: the durability cost that
    every move pays whatever the app does (an fsync of the write-ahead log)."""
    from sqlalchemy import text

    engine = backend.loader()
    key = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE bench_commits (id {key} PRIMARY KEY, note VARCHAR(20))"))

    def once():
        start = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_commits (note) VALUES ('x')"))
        return time.perf_counter() - start

    values = timed(once, samples, max(10, samples // 10))
    engine.dispose()
    return values


def percentiles(samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(function, samples, warmup):
    for _ in range(warmup):
        function()
    return [function() for _ in range(samples)]


def measure(backend, townships, per_township, samples, out):
    name = backend.name
    started = time.perf_counter()
    app_url, owner_url = backend.urls()
    migrate(app_url, owner_url)
    engine = backend.loader()
    data = load(engine, townships, per_township)
    backend.analyze(engine)
    engine.dispose()
    out(f"load_{name}", time.perf_counter() - started, "s")
    out(f"cases_{name}", townships * per_township, "cases")

    hello_server = Server("hello")
    app_server = Server("app", {"BENCH_APP_DB": app_url, "BENCH_OWNER_DB": owner_url or ""})
    try:
        baseline = Browser(hello_server.port)

        def hello_once():
            response, _, elapsed = baseline.request("GET", "/")
            assert response.status == 200
            return elapsed

        people = []
        for slug, user_id in data["townships"]:
            browser = Browser(app_server.port)
            browser.sign_in(f"{slug}.admin")
            people.append((slug, user_id, browser))
        turn = iter(range(10**9))
        # Cards move on the boards of the first half; the other half are only watched, so that
        # their polls measure the common case of an open board where nothing changed.
        movers, watchers = people[: len(people) // 2], people[len(people) // 2:]

        def someone(among=people):
            return among[next(turn) % len(among)]

        def hx(browser):
            return {"HX-Request": "true", "X-CSRFToken": browser.csrf}

        def board_once():
            slug, _, browser = someone()
            response, _, elapsed = browser.request("GET", f"/t/{slug}/board/?view=all")
            assert response.status == 200, response.status
            return elapsed

        def overview_once():
            slug, _, browser = someone()
            response, _, elapsed = browser.request("GET", f"/t/{slug}/")
            assert response.status == 200, response.status
            return elapsed

        def column_once():
            slug, _, browser = someone()
            response, page, elapsed = browser.request("GET", f"/t/{slug}/board/column?state=mediating&view=all",
                                                      headers=hx(browser))
            assert response.status == 200 and page.count('class="board-card') == 20, response.status
            return elapsed

        etags = {}
        for slug, _, browser in people:
            response, _, _ = browser.request("GET", f"/t/{slug}/board/changes?view=all", headers=hx(browser))
            etags[slug] = response.headers["ETag"]

        statuses = []

        def poll_once():
            slug, _, browser = someone(watchers)
            response, _, elapsed = browser.request("GET", f"/t/{slug}/board/changes?view=all",
                                                   headers={**hx(browser), "If-None-Match": etags[slug]})
            assert response.status in (200, 304), response.status
            # 200 when a card of the township changed: another move of this run, or a light
            # that turned with time. The page then asks with the new ETag, and so does this.
            etags[slug] = response.headers["ETag"]
            statuses.append(response.status)
            return elapsed

        def drop_once():
            slug, _, browser = someone(movers)
            case_id = data["movable"][slug][0]
            response, page, elapsed = browser.request(
                "POST", f"/t/{slug}/board/cards/{case_id}/move", {"to": "mediating", "version": 1, "view": "all"},
                headers=hx(browser))
            assert response.status == 200 and "card-form" in page, response.status
            return elapsed

        def move_once():
            slug, user_id, browser = someone(movers)
            case_id = data["movable"][slug].pop()
            response, _, elapsed = browser.request(
                "POST", f"/t/{slug}/board/cards/{case_id}/do/start_mediation",
                {"version": 1, f"card{case_id}-assignee": user_id, f"card{case_id}-note": "", "view": "all"},
                headers=hx(browser))
            assert response.status == 200, response.status
            return elapsed

        def bare_move_once():
            slug, _, browser = someone(movers)
            case_id = data["movable"][slug].pop()
            response, _, elapsed = browser.request("POST", f"/t/{slug}/bench-bare-move/{case_id}", {}, headers=hx(browser))
            assert response.status == 200, response.status
            return elapsed

        def bare_card_move_once():
            slug, _, browser = someone(movers)
            case_id = data["movable"][slug].pop()
            response, page, elapsed = browser.request("POST", f"/t/{slug}/bench-bare-card-move/{case_id}", {},
                                                      headers=hx(browser))
            assert response.status == 200 and f'id="card-{case_id}"' in page, response.status
            return elapsed

        def floor_once():
            slug, _, browser = someone()
            response, _, elapsed = browser.request("GET", f"/t/{slug}/bench-floor")
            assert response.status == 200, response.status
            return elapsed

        # Interleaved rounds, one request of each kind per round, so that whatever else the
        # machine is doing weighs on the baseline as much as on the board.
        kinds = (("hello", hello_once), ("floor", floor_once), ("board", board_once), ("overview", overview_once),
                 ("column", column_once),
                 ("poll", poll_once), ("drop", drop_once), ("move", move_once),
                 ("bare_move", bare_move_once), ("bare_card_move", bare_card_move_once))
        figures = {label: [] for label, _ in kinds}
        for round_ in range(samples + max(10, samples // 10)):
            for label, function in kinds:
                elapsed = function()
                if round_ >= max(10, samples // 10):  # the first rounds warm up
                    figures[label].append(elapsed)
    finally:
        app_server.stop()
        hello_server.stop()

    out(f"poll_{name}_not_modified", 100 * statuses.count(304) / len(statuses), "%")
    commits = commit_latency(backend, samples)
    base50, base95 = percentiles(figures.pop("hello"))
    out(f"hello_{name}_p50", base50, "ms")
    out(f"hello_{name}_p95", base95, "ms")
    p50, p95 = percentiles(commits)
    out(f"commit_{name}_p50", p50, "ms")
    out(f"commit_{name}_p95", p95, "ms")
    for label, values in figures.items():
        p50, p95 = percentiles(values)
        out(f"{label}_{name}_p50", p50, "ms")
        out(f"{label}_{name}_p95", p95, "ms")
        out(f"{label}_{name}_p50_ratio", p50 / base50, "x")
        out(f"{label}_{name}_p95_ratio", p95 / base95, "x")
    moves = {label: percentiles(figures[label]) for label in ("move", "bare_move", "bare_card_move")}
    for floor in ("bare_move", "bare_card_move"):
        out(f"move_over_{floor}_{name}_p50", moves["move"][0] / moves[floor][0], "x")
        out(f"move_over_{floor}_{name}_p95", moves["move"][1] / moves[floor][1], "x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--townships", type=int, default=200)
    parser.add_argument("--cases", type=int, default=5000, help="cases per township")
    parser.add_argument("--samples", type=int, default=300, help="timed requests per figure")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    # Moves, bare moves and bare card moves each take an assessed case of the movers' townships
    # (half of them).
    assert 3 * (args.samples + max(10, args.samples // 10)) <= args.cases * STATES["assessed"] // 100 * SIGNED_IN_TOWNSHIPS // 2, \
        "not enough assessed cases to move"

    def out(name, value, unit):
        print(f"{name}: {value:.2f} {unit}" if isinstance(value, float) else f"{name}: {value} {unit}", flush=True)

    for backend_class in (SQLite, Postgres):
        if args.only and backend_class.name != args.only:
            continue
        backend = backend_class()
        try:
            measure(backend, args.townships, args.cases, args.samples, out)
        finally:
            backend.drop()


if __name__ == "__main__":
    main()
