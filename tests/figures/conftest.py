"""One township (甲镇, alpha) with a hand-built half-year, and a tidy neighbour (乙镇, beta).

The period is 2026-H1 (Beijing days 2026-01-01 … 2026-06-30); "now" is 2026-07-10 12:00 in
Beijing. Cases of alpha (number: state, accepted, and what matters):

     1 registered   2026-01-01 00:30 Beijing (still 2025-12-31 in UTC): in H1
     2 registered   2025-12-31 23:30 Beijing: in 2025, not in H1
     3 assessed     02-10, due 02-17                       → running, overdue (red)
     4 mediating    03-01, due 03-08                       → overdue (red); a flag raised 03-01
     5 mediating    06-30 23:00 Beijing, due 07-20, warn 07-17 → green; in H1 (its last evening)
     6 referred     04-01, due 07-11, warn 07-08           → yellow
     7 resolved     01-10, agreement 01-15, due 01-17, group level, village 一村 → success, on time
     8 follow_up    02-01, agreement 02-25, due 02-21, village level, village 一村 → success, late
     9 closed       03-10, agreement 03-12, closed 04-01, due 03-17, village level → success, on time
    10 archived     01-20, agreement 01-22, closed 02-01, archived 02-10, due 01-27 → success, on time
    11 failed       05-01, due 05-08                       → concluded without agreement
    12 closed       05-05, closed 05-30 with no agreement, due 05-12 → ended, late, file due
    13 escalated    06-01, due 06-08, reported to the county bureau → overdue (red), reported
    14 registered   2026-07-01 00:00 Beijing: in H2, not in H1
    15 mediating    05-20, due 05-27, clock paused since 05-25 → paused, not overdue

So in H1: registered 13 (1, 3–13, 15); taken up 11 (all but 1 and 3) → 调处率 11/13;
agreements 4 (7–10), ended 6 (7–12) → 成功率 4/6; brought to an end 5 (7–10, 12) → 化解率 5/13;
archived 1 of 3 closed-or-archived (9, 10, 12) → 归档率 1/3; on time 3 of 5 (7, 9, 10 of 7–10, 12);
overdue 3 (3, 4, 13); lights red 3, yellow 1, green 1, paused 1; reported 1 (13);
levels of the 4 agreements: group 1, village 2, township 1.
Follow-up visits due in H1: case 8 on 03-04 (done, carried out) and 03-27 (done, not carried
out), case 9 on 06-30 (not done); case 7's on 07-05 is in H2 → 回访率 2/3, 履行率 1/2.
Flags: one raised 03-01 (in), one 07-02 (out) → 1. Escalations to the county: case 13 on
06-10 (in; its director-level one does not count), another on 07-05 (out) → 1.
Referrals: case 6 referred 04-01, accepted 04-01 within its day (still accepted); case 11
referred 04-20, accepted 04-25 after its day, returned → referred 2, accepted in time 1,
returned 1, open 1.
Categories: 邻里纠纷 1 and 3, 婚姻家庭 4, no category for the rest (10).

beta has two archived cases with agreements in H1: 100 % on every benchmark.
"""
from datetime import date

import pytest

from tenants.scope import tenant_scope
from tests import factories
from tests.figures.builders import bj, put, referral, visit
from webapp.cases.operations import prepare_township
from webapp.deadlines.models import AlertKind, Escalation, EscalationLevel, Flag, FlagKind
from webapp.extensions import db
from webapp.figures import Period
from webapp.types import clock_at

NOW = bj(2026, 7, 10, 12)
H1 = Period.half(2026, 1)


@pytest.fixture
def frozen(monkeypatch):
    """Pages computed at NOW: requests run in a context of their own, where ``clock_at`` does
    not reach, so the figures' clock is set directly."""
    monkeypatch.setattr("webapp.figures.queries.utcnow", lambda: NOW)
    with clock_at(NOW):
        yield NOW


