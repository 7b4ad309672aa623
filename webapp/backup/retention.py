"""Which backups to keep: the newest of each of the last 7 days, 4 weeks and 12 months that
have one (days, weeks and months in Beijing time). A pure function of the dates."""
from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
DAILY, WEEKLY, MONTHLY = 7, 4, 12


def _newest_per_period(taken: list[datetime], period, count: int) -> set[datetime]:
    kept, periods = set(), set()
    for when in taken:
        key = period(when.astimezone(BEIJING))
        if key in periods:
            continue
        if len(periods) == count:
            break
        periods.add(key)
        kept.add(when)
    return kept


def to_keep(taken, daily: int = DAILY, weekly: int = WEEKLY, monthly: int = MONTHLY) -> set[datetime]:
    """The times, among ``taken``, of the backups to keep; the others may go."""
    newest_first = sorted(taken, reverse=True)
    return (_newest_per_period(newest_first, lambda d: d.date(), daily)
            | _newest_per_period(newest_first, lambda d: d.isocalendar()[:2], weekly)
            | _newest_per_period(newest_first, lambda d: (d.year, d.month), monthly))
