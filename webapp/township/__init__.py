"""A township's own configuration: time limits, categories of disputes, departments."""
from flask import Blueprint

bp = Blueprint("township", __name__, url_prefix="/t/<slug>/settings")

from webapp.township import views  # noqa: E402,F401
