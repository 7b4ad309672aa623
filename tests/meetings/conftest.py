import pytest

from tests.cases.builders import Staff
from tests.conftest import township_scope_when_there_is_one


_township_in_scope = pytest.fixture(autouse=True)(township_scope_when_there_is_one)


@pytest.fixture(autouse=True)
def _own_storage(storage_dir):
    """Every test here may render a PDF: to a directory of its own (tests/conftest.py)."""


@pytest.fixture
def director(login_as):
    return login_as("township_admin")


@pytest.fixture
def staff(tenant, director):
    return Staff(tenant, director=director.user.memberships[0])
