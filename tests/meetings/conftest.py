import pytest

from tests.cases.builders import Staff


@pytest.fixture(autouse=True)
def _township_in_scope(request):
    """Tests here read and write the township's rows inside its scope (tests/conftest.py)."""
    if "tenant" in request.fixturenames:
        request.getfixturevalue("township_scope")
    yield


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
