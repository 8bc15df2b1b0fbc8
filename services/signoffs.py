"""Sign-offs of monthly reports (ReportSignoff): who confirmed which month, once."""
from peewee import IntegrityError

from models import ReportSignoff, clock, db

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
