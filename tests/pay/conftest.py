import pytest

from tests import factories
from tests.conftest import township_scope_when_there_is_one


_township_in_scope = pytest.fixture(autouse=True)(township_scope_when_there_is_one)


@pytest.fixture
def director(tenant):
    return factories.member("township_admin", tenant)


@pytest.fixture
def liaison(tenant):
    return factories.member("liaison", tenant)
