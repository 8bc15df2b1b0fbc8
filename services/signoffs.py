"""Sign-offs of monthly reports (ReportSignoff): who confirmed which month, once."""
import datetime

from peewee import IntegrityError

from models import ReportSignoff, clock, db

from . import notifications, staff

COMPLAINT_STATS, VIP_MONTHLY = "complaint_stats", "vip_monthly"


def period(year, month):
    return f"{year}-{month:02d}"


def signed(report, year, month):
    """The month's sign-off of `report`, or None."""
    return ReportSignoff.get_or_none((ReportSignoff.report == report) &
                                     (ReportSignoff.period == period(year, month)))


def may_sign(year, month):
    """Only a month that has ended can be signed off."""
    today = clock.today()
    return (year, month) < (today.year, today.month)


def sign(report, year, month, user):
    """Sign the month off (a second press, or a second manager, finds it signed already)."""
    try:
        with db.atomic():
            return ReportSignoff.create(report=report, period=period(year, month), user=user.id)
    except IntegrityError:
        return signed(report, year, month)


def last_month(at):
    """A day of the month before `at` (its last), whose report is due in `at`'s month."""
    return at.date().replace(day=1) - datetime.timedelta(days=1)


def tell_managers(at, message, endpoint=""):
    """The managers hear about last month's report (`message`, a catalogue source with
    %(month)s); how many were told."""
    managers = staff.managers()
    notifications.notify(managers, message, endpoint, None, kind=notifications.REPORT,
                         month=f"{last_month(at):%Y-%m}")
    return len(managers)


def remind_unsigned(report, at, message, endpoint=""):
    """On the due day: the managers hear when last month's `report` is not signed off yet."""
    last = last_month(at)
    if signed(report, last.year, last.month):
        return "signed off already"
    return f"{tell_managers(at, message, endpoint)} managers reminded"
