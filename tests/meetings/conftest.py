import pytest

from tests.cases.builders import Staff
from tests.conftest import township_scope_when_there_is_one


_township_in_scope = pytest.fixture(autouse=True)(township_scope_when_there_is_one)


@pytest.fixture(autouse=True)
def storage_dir(app, tmp_path, monkeypatch):
    """Rendered PDFs go to a directory of the test's own."""
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "files"))
    return tmp_path / "files"


@pytest.fixture
def director(login_as):
    return login_as("township_admin")


@pytest.fixture
def staff(tenant, director):
    return Staff(tenant, director=director.user.memberships[0])
