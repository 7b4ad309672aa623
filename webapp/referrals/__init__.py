"""Departments and the referral round trip (分流 / 回流): the liaison's inbox."""
from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/t/<slug>/referrals")

from webapp.referrals import labels, views  # noqa: E402,F401  (labels: registers the department kinds' names)
