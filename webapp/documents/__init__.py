"""Documents (文书): the case file (卷宗) rendered when a case closes, single documents printed
on demand (the agreement, the intake form), and the county's ZIP of archived case files.

``models.py`` the Document (versions, checksums, status); ``render.py`` HTML → PDF/A with a
CJK font; ``builders.py`` the registry of document kinds; ``operations.py`` requesting,
rendering and zipping; ``views.py`` the pages and downloads. Rendering runs in the worker
(``worker.jobs.render_document``), never inside a web request.
"""
from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/t/<slug>/cases")
county_bp = Blueprint("documents_county", __name__, url_prefix="/county/case-files")

from webapp.documents import views  # noqa: E402,F401
