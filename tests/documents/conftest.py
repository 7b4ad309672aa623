import io

import pytest
from rq import Queue

from tests.cases.builders import Staff
from worker.queue import redis_connection
from tests.conftest import township_scope_when_there_is_one


_township_in_scope = pytest.fixture(autouse=True)(township_scope_when_there_is_one)


@pytest.fixture(autouse=True)
def _own_storage(storage_dir):
    """Every test here writes files: to a directory of its own (tests/conftest.py)."""


@pytest.fixture
def queue(app, db):
    connection = redis_connection()
    connection.flushdb()
    # Renderings wait on their own queue, behind the time limits' jobs (webapp.config.RQ_QUEUES).
    yield Queue("slow", connection=connection)
    connection.flushdb()


@pytest.fixture
def director(login_as):
    return login_as("township_admin")


@pytest.fixture
def staff(tenant, director):
    return Staff(tenant, director=director.user.memberships[0])


def png_bytes(color=(200, 60, 60), size=(320, 240)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def pdf_bytes(pages=1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_party(case, actor, **fields):
    from webapp.cases import operations

    return operations.add_party(case, actor, **fields)
