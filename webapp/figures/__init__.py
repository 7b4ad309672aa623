"""Figures of the 12345 method, defined once (``definitions``), computed in SQL (``queries``)
over any period (``periods``), drawn as SVG (``charts``) and exported (``exports``)."""
from flask import Blueprint

from webapp.figures.definitions import FIGURES, Figure  # noqa: F401
from webapp.figures.periods import BadPeriod, Period  # noqa: F401
from webapp.figures.queries import (  # noqa: F401
    archive_rate, by_department, by_village, county_figures, township_figures,
)

bp = Blueprint("figures", __name__, url_prefix="/t/<slug>/figures")

from webapp.figures import views  # noqa: E402,F401
