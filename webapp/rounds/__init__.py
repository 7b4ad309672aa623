"""Investigation rounds (排查): monthly or special rounds in which every village's stability
officer reports what was found, each finding a registered dispute, or a nil report."""
from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/t/<slug>/rounds")

from webapp.rounds import views  # noqa: E402,F401
from webapp.rounds import labels  # noqa: E402,F401  (registers the round kinds)
