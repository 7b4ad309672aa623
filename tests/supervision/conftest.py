import pytest

from tests.conftest import township_scope_when_there_is_one

_township_in_scope = pytest.fixture(autouse=True)(township_scope_when_there_is_one)
