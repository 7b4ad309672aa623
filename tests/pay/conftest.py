import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _township_in_scope(request):
    """Tests here read and write the township's rows inside its scope (tests/conftest.py)."""
    if "tenant" in request.fixturenames:
        request.getfixturevalue("township_scope")
    yield


@pytest.fixture
def director(tenant):
    return factories.member("township_admin", tenant)


@pytest.fixture
def liaison(tenant):
    return factories.member("liaison", tenant)
