"""The menu's links are drawn once per township, role, county review and language, and kept
(``webapp.templating.menu``): whoever comes next sees their own menu, never the one kept
for someone else."""
import re

import pytest

from tenants.models import Membership, Role

MENU = re.compile(r"<nav>(.*?)</nav>", re.S)


def menu_of(client, path="/t/alpha/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return MENU.search(response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("first, then", [("township_admin", "clerk"), ("clerk", "township_admin")])
def test_a_role_sees_only_its_links_whoever_drew_the_menu_before(login_as, first, then):
    menu_of(login_as(first))
    menu = menu_of(login_as(then))
    # 本镇设置 (township.configure) is the director's alone.
    assert ("/t/alpha/settings" in menu) == (then == "township_admin")
    assert ("本镇设置" in menu) == (then == "township_admin")


def test_the_links_are_those_of_the_members_township(login_as, other_tenant):
    menu_of(login_as("mediator"))
    menu = menu_of(login_as("mediator", in_tenant=other_tenant), "/t/beta/")
    assert "/t/beta/board/" in menu and "/t/alpha/" not in menu


def test_switching_language_changes_the_menu(login_as):
    director = login_as("township_admin")
    assert "概览" in menu_of(director)
    english = menu_of(director, "/t/alpha/?lang=en")
    assert "Overview" in english and "概览" not in english
    assert "概览" in menu_of(director, "/t/alpha/?lang=zh_CN")


def test_county_review_is_offered_only_to_who_holds_a_county_role(app, db, tenant, login_as):
    director = login_as("township_admin")
    db.session.add(Membership(user_id=director.user.id, county_id=tenant.county_id, role=Role.COUNTY_REVIEWER))
    db.session.flush()
    assert "/county/" in menu_of(director)
    # Same township, same role, no county role: the kept menu with county review is not theirs.
    assert "/county/" not in menu_of(login_as("township_admin"))


def test_a_county_role_taken_away_leaves_the_menu_at_once(app, db, tenant, login_as):
    director = login_as("township_admin")
    county_role = Membership(user_id=director.user.id, county_id=tenant.county_id, role=Role.COUNTY_REVIEWER)
    db.session.add(county_role)
    db.session.flush()
    assert "/county/" in menu_of(director)
    county_role.active = False
    db.session.flush()
    assert "/county/" not in menu_of(director)


def test_the_signed_in_users_name_is_their_own(login_as):
    first = login_as("mediator", display_name="张调解")
    assert "张调解" in first.get("/t/alpha/").get_data(as_text=True)
    page = login_as("mediator", display_name="李调解").get("/t/alpha/").get_data(as_text=True)
    assert "李调解" in page and "张调解" not in page


def test_pages_outside_a_township_have_the_menu_too(login_as):
    reviewer = login_as("county_reviewer")
    menu = menu_of(reviewer, "/county/")
    assert "/county/" in menu and "/t/alpha/board/" not in menu
    assert "/t/alpha/board/" in menu_of(reviewer, "/t/alpha/")
