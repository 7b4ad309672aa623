"""The county reviewer reads every township of the county and writes nothing (DOMAIN.md:
"read-only across tenants"). Every route that takes a POST, PUT, PATCH or DELETE is tried as
the reviewer, in a township of their county with real ids: each is refused and no table
gains or loses a row. New routes are covered as they are added.
"""
import pytest

from tests.security.rows import changed, row_counts
from tests.tenancy.test_cross_tenant_walk import _fill, _ids
from webapp.permissions import READERS_ANSWER

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The reviewer's own account, not the township's records: signing in and out, their password
# and language, their second factor.
OWN_ACCOUNT = {"/login", "/logout", "/settings", "/account/password", "/account/sessions/<key>/end",
               "/account/sessions/end-others", "/login/code", "/account/two-factor",
               "/account/two-factor/recovery-codes", "/account/two-factor/off"}
# Reading by POST: the county's ZIP of archived case files (a copy, built by a job) is what
# the reviewer is there to take (``webapp.permissions.READS_BY_POST``).
READS = {"/county/case-files/"}


def _write_rules(app):
    return [r for r in app.url_map.iter_rules()
            if r.methods & WRITE_METHODS and r.rule not in OWN_ACCOUNT | READS]


@pytest.mark.parametrize("role", ["county_reviewer", "party"])
def test_a_reader_writes_nothing_anywhere(app, db, login_as, tenant, storage_dir, role):
    """The county reviewer, and the township's party committee and government, which reads its
    own township the same way but for acknowledging and instructing (``READERS_ANSWER``)."""
    ids = _ids(tenant)
    reviewer = login_as(role)
    assert reviewer.get(f"/t/{tenant.slug}/").status_code == 200
    refused = []
    for rule in _write_rules(app):
        if role == "party" and getattr(app.view_functions[rule.endpoint], "required_action", None) in READERS_ANSWER:
            continue
        for method in sorted(rule.methods & WRITE_METHODS):
            path = _fill(rule, tenant.slug, ids)
            before = row_counts()
            response = reviewer.open(path, method=method, data={"csrf_token": reviewer.csrf},
                                     headers={"X-CSRFToken": reviewer.csrf})
            written = changed(before, row_counts())
            if response.status_code != 403 or written:
                refused.append((method, path, response.status_code, written))
    assert refused == []

