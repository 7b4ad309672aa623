import pytest


@pytest.fixture(autouse=True)
def _township_in_scope(request):
    """Tests here read and write the township's rows inside its scope (tests/conftest.py)."""
    if "tenant" in request.fixturenames:
        request.getfixturevalue("township_scope")
    yield
