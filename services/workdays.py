"""Deadlines on the PRC working calendar: holidays and 调休 make-up workdays included.

A deadline of N working days keeps the time of day and lands on the N-th working day after the
start date. Outside the years chinese-calendar knows, weekends are the only days off, and a log
line says so once per year.
"""
import datetime
import logging

import chinese_calendar

log = logging.getLogger(__name__)
_warned_years = set()


def is_workday(day):
    """True when `day` is a working day (调休 Saturdays count; public holidays do not)."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("PRC holiday calendar does not cover %s: counting weekends only "
                        "(upgrade chinesecalendar for that year's holidays)", day.year)
        return day.weekday() < 5


def calendar_covers(day):
    """True when the official holiday calendar knows `day`'s year."""
    try:
        chinese_calendar.is_workday(day)
        return True
    except NotImplementedError:
        return False


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


def workdays_between(start, end):
    """Working days after `start`'s date up to and including `end`'s date (0 if end <= start)."""
    start_day = start.date() if isinstance(start, datetime.datetime) else start
    end_day = end.date() if isinstance(end, datetime.datetime) else end
    count = 0
    day = start_day
    while day < end_day:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


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
