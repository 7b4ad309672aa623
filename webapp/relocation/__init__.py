"""Relocation projects (易地扶贫搬迁点): the site, its council, the five key phases, its disputes.
The models live with the councils in ``webapp.villages.models``."""
from flask import Blueprint

bp = Blueprint("relocation", __name__, url_prefix="/t/<slug>/relocation")

from webapp.relocation import views  # noqa: E402,F401
from webapp.villages.labels import context  # noqa: E402

bp.context_processor(context)
