"""Every figure on the hand-built half-year of conftest.py, whose answers are worked out there."""
from datetime import date

import pytest

from tenants.scope import tenant_scope, townships_scope
from tests import factories
from tests.figures.conftest import H1, NOW
from webapp.figures import FIGURES, Period, archive_rate, by_department, by_village, county_figures, township_figures


@pytest.fixture
def alpha(half_year, tenant):
    with tenant_scope(tenant.id):
        yield township_figures(tenant.id, H1, now=NOW)


def test_counts(alpha):
    assert alpha["registered"] == 13          # 1, 3–13, 15: not 2 (2025) nor 14 (H2)
    assert alpha["mediated"] == 11
    assert (alpha["succeeded"], alpha["concluded"]) == (4, 6)
    assert alpha["settled"] == 5
    assert (alpha["archived"], alpha["file_due"]) == (1, 3)
    assert (alpha["on_time"], alpha["timed"]) == (3, 5)
    assert alpha["overdue"] == 3
    assert alpha["reported"] == 1
    assert alpha["flags"] == 1
    assert alpha["escalations"] == 1
    assert (alpha["visits_due"], alpha["visits_done"]) == (3, 2)
    assert (alpha["visits_answered"], alpha["visits_carried_out"]) == (2, 1)


def test_rates(alpha):
    assert alpha["mediation_rate"] == pytest.approx(11 / 13)
    assert alpha["success_rate"] == pytest.approx(4 / 6)
    assert alpha["resolution_rate"] == pytest.approx(5 / 13)
    assert alpha["archive_rate"] == pytest.approx(1 / 3)
    assert alpha["on_time_rate"] == pytest.approx(3 / 5)
    assert alpha["follow_up_rate"] == pytest.approx(2 / 3)
    assert alpha["fulfilment_rate"] == pytest.approx(1 / 2)
    assert (alpha["group_share"], alpha["village_share"], alpha["township_share"]) == (0.25, 0.5, 0.25)


def test_shortfalls_against_the_benchmarks(alpha):
    assert alpha["shortfalls"] == {"mediation_rate", "success_rate", "archive_rate"}
    assert FIGURES["mediation_rate"].falls_short(0.989) and not FIGURES["mediation_rate"].falls_short(0.99)
    assert not FIGURES["archive_rate"].falls_short(1.0) and FIGURES["archive_rate"].falls_short(0.9999)
    assert not FIGURES["success_rate"].falls_short(None)  # nothing to divide by is no shortfall


def test_breakdowns(alpha):
    assert alpha["lights"] == {"green": 1, "yellow": 1, "red": 3, "paused": 1}
    assert alpha["by_level"] == {"group": 1, "village": 2, "township": 1}
    assert dict(alpha["by_category"]) == {None: 10, "邻里纠纷": 2, "婚姻家庭": 1}
    assert alpha["by_source"]["visit"] == 13 and sum(alpha["by_source"].values()) == 13
    assert alpha["by_risk"] == {"resolvable": 11, "controllable": 0, "may_escalate": 1}  # 1 not yet assessed
    assert alpha["by_difficulty"]["ordinary"] == 12


def test_monthly_trend(alpha):
    trend = {item["month"].key: (item["registered"], item["settled"]) for item in alpha["trend"]}
    assert trend == {"2026-01": (3, 2), "2026-02": (2, 1), "2026-03": (2, 1), "2026-04": (1, 0),
                     "2026-05": (3, 1), "2026-06": (2, 0)}


def test_the_period_decides_which_cases_count(half_year, tenant):
    with tenant_scope(tenant.id):
        assert township_figures(tenant.id, Period.year(2025), now=NOW)["registered"] == 1  # case 2
        assert township_figures(tenant.id, Period.month(2026, 7), now=NOW)["registered"] == 1  # case 14
        jan = township_figures(tenant.id, Period.between(date(2026, 1, 1), date(2026, 1, 1)), now=NOW)
        assert jan["registered"] == 1  # case 1, accepted half an hour into New Year's day in Beijing
        # the visit due on 07-05 and the flag of 07-02 belong to H2
        h2 = township_figures(tenant.id, Period.half(2026, 2), now=NOW)
        assert (h2["visits_due"], h2["flags"], h2["escalations"]) == (1, 1, 1)


def test_no_cases_means_no_rate(db, tenant):
    with tenant_scope(tenant.id):
        empty = township_figures(tenant.id, H1, now=NOW)
    assert empty["registered"] == 0 and empty["success_rate"] is None and empty["shortfalls"] == set()


def test_one_village(half_year, tenant):
    village = factories.village_of(tenant)
    with tenant_scope(tenant.id):
        one = township_figures(tenant.id, H1, village_id=village.id, now=NOW)
        rows = by_village(tenant.id, H1, now=NOW)
    assert (one["registered"], one["succeeded"], one["visits_due"]) == (2, 2, 2)  # cases 7 and 8
    assert [(r["village_id"], r["registered"]) for r in rows] == [(village.id, 2), (None, 11)]
    assert rows[0]["visits_done"] == 2 and rows[1]["flags"] == 1


def test_by_department(half_year, tenant):
    with tenant_scope(tenant.id):
        rows = by_department(tenant.id, H1)
    police = rows[0]
    assert (police["referred"], police["accepted_in_time"], police["succeeded"], police["returned"],
            police["open"]) == (2, 1, 0, 1, 1)
    assert police["success_rate"] == 0.0


def test_archive_rate_alone(half_year, tenant):
    with tenant_scope(tenant.id):
        assert archive_rate(tenant.id, H1) == pytest.approx(1 / 3)


def test_county_rows_and_total(half_year, tenant, other_tenant):
    with townships_scope([tenant.id, other_tenant.id]):
        rows, total = county_figures(H1, county_id=tenant.county_id, now=NOW)
    assert [r["name"] for r in rows] == ["甲镇", "乙镇"]
    alpha, beta = rows
    assert alpha["registered"] == 13 and beta["registered"] == 2
    assert beta["shortfalls"] == set() and beta["archive_rate"] == 1.0
    assert total["registered"] == 15
    assert total["mediation_rate"] == pytest.approx(13 / 15)   # 11 + 2 over 13 + 2
    assert total["success_rate"] == pytest.approx(6 / 8)
    assert total["archive_rate"] == pytest.approx(3 / 5)
    assert dict(total["by_category"])["邻里纠纷"] == 2


def test_a_township_scope_sees_only_its_own_cases(half_year, tenant, other_tenant):
    # Asking for beta's figures inside alpha's scope finds nothing of beta's.
    with tenant_scope(tenant.id):
        assert township_figures(other_tenant.id, H1, now=NOW)["registered"] == 0
