"""Joint meetings (联席会议制度): the township's mid-year and year-end meetings of the member
units and the villages, their pack of figures and disputes, attendance, decisions and the
actions those decisions take on cases, and the minutes."""
from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/t/<slug>/meetings")

from webapp.meetings import views  # noqa: E402,F401
from webapp.meetings import documents  # noqa: E402,F401  (registers the two document kinds)
