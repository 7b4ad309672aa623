"""Alembic environment. Migrations run as the table owner (``DATABASE_OWNER_URL`` when set,
else the app's own ``DATABASE_URL``); afterwards, on PostgreSQL, the app's role is granted
exactly what it needs (``tenants.rls.grant_app_role``)."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, make_url

from tenants.rls import grant_app_role

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def _urls():
    app_url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    owner = current_app.config.get("DATABASE_OWNER_URL")
    owner_url = make_url(owner).set(drivername=app_url.drivername) if owner else app_url
    return app_url, owner_url


def _owner_engine():
    app_url, owner_url = _urls()
    if owner_url == app_url:
        return target_db.engine
    return create_engine(owner_url)


def run_migrations_offline():
    app_url, owner_url = _urls()
    context.configure(url=owner_url.render_as_string(hide_password=False), target_metadata=target_db.metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    conf_args.setdefault("process_revision_directives", process_revision_directives)

    app_url, owner_url = _urls()
    with _owner_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "postgresql" and app_url.username != owner_url.username:
                if not grant_app_role(connection, app_url.username):
                    logger.warning("database role %s does not exist: create it, then upgrade again",
                                   app_url.username)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
