"""Villages, villager groups and their councils (理事会)."""
from flask import Blueprint

bp = Blueprint("villages", __name__, url_prefix="/t/<slug>/villages")

from webapp.villages import views  # noqa: E402,F401
from webapp.villages.labels import context  # noqa: E402

bp.context_processor(context)
