"""Delivering notifications: never pushed at night. Every notification is in the bell (the
in-app list) as soon as it is made; outside a township's quiet hours (default 21:00–08:00
Beijing time) waiting ones also go out on the outbound channel (SMS and the like), and those
made at night wait for the morning to be pushed."""
import importlib
import logging
from datetime import datetime, time

from flask import current_app
from sqlalchemy import func, select, update

from tenants.models import Tenant
from tenants.scope import tenant_scope
from webapp import timelimits
from webapp.auth.models import User
from webapp.deadlines.models import Notification
from webapp.extensions import db
from webapp.township.settings import settings_for
from webapp.types import utcnow

log = logging.getLogger(__name__)


class LogChannel:
    """The default outbound channel: writes each notification to the log. An SMS, WeCom
    or e-mail backend implements the same ``send`` and is named in NOTIFY_CHANNEL."""

    def send(self, user, notification) -> None:
        cases = notification.cases_named
        log.info("notify %s: %s (%d case%s: %s)", user.username, notification.kind, len(cases),
                 "" if len(cases) == 1 else "s", ", ".join(map(str, cases[:10])))


def channel():
    path = current_app.config.get("NOTIFY_CHANNEL", "webapp.deadlines.delivery:LogChannel")
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)()


def quiet(now: datetime, settings) -> bool:
    local = now.astimezone(timelimits.BEIJING).time()
    start, end = time(settings.quiet_start_hour), time(settings.quiet_end_hour)
    return local >= start or local < end if start > end else start <= local < end


def deliver(now=None) -> int:
    """Deliver what is waiting in every township that is not in its quiet hours."""
    now = now or utcnow()
    outbound = channel()
    delivered = 0
    for tenant_id in db.session.scalars(select(Tenant.id).order_by(Tenant.id)).all():
        with tenant_scope(tenant_id):
            if quiet(now, settings_for(tenant_id)):
                continue
            waiting = db.session.scalars(select(Notification).where(
                Notification.tenant_id == tenant_id, Notification.delivered_at.is_(None))).all()
            if not waiting:
                continue
            db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in waiting]))
                               .values(delivered_at=now))
            for notification in waiting:
                outbound.send(db.session.get(User, notification.user_id), notification)
            delivered += len(waiting)
    return delivered


def unread_count(tenant_id: int, user_id: int) -> int:
    """The bell's number: the member's notifications not yet read, pushed or not (quiet hours
    hold back what goes to phones, never what waits in the app)."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.tenant_id == tenant_id, Notification.user_id == user_id,
        Notification.read_at.is_(None))) or 0
