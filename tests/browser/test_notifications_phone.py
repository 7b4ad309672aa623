"""The bell on a 390 px phone: one line for a sweep that named many cases, with the first
case numbers as links and how many more, and nothing scrolling sideways."""
import itertools

from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.browser.test_layout import _overflow

DIRECTOR = "jietou.admin"
_keys = itertools.count(1)


def test_a_notification_naming_many_cases_fits_a_phone(phone, base_url, live_app):
    from tenants.models import Tenant
    from tenants.scope import tenant_scope
    from webapp.auth.models import User
    from webapp.cases.models import Case
    from webapp.deadlines.models import Notification
    from webapp.extensions import db
    from webapp.types import utcnow

    with live_app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "jietou"))
        with tenant_scope(tenant.id):
            cases = db.session.execute(select(Case.id, Case.number).where(Case.tenant_id == tenant.id)
                                       .order_by(Case.id).limit(12)).all()
            user_id = db.session.scalar(select(User.id).where(User.username == DIRECTOR))
            db.session.add(Notification(tenant_id=tenant.id, user_id=user_id, kind="red",
                                        key=f"phone-test-{next(_keys)}", case_ids=[c.id for c in cases],
                                        delivered_at=utcnow()))
            db.session.commit()
    assert len(cases) == 12

    sign_in(phone, base_url, DIRECTOR)
    assert phone.goto(f"{base_url}/t/jietou/notifications/").status == 200
    line = phone.locator("li[id^=notification-]", has_text="12 件").first
    links = line.locator(".case-links a")
    assert [links.nth(i).inner_text() for i in range(links.count())] == [c.number for c in cases[:5]]
    assert "另有 7 件" in line.inner_text()
    assert _overflow(phone) is None, _overflow(phone)
