from flask import Blueprint

bp = Blueprint("villages", __name__, url_prefix="/t/<slug>/villages")

from webapp.villages import views  # noqa: E402,F401
