"""What is due now: the items of the installed package that this site shows at this
moment, by China time (the bureau schedules in the time its people read)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable

from kiosk.publicity.package import Item

CHINA = timezone(timedelta(hours=8))


def china_time(now: datetime) -> datetime:
    """``now`` in China time; a naive time is taken as China time already."""
    return now.replace(tzinfo=CHINA) if now.tzinfo is None else now.astimezone(CHINA)


def is_due(item: Item, now: datetime, site: str) -> bool:
    """Whether ``item`` shows at ``now`` at ``site``: within its dates (both days
    included), on one of its weekdays, within its hours ([first, end)), for this site."""
    t = china_time(now)
    return (item.for_site(site) and item.first_day <= t.date() <= item.last_day
            and t.isoweekday() in item.days and item.hours[0] <= t.hour < item.hours[1])


def due(items: Iterable[Item], now: datetime, site: str) -> list[Item]:
    """The items due at ``now`` at ``site``, in the package's order."""
    return [i for i in items if is_due(i, now, site)]
