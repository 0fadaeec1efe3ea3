"""What is due when: dates (both ends included), weekdays and hours in China time, and sites."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from kiosk.publicity.package import parse_item
from kiosk.publicity.schedule import due, is_due
from tests.publicity.media import item

CST = timezone(timedelta(hours=8))

# 宪法宣传周: 1–7 December, weekdays, 08:00–17:59, two sites.
_XIANFA: dict[str, Any] = {"from": "2026-12-01", "to": "2026-12-07", "days": [1, 2, 3, 4, 5], "hours": [8, 18],
                           "sites": ["城关司法所", "黄石港区公共法律服务中心"]}
XIANFA = parse_item(item("xianfa", **_XIANFA))
# 民法典宣传月: all May, every day, all day, every site.
MINFADIAN = parse_item(item("minfadian", "text", **{"from": "2027-05-01", "to": "2027-05-31"}))


def test_within_dates_weekdays_and_hours_at_a_named_site() -> None:
    assert is_due(XIANFA, datetime(2026, 12, 1, 8, 0, tzinfo=CST), "城关司法所")  # Tuesday, first day, first minute
    assert is_due(XIANFA, datetime(2026, 12, 7, 17, 59, tzinfo=CST), "城关司法所")  # Monday, last day, last minute


def test_not_outside_its_dates() -> None:
    assert not is_due(XIANFA, datetime(2026, 11, 30, 10, tzinfo=CST), "城关司法所")
    assert not is_due(XIANFA, datetime(2026, 12, 8, 10, tzinfo=CST), "城关司法所")


def test_not_on_a_weekend_nor_outside_its_hours() -> None:
    assert not is_due(XIANFA, datetime(2026, 12, 5, 10, tzinfo=CST), "城关司法所")  # Saturday
    assert not is_due(XIANFA, datetime(2026, 12, 2, 18, 0, tzinfo=CST), "城关司法所")  # the end hour is not included
    assert not is_due(XIANFA, datetime(2026, 12, 2, 7, 59, tzinfo=CST), "城关司法所")


def test_not_at_another_site() -> None:
    assert not is_due(XIANFA, datetime(2026, 12, 2, 10, tzinfo=CST), "下陆区团城山司法所")


def test_hours_and_days_are_china_time_whatever_the_clock_says() -> None:
    # 01:30 UTC on Wednesday 2 December is 09:30 in China: due. 11:00 UTC is 19:00: not.
    assert is_due(XIANFA, datetime(2026, 12, 2, 1, 30, tzinfo=timezone.utc), "城关司法所")
    assert not is_due(XIANFA, datetime(2026, 12, 2, 11, 0, tzinfo=timezone.utc), "城关司法所")
    # 17:00 UTC on Sunday 6 December is already Monday 7 December 01:00 in China: a weekday, but before 08:00.
    assert not is_due(XIANFA, datetime(2026, 12, 6, 17, 0, tzinfo=timezone.utc), "城关司法所")
    # 23:30 UTC on 30 April is 1 May 07:30 in China: the month has begun.
    assert is_due(MINFADIAN, datetime(2027, 4, 30, 23, 30, tzinfo=timezone.utc), "任何一个工作室")


def test_due_keeps_the_package_order() -> None:
    both = [MINFADIAN, XIANFA]
    assert [i.id for i in due(both, datetime(2026, 12, 2, 10, tzinfo=CST), "城关司法所")] == ["xianfa"]
    assert due(both, datetime(2027, 1, 1, 10, tzinfo=CST), "城关司法所") == []
    assert [i.id for i in due(both, datetime(2027, 5, 4, 3, tzinfo=CST), "城关司法所")] == ["minfadian"]
