"""The Flask extensions, created unbound and initialised in create_app()."""
from flask import current_app, has_request_context, request, session
from flask_babel import Babel
from flask_babel.speaklater import LazyString
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from markupsafe import escape
from sqlalchemy import MetaData

# Deterministic constraint names, so Alembic can alter them on SQLite and PostgreSQL alike.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, in_memory_fallback_enabled=True)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.locale in languages:
            return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


babel = Babel()


def _escape_lazy_strings() -> None:
    """Flask-Babel's lazy strings call themselves HTML (``__html__`` gives the text as is), so
    Jinja and Markup would put a message such as "There is already a village called
    %(name)s." on the page without escaping the name a user typed. Our messages are text, never
    HTML: a lazy string is escaped like any other value, values and all."""

    LazyString.__html__ = lambda self: escape(str(self))


_escape_lazy_strings()
