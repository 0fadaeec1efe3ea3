"""The terminal's own timetable (``[schedule]`` in kiosk.toml): when the screen is on,
when the nightly restart is due, when the machine should power itself on. Pure
functions of the configuration and the time, so they are tested without waiting."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from kiosk.config import OpeningHours, ScheduleSettings

# A nightly restart that could not happen (a visit went on) is dropped after this long:
# it must not hit the morning's first visitors instead.
NIGHTLY_WINDOW = timedelta(hours=2)


def screen_on(hours: OpeningHours, schedule: ScheduleSettings, now: datetime) -> bool:
    """True when the screen should be lit: on an opening day, from shortly before
    opening to a while after closing (always, with ``screen_off = false``)."""
    if not schedule.screen_off:
        return True
    if now.isoweekday() not in hours.days:
        return False
    day = now.date()
    lit_from = datetime.combine(day, hours.open, now.tzinfo) - timedelta(minutes=schedule.screen_on_before_minutes)
    lit_until = datetime.combine(day, hours.close, now.tzinfo) + timedelta(minutes=schedule.screen_off_after_minutes)
    return lit_from <= now < lit_until


def opening_day(hours: OpeningHours, day: date) -> bool:
    """True when the windows open at all on ``day`` (its weekday, not a closed date)."""
    return day.isoweekday() in hours.days and day not in hours.closed_dates


def open_now(hours: OpeningHours, now: datetime) -> bool:
    """True when the windows are staffed at ``now``."""
    return opening_day(hours, now.date()) and hours.open <= now.time() < hours.close


def next_opening(hours: OpeningHours, now: datetime) -> datetime | None:
    """None while the windows are open; otherwise the moment they next open (today
    before opening time, else the next opening day). None too when no day in the next
    year opens (a configuration without days): then nothing can be promised."""
    if open_now(hours, now):
        return None
    for ahead in range(367):
        day = now.date() + timedelta(days=ahead)
        moment = datetime.combine(day, hours.open, now.tzinfo)
        if moment > now and opening_day(hours, day):
            return moment
    return None


def service_day(hours: OpeningHours, now: datetime) -> date:
    """The day a ticket taken at ``now`` is served: today while open, else the day of
    the next opening."""
    resumes = next_opening(hours, now)
    return resumes.date() if resumes is not None else now.date()


def nightly_restart_due(at: time | None, started: datetime, now: datetime) -> bool:
    """True when a nightly restart time has passed since this run started (and not
    longer ago than ``NIGHTLY_WINDOW``). The caller restarts only when no visit is on;
    a run started after the time never restarts for it again."""
    if at is None:
        return False
    for day in (now.date(), now.date() - timedelta(days=1)):
        moment = datetime.combine(day, at, now.tzinfo)
        if started < moment <= now and now - moment < NIGHTLY_WINDOW:
            return True
    return False


def next_power_on(hours: OpeningHours, at: time | None, now: datetime) -> datetime | None:
    """The next moment the machine should switch itself on: ``at`` on the next opening
    day (today if still ahead); None without a power-on time."""
    if at is None:
        return None
    for ahead in range(8):
        day = now.date() + timedelta(days=ahead)
        moment = datetime.combine(day, at, now.tzinfo)
        if moment > now and day.isoweekday() in hours.days:
            return moment
    return None


def rtcwake_command(when: datetime) -> list[str]:
    """Arm the RTC alarm for ``when`` without suspending (``-m no``); ``-t`` takes
    seconds since the epoch, so the RTC's UTC/local setting does not matter."""
    return ["rtcwake", "-m", "no", "-t", str(int(when.timestamp()))]
