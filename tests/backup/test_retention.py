"""Which backups are kept: the newest of each of the last 7 days, 4 weeks and 12 months (Beijing time)."""
from datetime import datetime, timedelta, timezone

from webapp.backup.operations import nightly_key
from webapp.backup.retention import to_keep

UTC = timezone.utc


def nightly(first: datetime, days: int) -> list[datetime]:
    """A backup every night at 02:30 Beijing (18:30 UTC the day before)."""
    return [first + timedelta(days=n) for n in range(days)]


def test_a_year_of_nightly_backups_keeps_7_daily_4_weekly_12_monthly():
    # 2026-01-01 02:30 Beijing is 2025-12-31 18:30 UTC; the last is 2026-12-04 02:30 Beijing.
    taken = nightly(datetime(2025, 12, 31, 18, 30, tzinfo=UTC), 338)
    kept = sorted(to_keep(taken))
    local = [(k + timedelta(hours=8)).date().isoformat() for k in kept]
    daily = [f"2026-11-{d}" for d in range(28, 31)] + [f"2026-12-0{d}" for d in range(1, 5)]  # Nov 28 to Dec 4
    # Weeks (Monday to Sunday): the newest of the weeks of Nov 30, Nov 23, Nov 16, Nov 9.
    weekly = ["2026-11-15", "2026-11-22", "2026-11-29"]  # the week of Nov 30: Dec 4, a day already
    # Months: the newest of each of Jan..Dec 2026 (December's is the newest day).
    monthly = ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30",
               "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31"]  # November's is the 30th, kept as a day
    assert local == sorted(set(monthly + weekly + daily))
    assert len(kept) == 19  # the weeks' and months' newest overlap the days


def test_few_backups_are_all_kept():
    taken = nightly(datetime(2026, 12, 1, 18, 30, tzinfo=UTC), 3)
    assert to_keep(taken) == set(taken)


def test_two_backups_on_one_day_keep_the_newest_as_that_days():
    morning = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # 03:00 Beijing, Dec 4
    evening = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # 20:00 Beijing, Dec 4
    assert to_keep([morning, evening]) == {evening}


def test_days_are_beijing_days():
    # 23:30 UTC Dec 3 is 07:30 Dec 4 in Beijing: the same day as 12:00 UTC Dec 4.
    late_utc = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    noon = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert to_keep([late_utc, noon]) == {noon}


def test_the_nightly_run_is_named_for_the_beijing_night_it_belongs_to():
    assert nightly_key(datetime(2026, 12, 4, 18, 29, tzinfo=UTC), "02:30") == "nightly-2026-12-04"
    assert nightly_key(datetime(2026, 12, 4, 18, 30, tzinfo=UTC), "02:30") == "nightly-2026-12-05"
    assert nightly_key(datetime(2026, 12, 5, 9, 0, tzinfo=UTC), "02:30") == "nightly-2026-12-05"
