"""What every answer tells the browser about itself, set in this one place.

- ``Content-Security-Policy``: scripts, styles, images and requests from this site only; no
  inline script, no inline event handler, no inline style, no ``eval`` (htmx is configured
  for it in ``base.html``: ``allowEval`` off, its indicator styles in ``app.css``); no
  plugin, no ``<base>``, forms post only here, and no other site may frame a page
  (``frame-ancestors``, with ``X-Frame-Options`` for older browsers).
- ``X-Content-Type-Options: nosniff``: a file is what its ``Content-Type`` says.
- ``Referrer-Policy: same-origin``: an address with a case number in it never leaves the site.
- ``Strict-Transport-Security`` when the session cookie is secure (the site is on HTTPS).
- ``Cache-Control: no-store`` on every answer but static files: pages and files carry
  personal data, and a shared phone or a proxy must not keep them after sign-out. Static
  files keep their year-long cache (``webapp/static_files.py``).

A view that needs another policy sets its own header first (an uploaded file's stricter
one, ``webapp/cases/views.py``): this module keeps the headers a view set, all but
``Cache-Control``, which is ``no-store`` whatever a view said (the board's poll sends its own
``If-None-Match``, and needs no cache for its 304s).
"""
from flask import Flask, request

POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# For files people uploaded: nothing runs, nothing loads, even when opened on their own.
UPLOAD_POLICY = "default-src 'none'; sandbox"
HSTS = "max-age=31536000"


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
            headers.remove("Expires")
        return response
