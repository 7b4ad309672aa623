"""Cases: every dispute from intake to archive."""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/t/<slug>/cases")

from webapp.cases import views  # noqa: E402,F401
