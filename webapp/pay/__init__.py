"""Rosters and per-case pay (以案定补): who mediates and keeps watch in the township, what a
case pays, and each person's monthly statement computed from the case records."""
from flask import Blueprint

bp = Blueprint("pay", __name__, url_prefix="/t/<slug>/pay")

from webapp.pay import views  # noqa: E402,F401
