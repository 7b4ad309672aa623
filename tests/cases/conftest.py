import pytest

from tenants import scope
from tenants.scope import tenant_scope


@pytest.fixture(autouse=True)
def _township_in_scope(request):
    """Test code reads and writes the township's rows as its pages do: inside its scope.
    Requests open their own scope; this one does not leak into them."""
    if "tenant" not in request.fixturenames:
        yield
        return
    tenant = request.getfixturevalue("tenant")
    app = request.getfixturevalue("app")
    monkeypatch = request.getfixturevalue("monkeypatch")

    class ScopedClient(app.test_client_class):
        def open(self, *args, **kwargs):
            response = super().open(*args, **kwargs)
            # On PostgreSQL the request wrote its own scope into the transaction the test
            # shares with it (for row-level security); write the test's scope back.
            scope._sync_database()
            return response

    monkeypatch.setattr(app, "test_client_class", ScopedClient)
    with tenant_scope(tenant.id):
        yield
