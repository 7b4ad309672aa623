from flask import Blueprint

bp = Blueprint("county", __name__, url_prefix="/county")

from webapp.county import admin_views, views  # noqa: E402,F401
