"""Second factors administered: the county's setting of which roles must use one, and the reset
of a member's (by their township's director, or by the county admin), audited. The factor
itself, enrolling and checking it, is sign-in's (``webapp.auth.two_factor``)."""
from flask import Blueprint

bp = Blueprint("second_factor", __name__, url_prefix="/t/<slug>/staff")
county_bp = Blueprint("county_second_factor", __name__, url_prefix="/county")

from webapp.second_factor import views  # noqa: E402,F401