@pytest.fixture
def half_year(db, tenant, other_tenant):
    prepare_township(tenant)
    prepare_township(other_tenant)
    village = factories.village_of(tenant)
    department = factories.department_of(tenant)
    c = {}
    c[1] = put(tenant, "registered", bj(2026, 1, 1, 0, 30), category="邻里纠纷")
    c[2] = put(tenant, "registered", bj(2025, 12, 31, 23, 30))
    c[3] = put(tenant, "assessed", bj(2026, 2, 10), due=bj(2026, 2, 17), warn=bj(2026, 2, 14), category="邻里纠纷")
    c[4] = put(tenant, "mediating", bj(2026, 3, 1), due=bj(2026, 3, 8), warn=bj(2026, 3, 5), category="婚姻家庭")
    c[5] = put(tenant, "mediating", bj(2026, 6, 30, 23), due=bj(2026, 7, 20), warn=bj(2026, 7, 17))
    c[6] = put(tenant, "referred", bj(2026, 4, 1), due=bj(2026, 7, 11, 20), warn=bj(2026, 7, 8),
               department_id=department.id)
    c[7] = put(tenant, "resolved", bj(2026, 1, 10), resolved=bj(2026, 1, 15), due=bj(2026, 1, 17), level="group",
               village_id=village.id)
    c[8] = put(tenant, "follow_up", bj(2026, 2, 1), resolved=bj(2026, 2, 25), due=bj(2026, 2, 21), level="village",
               village_id=village.id)
    c[9] = put(tenant, "closed", bj(2026, 3, 10), resolved=bj(2026, 3, 12), closed=bj(2026, 4, 1),
               due=bj(2026, 3, 17), level="village")
    c[10] = put(tenant, "archived", bj(2026, 1, 20), resolved=bj(2026, 1, 22), closed=bj(2026, 2, 1),
                archived=bj(2026, 2, 10), due=bj(2026, 1, 27))
    c[11] = put(tenant, "failed", bj(2026, 5, 1), due=bj(2026, 5, 8))
    c[12] = put(tenant, "closed", bj(2026, 5, 5), closed=bj(2026, 5, 30), due=bj(2026, 5, 12))
    c[13] = put(tenant, "escalated", bj(2026, 6, 1), due=bj(2026, 6, 8), warn=bj(2026, 6, 5),
                escalated_to="county_bureau", risk="may_escalate")
    c[14] = put(tenant, "registered", bj(2026, 7, 1, 0, 0))
    c[15] = put(tenant, "mediating", bj(2026, 5, 20), due=bj(2026, 5, 27), warn=bj(2026, 5, 24),
                paused=bj(2026, 5, 25))
    visit(c[8], date(2026, 3, 4), done=bj(2026, 3, 4), carried_out=True)
    visit(c[8], date(2026, 3, 27), done=bj(2026, 3, 28), carried_out=False)
    visit(c[9], date(2026, 6, 30))
    visit(c[7], date(2026, 7, 5))
    referral(c[6], department, bj(2026, 4, 1, 9), accept_by=bj(2026, 4, 2, 9), accepted=bj(2026, 4, 1, 15),
             status="accepted")
    referral(c[11], department, bj(2026, 4, 20, 9), accept_by=bj(2026, 4, 21, 9), accepted=bj(2026, 4, 25),
             status="returned")
    with tenant_scope(tenant.id):
        db.session.add_all([
            Flag(tenant_id=tenant.id, case_id=c[4].id, kind=FlagKind.OVERDUE_NO_PROGRESS, fault=4, key="f1",
                 raised_at=bj(2026, 3, 1)),
            Flag(tenant_id=tenant.id, case_id=c[4].id, kind=FlagKind.MANUAL, fault=7, key="f2",
                 raised_at=bj(2026, 7, 2)),
            Escalation(tenant_id=tenant.id, case_id=c[13].id, level=EscalationLevel.COUNTY,
                       reason=AlertKind.LONG_OVERDUE, key="e1", created_at=bj(2026, 6, 10)),
            Escalation(tenant_id=tenant.id, case_id=c[13].id, level=EscalationLevel.DIRECTOR,
                       reason=AlertKind.RED, key="e2", created_at=bj(2026, 6, 9)),
            Escalation(tenant_id=tenant.id, case_id=c[4].id, level=EscalationLevel.COUNTY,
                       reason=AlertKind.LONG_OVERDUE, key="e3", created_at=bj(2026, 7, 5)),
        ])
        db.session.flush()
    put(other_tenant, "archived", bj(2026, 2, 1), resolved=bj(2026, 2, 3), closed=bj(2026, 2, 10),
        archived=bj(2026, 2, 11), due=bj(2026, 2, 8))
    put(other_tenant, "archived", bj(2026, 3, 1), resolved=bj(2026, 3, 3), closed=bj(2026, 3, 10),
        archived=bj(2026, 3, 11), due=bj(2026, 3, 8))
    return c
