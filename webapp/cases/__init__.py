"""Cases: every dispute from intake to archive."""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/t/<slug>/cases")

from webapp.cases import labels, views  # noqa: E402,F401  (labels: registers the case codes' names)
