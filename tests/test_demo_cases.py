"""The demo's case history (flask demo seed): about sixty cases per township in every state
and of every kind, with timelines the operations really recorded, complete files for the
archived ones, gap-free numbers, and nothing added by a second run.

A full seed takes seconds, so the suite seeds once per run (``demo_db``, tests/conftest.py)
and the checks of the seeded database share a test; each check is a function of its own that
names the township and case it fails on.
"""
import re
from collections import defaultdict
from datetime import timedelta, timezone

from sqlalchemy import select

from tenants.models import Tenant
from tenants.scope import tenant_scope
from tests.test_cli import _row_counts
from webapp import timelimits
from webapp.cases.completeness import missing_parts
from webapp.cases.models import (
    DEFAULT_CATEGORIES, Case, CaseState, Difficulty, Level, ReferralStatus, Risk, Source,
)
from webapp.personal_data import id_check_digit
from webapp.types import utcnow

SLUGS = ("mangbang", "heshun", "jietou")


def _seed(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


def _every_state_and_kind(tenant, cases, now):
    where = tenant.slug
    assert 50 <= len(cases) <= 70, where
    assert {c.state for c in cases} == set(CaseState), where
    assert {c.category.name for c in cases} == set(DEFAULT_CATEGORIES), where
    assert {c.level for c in cases} == set(Level), where
    assert {c.source for c in cases} == set(Source), where
    assert {c.risk for c in cases if c.risk} == set(Risk), where
    assert {c.difficulty for c in cases if c.difficulty} == set(Difficulty), where
    # Running cases in all three colours of the time-limit light.
    lights = {timelimits.case_light(c, now) for c in cases}
    assert {timelimits.Light.GREEN, timelimits.Light.YELLOW, timelimits.Light.RED} <= lights, where
    # Referrals that went every way, agreements, and visits both done and still to do.
    assert {r.status for c in cases for r in c.referrals} == set(ReferralStatus), where
    assert sum(c.agreement is not None for c in cases) >= 20, where
    visits = [f for c in cases for f in c.follow_ups]
    assert any(f.done_at for f in visits) and any(f.done_at is None for f in visits), where
    # Spread over the past months, up to the last days.
    accepted = sorted(c.accepted_at for c in cases)
    assert accepted[0] < now - timedelta(days=200) and accepted[-1] > now - timedelta(days=3), where


def _timeline_is_real(case, now):
    events = case.events
    first = events[0]
    assert first.kind == "registered" and first.to_state == CaseState.REGISTERED, case.number
    assert first.at == case.accepted_at, case.number  # registered at its own moment
    state = CaseState.REGISTERED
    for event in events[1:]:
        if event.to_state is not None:
            assert event.from_state == state, (case.number, event.kind, event.data)
            state = event.to_state
    assert state == case.state, case.number
    moments = [e.at for e in events]
    assert moments == sorted(moments) and moments[-1] <= now, case.number
    assert all(m.tzinfo == timezone.utc for m in moments), case.number


def _file_and_parties_are_sound(tenant, case):
    if case.state == CaseState.ARCHIVED:
        assert missing_parts(case) == [], case.number
    assert 1 <= len(case.parties) <= 3, case.number
    assert case.parties[0].address.startswith(tenant.name + case.village.name), case.number
    for party in case.parties:
        assert re.fullmatch(r"5305\d{13}[\dX]", party.id_number), (case.number, party.id_number)
        assert party.id_number[17] == id_check_digit(party.id_number[:17]), (case.number, party.id_number)
        assert re.fullmatch(r"1[3-9]\d{9}", party.phone), (case.number, party.phone)
        assert party.address.startswith(tenant.name), (case.number, party.address)


def _numbers_have_no_gaps(tenant, cases):
    by_year = defaultdict(list)
    for case in cases:  # ordered by year and number
        by_year[case.year].append(case)
    for year, numbered in by_year.items():
        assert [c.seq for c in numbered] == list(range(1, len(numbered) + 1)), (tenant.slug, year)
        # Numbers follow acceptance, as they do at the window.
        accepted = [c.accepted_at for c in numbered]
        assert accepted == sorted(accepted), (tenant.slug, year)


def test_demo_case_history_is_complete_and_true(demo_db):
    db = demo_db
    now = utcnow()
    for slug in SLUGS:
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        with tenant_scope(tenant.id):
            cases = db.session.scalars(select(Case).where(Case.tenant_id == tenant.id)
                                       .order_by(Case.year, Case.seq)).all()
            _every_state_and_kind(tenant, cases, now)
            _numbers_have_no_gaps(tenant, cases)
            for case in cases:
                _timeline_is_real(case, now)
                _file_and_parties_are_sound(tenant, case)


def test_seeding_twice_changes_nothing(demo_app, demo_db):
    once = _row_counts(demo_db)
    assert once["tenants"] == 3 and once["users"] == 20
    assert 150 <= once["cases"] <= 210 and once["case_events"] > 5 * once["cases"]
    _seed(demo_app.test_cli_runner())
    assert _row_counts(demo_db) == once
