"""Benchmark of the case file (卷宗): a typical file (about 8 pages) and a large one (about 60
pages: hundreds of timeline events and many photos), rendered as the worker renders them.

    .venv/bin/python bench/archive.py [--runs 3]

Builds each case through the real operations in a throwaway SQLite database (the embedded
default), then renders its case file ``--runs`` times (each run a new version, the whole path
the worker takes: loading the case, the template, WeasyPrint's layout and PDF/A output with
the CJK font subset and embedded, the attached PDF appended, storing with its SHA-256).

It prints one ``name: value unit`` line per figure: the median wall time of the runs in
seconds, the pages and size of the file, and memory: the process's peak resident set size
during the runs (psutil, sampled every 10 ms), and that peak above the resident size just
before the runs. Nothing is committed, so no job is enqueued and no Redis is needed.
"""
import argparse
import io
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

SIZES = {
    # name: (sessions, timeline events beyond the workflow's own, photos, PDF scans)
    "typical": (2, 8, 1, 1),
    "large": (20, 250, 24, 1),
}


class PeakRSS:
    """The largest resident set size seen while the block runs, sampled every 10 ms."""

    def __init__(self):
        self.process, self.peak, self._stop = psutil.Process(), 0, threading.Event()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(0.01)

    def __enter__(self):
        self.before = self.process.memory_info().rss
        self.peak = self.before
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def photo(rng: random.Random) -> bytes:
    """A phone-camera-sized JPEG (1600×1200) with enough texture to weigh what photos weigh."""
    from PIL import Image

    noise = Image.effect_noise((1600, 1200), rng.randint(20, 60))
    tint = Image.new("RGB", (1600, 1200), (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200)))
    image = Image.blend(Image.merge("RGB", (noise, noise, noise)), tint, 0.5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def scan(pages: int = 2) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_case(tenant, staff, name: str, rng: random.Random):
    from webapp.cases import operations as ops
    from webapp.cases.models import Difficulty, PartyRole, Risk, Source
    from webapp.storage import get_storage
    from webapp import timelimits

    sessions, events, photos, scans = SIZES[name]
    director, mediator = staff
    case = ops.register_case(tenant, director, title="张三与李四宅基地边界纠纷", source=Source.VISIT, narrative=(
        "张三与李四系同组邻居，两家宅基地相邻。李四翻建住房时将围墙向张三一侧外移约半米，张三认为侵占其宅基地，"
        "双方多次发生争吵，张三到镇调处中心请求调解。") * 2, parties=[
        {"name": "张三", "role": PartyRole.APPLICANT, "phone": "13812345678", "id_number": "53052219900101123X",
         "address": "芒棒镇赵营村三组12号"},
        {"name": "李四", "role": PartyRole.RESPONDENT, "phone": "13987654321", "id_number": "530522198505052345",
         "address": "芒棒镇赵营村三组15号"}])
    ops.assess_case(case, director, difficulty=Difficulty.COMPLEX, risk=Risk.CONTROLLABLE,
                    note="经集中梳理、分析研判，定为复杂纠纷，风险等级可稳控，限20日内办结。")
    ops.start_mediation(case, director, assignee_id=mediator.user_id, note="指派调解员会同村调委会调处。")
    today = timelimits.today()
    for i in range(sessions):
        ops.record_session(case, mediator, held_on=today - timedelta(days=sessions - i), place="赵营村委会调解室",
                           participants="张三、李四（当事人）；调解员；村调委会主任；三组组长",
                           notes="分别听取双方陈述并查看现场，讲清相关法律政策和村规民约，双方分歧主要在围墙位置。" * 2)
    for i in range(events):
        ops.record_event(case, mediator, "edited", note=f"第{i + 1}次电话联系当事人，了解协议准备情况并做思想工作。",
                         data={"changes": {"narrative": ["…", "…"]}})
    storage = get_storage()
    for i in range(photos):
        ops.add_attachment(case, mediator, filename=f"现场照片{i + 1}.jpg", content_type="image/jpeg",
                           data=photo(rng), storage=storage)
    for i in range(scans):
        ops.add_attachment(case, mediator, filename=f"收条扫描件{i + 1}.pdf", content_type="application/pdf",
                           data=scan(pages=1), storage=storage)
    ops.resolve_case(case, mediator, text="李四将围墙退回原址，并赔偿张三损失人民币三千元。\n双方今后和睦相处，不再就此事发生争执。",
                     amount=3000, perform_by=today + timedelta(days=15), signed_on=today)
    for visit in list(case.follow_ups):
        ops.record_follow_up(case, mediator, visit, carried_out=True, may_flare_up=False,
                             notes="入户回访张三、李四，协议已按期履行，双方关系缓和，未发现反弹迹象。")
    ops.close_case(case, director, note="回访完毕，协议履行到位，予以结案。")
    return case


def measure(case, runs: int) -> dict:
    from sqlalchemy import func, select

    from webapp.documents import operations
    from webapp.documents.models import Document, DocumentStatus, Kind
    from webapp.extensions import db

    times, document = [], None
    with PeakRSS() as memory:
        for _ in range(runs):
            version = db.session.scalar(select(func.max(Document.version)).where(
                Document.kind == Kind.CASE_FILE, Document.subject_id == case.id)) or 0
            document = Document(tenant_id=case.tenant_id, kind=Kind.CASE_FILE, case_id=case.id, subject_id=case.id,
                                version=version + 1, status=DocumentStatus.PENDING)
            db.session.add(document)
            db.session.flush()
            started = time.perf_counter()
            operations.render(document)
            times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times), "pages": document.pages, "size": document.size,
            "peak": memory.peak, "above": memory.peak - memory.before}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from tenants.models import County, Membership, Role, Tenant
    from tenants.scope import tenant_scope
    from webapp import create_app
    from webapp.auth.models import User
    from webapp.cases.operations import prepare_township
    from webapp.config import Config
    from webapp.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'bench.db'}",
                     STORAGE_DIR=str(workdir / "files"), REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        upgrade()
        county = County(name="腾冲市")
        tenant = Tenant(county=county, slug="mangbang", name="芒棒镇")
        db.session.add(tenant)
        db.session.flush()
        prepare_township(tenant)
        staff = []
        for username, role, display in (("bench.admin", Role.TOWNSHIP_ADMIN, "王主任"), ("bench.mediator", Role.MEDIATOR, "李调解员")):
            user = User(username=username, display_name=display, password_hash="x")
            membership = Membership(user=user, role=role, county_id=county.id, tenant_id=tenant.id)
            db.session.add_all([user, membership])
            db.session.flush()
            staff.append(membership)
        rng = random.Random(12345)
        with tenant_scope(tenant.id):
            # one render first: fonts found, WeasyPrint and fontconfig warmed up, as in a running worker
            measure(build_case(tenant, staff, "typical", rng), 1)
            for name in SIZES:
                case = build_case(tenant, staff, name, rng)
                figures = measure(case, args.runs)
                lines = [
                    (f"{name}_render", f"{figures['seconds']:.2f}", "s"),
                    (f"{name}_pages", figures["pages"], "pages"),
                    (f"{name}_size", f"{figures['size'] / 1e6:.2f}", "MB"),
                    (f"{name}_peak_rss", f"{figures['peak'] / 1e6:.0f}", "MB"),
                    (f"{name}_peak_rss_above_start", f"{figures['above'] / 1e6:.0f}", "MB"),
                ]
                for label, value, unit in lines:
                    print(f"{label}: {value} {unit}", flush=True)
        db.session.rollback()


if __name__ == "__main__":
    main()
