"""Reviewing the audit log: a township's (its director) and the county's (county roles), with
filters, pages and CSV; the monthly archive of entries past the retention; ``flask audit``."""
from flask import Blueprint

bp = Blueprint("auditlog", __name__, url_prefix="/t/<slug>/audit")
county_bp = Blueprint("county_audit", __name__, url_prefix="/county/audit")

from webapp.auditlog import views  # noqa: E402,F401
