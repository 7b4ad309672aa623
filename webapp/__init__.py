"""调解台: dispute mediation for township centers.

``create_app()`` reads as the table of contents: configuration and its keys, extensions, tenancy,
blueprints, command line, error pages.
"""
from flask import Flask

from webapp import keys
from webapp.config import INSTANCE, ROOT, Config


def create_app(config: type[Config] = Config, **overrides) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(INSTANCE))
    app.config.from_object(config)
    app.config.update(overrides)
    keys.configure(app)

    _extensions(app)
    _tenancy(app)
    _blueprints(app)
    _cli(app)
    _errors(app)
    return app


def _extensions(app: Flask) -> None:
    # Each part imports what it sets up, here: every module of the app lives inside this package,
    # so importing them with it would run them all before any of them could import webapp.config.
    from werkzeug.middleware.proxy_fix import ProxyFix

    from webapp import database, forms, input_rules, security_headers, static_files
    from webapp.auth.operations import load_session_user
    from webapp.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate, select_locale

    app.wsgi_app = database.RetryReads(app.wsgi_app)  # a page view outlives a database restart
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    # First, so that its after_request runs last: it compresses what every other one left.
    compress.init_app(app)
    static_files.init_app(app)
    security_headers.init_app(app)
    input_rules.init_app(app)
    database.prepare(app)
    db.init_app(app)
    database.end_sessions_quietly(app)
    with app.app_context():
        for engine in db.engines.values():
            database.tune_engine(engine, app.config["DATABASE_PING_AFTER_IDLE"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(load_session_user)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(ROOT / "webapp" / "translations"))
    app.before_request(forms.keep_wtforms_messages)
    app.config.setdefault("RATELIMIT_STORAGE_URI", database.limiter_storage_uri(app.config["REDIS_URL"]))
    limiter.init_app(app)
    _import_models()


def _import_models() -> None:
    """Every model registered on the metadata, for queries and for migrations alike."""
    import tenants.models  # noqa: F401
    import webapp.audit  # noqa: F401
    import webapp.auth.models  # noqa: F401
    import webapp.backup.models  # noqa: F401
    import webapp.board.indexes  # noqa: F401
    import webapp.cases.models  # noqa: F401
    import webapp.deadlines.models  # noqa: F401
    import webapp.documents.models  # noqa: F401
    import webapp.keypersons.models  # noqa: F401
    import webapp.meetings.models  # noqa: F401
    import webapp.pay.models  # noqa: F401
    import webapp.referrals.models  # noqa: F401
    import webapp.rounds.models  # noqa: F401
    import webapp.submissions  # noqa: F401
    import webapp.supervision.models  # noqa: F401
    import webapp.villages.models  # noqa: F401


def _tenancy(app: Flask) -> None:
    # As in _extensions: the parts are imported by the part that sets them up.
    from tenants import web
    from webapp.auth.ways_in import read_way_in

    web.init_app(app, read_way_in=read_way_in)


def _blueprints(app: Flask) -> None:
    # As in _extensions: the parts are imported by the part that sets them up.
    from webapp import (
        auditlog, auth, backup, board, cases, county, documents, figures, health, home, keypersons, meetings, pay,
        referrals, relocation, rounds, second_factor, staff, township, villages
    )
    from webapp.deadlines import views as deadlines
    from webapp.supervision import views as supervision
    from webapp.templating import init_app as templating

    blueprints = (auth.bp, home.bp, county.bp, staff.bp, villages.bp, relocation.bp, cases.bp, referrals.bp,
                  keypersons.bp, township.bp, health.bp, board.bp, deadlines.bp, documents.bp, documents.county_bp,
                  figures.bp, meetings.bp, pay.bp, rounds.bp, auditlog.bp, auditlog.county_bp, second_factor.bp,
                  second_factor.county_bp, supervision.bp, supervision.county_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    templating(app)
    backup.init_app(app)


def _cli(app: Flask) -> None:
    # As in _extensions: the parts are imported by the part that sets them up.
    from tenants.cli import cli as tenants_cli
    from webapp.auditlog.cli import cli as audit_cli
    from webapp.backup.cli import cli as backup_cli
    from webapp.cases.duplicates import cli as parties_cli
    from webapp.deadlines.cli import cli as deadlines_cli
    from webapp.demo import cli as demo_cli
    from webapp.keys import cli as keys_cli
    from webapp.staff.cli import cli as users_cli

    for group in (tenants_cli, users_cli, demo_cli, deadlines_cli, backup_cli, keys_cli, parties_cli, audit_cli):
        app.cli.add_command(group)


def _errors(app: Flask) -> None:
    # As in _extensions: the parts are imported by the part that sets them up.
    from sqlalchemy.exc import DBAPIError

    from webapp import errors
    from webapp.database import answer_lost_connection
    from webapp.templating import render_error

    errors.init_app(app)
    for status in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(status, render_error)
    app.register_error_handler(DBAPIError, answer_lost_connection)
