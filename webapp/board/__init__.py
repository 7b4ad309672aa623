"""The case board (看板): one column per workflow stage; a card moves by drag and drop or by
its "move to…" menu, and every move is a workflow transition made by the case operations."""
from flask import Blueprint

bp = Blueprint("board", __name__, url_prefix="/t/<slug>/board")

from webapp.board import views  # noqa: E402,F401
