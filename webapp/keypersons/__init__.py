"""Key persons (重点人员): under control measures, each with a responsible person."""
from flask import Blueprint

bp = Blueprint("keypersons", __name__, url_prefix="/t/<slug>/key-persons")

from webapp.keypersons import labels, views  # noqa: E402,F401  (labels: registers the key-person kinds' names)
