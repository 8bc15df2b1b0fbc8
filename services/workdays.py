"""Deadlines on the PRC working calendar: holidays and 调休 make-up workdays included.

A day is a working day by, in this order: the administrator's entries from the State Council's
yearly schedule (节假日 page, models.Holiday); chinese-calendar for the years it knows; for any
other year the statutory holidays computed from the national rules (元旦, 春节 除夕 to 初三,
清明, 劳动节 2 days, 端午, 中秋, 国庆 3 days; lunar dates from lunardate, 清明 from
chinese-calendar's solar terms); else Monday to Friday. A deadline of N working days keeps the time of day and lands on the N-th
working day after the start date.
"""
import datetime
import functools
import threading
import time

import chinese_calendar
from lunardate import LunarDate

from models import Holiday

# The administrator's entries, read once a minute per process (and at once after a change in
# this process): add_workdays asks about one day at a time.
ENTRIES_SECONDS = 60
_entries = {"read_at": None, "days": {}}
_entries_lock = threading.Lock()


def forget_entries():
    """Read the administrator's entries again on the next question (after a change)."""
    _entries["read_at"] = None


def entries():
    """{day: True for a make-up workday, False for a day off} from the 节假日 page."""
    with _entries_lock:
        read_at = _entries["read_at"]
        if read_at is None or time.monotonic() - read_at > ENTRIES_SECONDS:
            _entries["days"] = dict(Holiday.select(Holiday.day, Holiday.workday)
                                    .where(Holiday.not_voided()).tuples())
            _entries["read_at"] = time.monotonic()
        return _entries["days"]


def library_covers(year):
    """True when chinese-calendar knows the State Council's schedule for `year`."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def _lunar(year, month, day):
    """A lunar date of `year` as a solar date, or None outside lunardate's years (1900-2099)."""
    try:
        return LunarDate(year, month, day).to_solar_date()
    except ValueError:
        return None


@functools.lru_cache(maxsize=256)
def statutory_holidays(year):
    """{day: name} of the statutory public holidays of `year` under the national rules
    (《全国年节及纪念日放假办法》 as amended in 2024): no bridging days or make-up workdays, which
    are the yearly schedule's, entered on the 节假日 page."""
    day = datetime.date
    days = {day(year, 1, 1): "元旦", day(year, 5, 1): "劳动节", day(year, 5, 2): "劳动节",
            day(year, 10, 1): "国庆节", day(year, 10, 2): "国庆节", day(year, 10, 3): "国庆节"}
    new_year = _lunar(year, 1, 1)
    if new_year is not None:  # 除夕 to 初三
        for offset in range(-1, 3):
            days[new_year + datetime.timedelta(days=offset)] = "春节"
    for lunar, name in (((5, 5), "端午节"), ((8, 15), "中秋节")):
        found = _lunar(year, *lunar)
        if found is not None:
            days[found] = name
    for found, name in chinese_calendar.get_solar_terms(day(year, 4, 1), day(year, 4, 10)):
        if name == "清明":
            days[found] = "清明节"
    return days


def library_day(day):
    """True/False from chinese-calendar, or None for a year it does not know."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_workday(day):
    """True when `day` is a working day (调休 Saturdays count; public holidays do not)."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    entered = entries().get(day)
    if entered is not None:
        return entered
    known = library_day(day)
    if known is not None:
        return known
    return day.weekday() < 5 and day not in statutory_holidays(day.year)


def add_workdays(moment, days):
    """The moment `days` working days after `moment`, at the same time of day."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = moment
    remaining = days
    while remaining:
        current += datetime.timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def add_hours(moment, hours):
    """Clock hours: nights, weekends and holidays all count."""
    return moment + datetime.timedelta(hours=hours)


def add_months(moment, months):
    """The same day `months` later (or earlier when negative), clamped to the month's last day:
    31 August + 6 months is 28 February. Works for dates and datetimes."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def year_calendar(year):
    """Every day off and make-up workday of `year` with where it comes from, in order:
    (day, is_workday, name, source) with source 'entered', 'library' or 'computed'."""
    days = {}
    if library_covers(year):
        day = datetime.date(year, 1, 1)
        while day.year == year:
            off, name = chinese_calendar.get_holiday_detail(day)
            if name:  # a named holiday, or a weekend made a working day
                days[day] = (day, not off, name, "library")
            day += datetime.timedelta(days=1)
    else:
        for day, name in statutory_holidays(year).items():
            days[day] = (day, False, name, "computed")
    for row in entered(year):
        days[row.day] = (row.day, row.workday, row.name, "entered")
    return [days[d] for d in sorted(days)]


def schedule_missing(year):
    """True when neither the library nor the administrator has given `year`'s 调休 schedule
    (from the entries this process keeps: the managers' home pages ask all December)."""
    return not library_covers(year) and not any(day.year == year for day in entries())


def entered(year):
    """The administrator's entries for `year` that stand (not withdrawn)."""
    return Holiday.live().where(Holiday.day.year == year)
