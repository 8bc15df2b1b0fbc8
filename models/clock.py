"""The site's clock: every "now", today and month boundary in the site's timezone.

Times are stored in UTC (DateTimeField converts at the database boundary) and the code works
with the site's wall-clock time, naive, as a clerk reads it. The zone is a site setting
(default Asia/Shanghai), so a server kept in UTC or anywhere else gives the office's times.
Tests set the clock with `frozen(moment)`; nothing here reads the server's local zone.
"""
import contextlib
import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
UTC = datetime.timezone.utc

_site = {"zone": ZoneInfo(DEFAULT_ZONE), "frozen": None}


def valid_zone(name):
    """True for a zone name zoneinfo knows."""
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False


def use_zone(name):
    """Make `name` the site's zone (from the settings; an unknown name keeps the default)."""
    if name != _site["zone"].key and valid_zone(name):
        _site["zone"] = ZoneInfo(name)


def zone():
    """The site's zone."""
    return _site["zone"]


def utc_now():
    """The current moment, aware, in UTC."""
    frozen = _site["frozen"]
    return frozen if frozen is not None else datetime.datetime.now(UTC)


def now():
    """The site's wall-clock time, without microseconds, as every record stores it."""
    return to_site(utc_now().replace(microsecond=0))


def today():
    """The site's date."""
    return now().date()


def to_site(moment):
    """A UTC moment (naive or aware) as the site's naive wall-clock time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_site["zone"]).replace(tzinfo=None)


def _aware_utc(moment):
    """The site's naive wall-clock time (or an aware moment) as an aware UTC moment."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_site["zone"])
    return moment.astimezone(UTC)


def to_utc(moment):
    """The site's naive wall-clock time (or an aware moment) as naive UTC, for storage."""
    return _aware_utc(moment).replace(tzinfo=None)


@contextlib.contextmanager
def frozen(moment):
    """Stop the clock at `moment` (the site's wall-clock time, or aware) while inside."""
    previous = _site["frozen"]
    freeze(moment)
    try:
        yield
    finally:
        _site["frozen"] = previous


def freeze(moment):
    """Stop the clock at `moment` until thaw() (for a test's whole run)."""
    _site["frozen"] = _aware_utc(moment)


def thaw():
    """Let the clock run again."""
    _site["frozen"] = None


def day_bounds(start, end):
    """Datetimes from the start of `start` to the start of the day after `end`."""
    return (datetime.datetime.combine(start, datetime.time()),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time()))
