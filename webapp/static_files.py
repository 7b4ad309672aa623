"""Static files at addresses that name their content, kept by browsers for a year.

``url_for("static", filename=...)`` adds ``v``: the first twelve hex digits of the file's
SHA-256. A request whose ``v`` is the file's current one is answered with
``Cache-Control: public, max-age=31536000, immutable``, so a page opened on a slow network
does not ask again for the scripts and styles it already holds (each ask is a round trip
before the page can show). A changed file gets a new address. Digests are kept per file,
modification time and size, so a file edited while the server runs is seen at once.
``STATIC_VERSIONS = False`` leaves Flask's plain addresses, asked again on every page.
"""
import hashlib
import os

from flask import Flask, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    if not app.config.get("STATIC_VERSIONS", True):
        return
    digests: dict[tuple, str] = {}

    def version(filename: str | None) -> str | None:
        path = safe_join(app.static_folder, filename) if filename else None
        if path is None:
            return None
        try:
            found = os.stat(path)
        except OSError:
            return None
        key = (path, found.st_mtime_ns, found.st_size)
        if key not in digests:
            with open(path, "rb") as file:
                digests[key] = hashlib.sha256(file.read()).hexdigest()[:12]
        return digests[key]

    @app.url_defaults
    def _add_version(endpoint, values):
        if endpoint == "static" and "v" not in values:
            found = version(values.get("filename"))
            if found:
                values["v"] = found

    @app.after_request
    def _keep_for_a_year(response):
        if (request.endpoint == "static" and response.status_code in (200, 304) and request.args.get("v")
                and request.args["v"] == version(request.view_args.get("filename"))):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
